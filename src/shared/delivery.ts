import type { DeliveryEvent } from './event';
import type { RetryPolicy } from './retry-policy';

export const DELIVERY_STATUSES = [
  'pending',
  'retrying',
  'awaiting_credentials',
  'waiting_for_order',
  'delivered',
  'failed',
  'filtered',
] as const;

/** Where a delivery run stands; mirrored into the DeliveryStatus search attribute. */
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

/** Who a delivery addresses, resolved once from the event before the workflow starts. */
export type CustomerResolution =
  | { ok: true; customerId: string; source: string; email?: string; anonymousId?: string }
  | { ok: false; reason: 'missing' | 'too_long' | 'invalid'; message: string; anonymousId?: string };

/**
 * How the Customer.io mapping treats an integration's events, from the integration's config when the delivery starts
 * (src/customerio/mapping-options.ts holds the defaults).
 */
export interface MappingOptions {
  /** ISO-8601 date strings in attributes and event data become unix seconds, so segments can compare them. */
  convertTimestamps: boolean;
  /** The Customer.io object type a `group` event's object belongs to, unless its traits name one. */
  objectTypeId: string;
  /** Events with an anonymousId but no person go to Customer.io as anonymous events (else they fail). */
  anonymousEvents: boolean;
  /** Track event names that add or update the person's push device (from context.device.token). */
  deviceEvents: string[];
  /** Track event names that delete the person's push device. */
  deviceDeleteEvents: string[];
  /** Track event names that delete the person from Customer.io. */
  deletePersonEvents: string[];
  suppressPersonEvents: string[];
  unsuppressPersonEvents: string[];
  /** Track event names that delete a Customer.io object (properties.objectId, properties.objectTypeId). */
  objectDeleteEvents: string[];
}

/**
 * The input of a delivery run: everything it needs, decided before it starts (src/client/start-delivery.ts), so
 * retries and replays agree. Runs started before the customer and the mapping were settled at start carry less; the
 * workflow upgrades those inputs first (upgradeInput, src/customerio/delivery-input.ts).
 */
export interface DeliverEventInput {
  integrationId: string;
  event: DeliveryEvent;
  /** Who the delivery addresses. */
  customer: CustomerResolution;
  /** How the mapping treats the event: the integration's settings at start. */
  mapping: MappingOptions;
  /** The integration's schedule (retry window, wait for credentials) over the defaults. */
  retry?: Partial<RetryPolicy>;
  /** Set when the event must be recorded but not sent (consent denied, unsupported event type). */
  filter?: { reason: FilterReason; detail?: string };
  /** The integration hashes personal data wherever the audit views show it (search attributes, memo, records). */
  hashPii?: boolean;
  /** A replay: the delivery this run repeats (same event, so the same Customer.io event id). */
  replayOf?: { workflowId: string; runId?: string };
  /** Its place in its person's order (issue 16), taken at intake; absent: not ordered (ordering off, or older runs). */
  order?: DeliveryOrder;
}

/** A delivery's place in the order of its key (src/customerio/order-key.ts, src/store/order-book.ts). */
export interface DeliveryOrder {
  key: string;
  seq: number;
  /** The unfinished deliveries it waits for before its first attempt, as the intake found them. */
  waitFor: string[];
  /** A deletion (or suppression): waits for every earlier delivery of its key, never overtakes, is never overtaken. */
  barrier: boolean;
  /** How long it waits before it goes ahead of what holds it (order_wait_minutes); never for or past a barrier. */
  waitLimitMs: number;
  /**
   * Started with its first workflow task delayed until what it waits for releases it (src/client/start-in-order.ts):
   * the time from its start to its first task is a wait for `waitFor`, recorded like one.
   */
  startDelayed?: boolean;
  /**
   * Started at once behind an unfinished delivery of its person, to wait for it in the worker of the intake's process
   * (src/client/start-in-order.ts): listed as waiting for it from its start, like a delayed one; the wait itself is
   * its attempt's (recorded as `gated`).
   */
  waitsInWorker?: boolean;
}

/**
 * The delivery a run started behind an unfinished one (delayed, or waiting in the worker) is shown as waiting for: the
 * latest of what it waits for (its predecessor; for a barrier, the last unfinished one before it). One rule for the
 * start, the run and the record.
 */
export function chainedBehind(order: Pick<DeliveryOrder, 'waitFor'>): string | undefined {
  return order.waitFor.at(-1);
}

/** What a run was started behind, listed as waiting for it until its first attempt; undefined for any other run. */
export function startedBehind(
  order: Pick<DeliveryOrder, 'waitFor' | 'startDelayed' | 'waitsInWorker'> | undefined,
): string | undefined {
  return order && (order.startDelayed || order.waitsInWorker) ? chainedBehind(order) : undefined;
}

/** What went wrong last, kept in the run's memo so lists and the Live Events view can show it without the history. */
export interface LastError {
  type: string;
  message: string;
  httpStatus?: number;
  attempt: number;
}

export type FilterReason =
  'consent_denied' | 'unsupported_event_type' | 'integration_disabled' | 'integration_deleted' | 'event_too_old';

/** How an ordered delivery ended, as the order book keeps it (src/store/order-book.ts). */
export type OrderOutcome = 'delivered' | 'failed' | 'filtered' | 'refused' | 'cancelled';

/**
 * How long an ordered delivery waited for an earlier one of its person (issue 16), and whether it went ahead of it
 * at last (order_wait_minutes ran out; never past a deletion).
 */
export interface OrderWaitRecord {
  waitedMs: number;
  /** The workflow id of the earlier delivery it waited for last. */
  waitedFor: string;
  overtook?: boolean;
}

/** A late delivery: the event's age in hours when Customer.io accepted it, and the window it missed (72 h). */
export interface LateRecord {
  ageHours: number;
  thresholdHours: number;
}

/** `operation` names the Customer.io action the event mapped to (src/customerio/actions). */
export type DeliveryResult =
  | {
      status: 'delivered';
      operation: string;
      /** Who the request addressed: a person's id or email, an anonymous id, or an object. */
      customerId: string;
      /** 0 when the answer was not this run's to see (`detail` says why). */
      httpStatus: number;
      attempts: number;
      detail?: string;
      orderWait?: OrderWaitRecord;
      /** Delivered after Customer.io's 72-hour campaign window had passed for its event (it starts no campaign). */
      late?: LateRecord;
    }
  | {
      status: 'filtered';
      reason: FilterReason;
      detail?: string;
      operation?: string;
      customerId?: string;
      httpStatus?: number;
      attempts: number;
      orderWait?: OrderWaitRecord;
    };

/** The delivery workflow's signature, as a client starts it (by name, without importing workflow code). */
export type DeliverEventWorkflow = (input: DeliverEventInput) => Promise<DeliveryResult>;
