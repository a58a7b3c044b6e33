import type { SignalEvent } from '../../shared/event';

/** One Track API call, without host or credentials: those are resolved at send time from the integration. */
export interface TrackApiRequest {
  /** The action that built it (its registry name), recorded with the request in the history. */
  operation: string;
  method: 'PUT' | 'POST';
  /** Path below the region's base URL, identifiers already URL-encoded. */
  path: string;
  body: Record<string, unknown>;
}

/** What the generic plan settles for every action before it builds a request. */
export interface MappingContext {
  customerId: string;
  email?: string;
  eventTimeMs: number;
  /** Deterministic ULID (see event-id.ts). */
  eventId: string;
}

/**
 * Which Customer.io limits apply to the request an action builds, and how the event names the fields they measure
 * (so a refusal points at the field the sender must trim).
 */
export type ActionLimits =
  { kind: 'attributes'; field: (event: SignalEvent) => string } | { kind: 'event'; field: string; limitName: boolean };

/**
 * One Customer.io action: everything about it lives in its own module (when it applies, what it refuses, the request
 * it builds, the limits that request is held to), and the registry in plan.ts lists it once.
 */
export interface Action {
  /** Its name in results, histories and the README's mapping table. */
  operation: string;
  /** Whether this action sends the event; the first action in the registry that applies wins. */
  appliesTo(event: SignalEvent): boolean;
  /** Why this event cannot be sent (an InvalidEvent), or undefined when it can. */
  refuse?(event: SignalEvent): string | undefined;
  build(event: SignalEvent, ctx: MappingContext): TrackApiRequest;
  limits: ActionLimits;
  /** The name Customer.io files the event under, shown as the EventName label; none for people updates. */
  eventName?(event: SignalEvent): string | undefined;
}

export function customerPath(customerId: string, suffix = ''): string {
  return `/api/v1/customers/${encodeURIComponent(customerId)}${suffix}`;
}
