/** The Signal event as every layer sees it once the event schema (event-schema.ts) has validated and normalised it. */

export const EVENT_TYPES = ['page', 'screen', 'track', 'identify', 'group', 'alias'] as const;
type EventType = (typeof EVENT_TYPES)[number];

interface EventContext {
  page?: { url?: string; title?: string; referrer?: string; path?: string; search?: string; [k: string]: unknown };
  traits?: Record<string, unknown>;
  consent?: Record<string, unknown>;
  ip?: string;
  userAgent?: string;
  /** A mobile device; `token` is its push token. */
  device?: { token?: string; type?: string; manufacturer?: string; id?: string; [k: string]: unknown };
  /** Identifiers from other systems (reverse ETL): `[{id, type, collection, encoding}]`. */
  externalId?: { id?: unknown; type?: string; [k: string]: unknown }[];
  [k: string]: unknown;
}

/** A validated, normalised event. */
export interface SignalEvent {
  type: EventType;
  event?: string;
  name?: string;
  properties?: Record<string, unknown>;
  traits?: Record<string, unknown>;
  userId?: string;
  anonymousId?: string;
  /** alias: the id the person had before `userId`. */
  previousId?: string;
  groupId?: string;
  email?: string;
  context?: EventContext;
  /** As sent (ISO 8601 or unix); the Customer.io mapping normalises it. */
  timestamp?: string | number;
  messageId?: string;
}

/**
 * An event as a delivery carries it: the decisions that must not change between its retries and replays (its
 * dedupe key, its time) are made before the workflow starts.
 */
export type DeliveryEvent = SignalEvent & { messageId: string; timestamp: string | number };
