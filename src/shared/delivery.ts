import type { DeliveryEvent } from './event';
import type { RetryPolicy } from './retry-policy';

/** Where a delivery run stands; mirrored into the DeliveryStatus search attribute. */
export type DeliveryStatus = 'pending' | 'retrying' | 'awaiting_credentials' | 'delivered' | 'failed' | 'filtered';

export const DELIVERY_STATUSES = [
  'pending',
  'retrying',
  'awaiting_credentials',
  'delivered',
  'failed',
  'filtered',
] as const satisfies readonly DeliveryStatus[];

/** Who a delivery addresses, resolved once from the event before the workflow starts. */
export type CustomerResolution =
  | { ok: true; customerId: string; source: string; email?: string }
  | { ok: false; reason: 'missing' | 'too_long' | 'invalid'; message: string };

/** The input of a delivery run: everything it needs, decided before it starts, so retries and replays agree. */
export interface DeliverEventInput {
  integrationId: string;
  event: DeliveryEvent;
  /** Absent in runs started before the customer was resolved at start; the workflow then resolves it itself. */
  customer?: CustomerResolution;
  /** The integration's schedule (retry window, wait for credentials) over the defaults. */
  retry?: Partial<RetryPolicy>;
  /** Set when the event must be recorded but not sent (consent denied, unsupported event type). */
  filter?: { reason: FilterReason; detail?: string };
  /** The integration hashes personal data wherever the audit views show it (search attributes, memo, records). */
  hashPii?: boolean;
  /** A replay: the delivery this run repeats (same event, so the same Customer.io event id). */
  replayOf?: { workflowId: string; runId?: string };
}

/** What went wrong last, kept in the run's memo so lists and the Live Events view can show it without the history. */
export interface LastError {
  type: string;
  message: string;
  httpStatus?: number;
  attempt: number;
}

export type FilterReason = 'consent_denied' | 'unsupported_event_type' | 'integration_disabled' | 'integration_deleted';

/** `operation` names the Customer.io action the event mapped to (src/customerio/actions). */
export type DeliveryResult =
  | {
      status: 'delivered';
      operation: string;
      customerId: string;
      httpStatus: number;
      attempts: number;
    }
  | {
      status: 'filtered';
      reason: FilterReason;
      detail?: string;
      operation?: string;
      customerId?: string;
      httpStatus?: number;
      attempts: number;
    };
