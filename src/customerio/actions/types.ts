import type { CustomerResolution, MappingOptions } from '../../shared/delivery';
import type { SignalEvent } from '../../shared/event';
import type { TrackApiCall } from '../exchange';
import type { AdoptRevision } from '../plan-revisions';
import { convertIsoDates } from '../timestamps';

/** What an action knows when it decides whether it applies: the event and the integration's mapping settings. */
export interface ActionScope {
  event: SignalEvent;
  options: MappingOptions;
  /** Who the event addresses, settled when the delivery started. */
  customer: CustomerResolution;
}

/** What the generic plan settles for every action before it builds a request. */
export interface MappingContext extends ActionScope {
  /** The person addressed; set when the action addresses a person (`addresses: 'person'`). */
  customerId: string;
  email?: string;
  eventTimeMs: number;
  /** Deterministic ULID (see event-id.ts). */
  eventId: string;
  /** Which planning revisions this run takes (plan-revisions.ts): all, unless the run started before one. */
  adopt: AdoptRevision;
}

/**
 * Which Customer.io limits apply to the request an action builds, and how the event names the fields they measure
 * (so a refusal points at the field the sender must trim).
 */
export type ActionLimits =
  | {
      kind: 'attributes';
      field: (event: SignalEvent) => string;
      from: (body: Record<string, unknown>) => Record<string, unknown>;
      /** The whole request's limit, for v2 calls (32 KB an entity). */
      maxRequestBytes?: number;
    }
  | {
      kind: 'event';
      field: string;
      limitName: boolean;
      data: (body: Record<string, unknown>) => unknown;
      name: (body: Record<string, unknown>) => unknown;
    }
  | { kind: 'none' };

/**
 * One Customer.io action: everything about it lives in its own module (when it applies, whom it addresses, what it
 * refuses, the request it builds, the limits that request is held to), and the registry in index.ts lists it once.
 */
export interface Action {
  /** Its name in results, histories and the README's mapping table. */
  operation: string;
  /** Whether this action sends the event; the first action in the registry that applies wins. */
  appliesTo(scope: ActionScope): boolean;
  /**
   * `person`: the request names the customer settled at start; without one the delivery fails as
   * MissingCustomerIdentifier. `own`: the action finds whom it addresses itself (objects, merges, anonymous events).
   */
  addresses: 'person' | 'own';
  /** Why this event cannot be sent (an InvalidEvent), or undefined when it can. */
  refuse?(ctx: MappingContext): string | undefined;
  /** The call it sends; the plan stamps it with `operation`. */
  build(ctx: MappingContext): TrackApiCall;
  limits: ActionLimits;
  /** The name Customer.io files the event under, shown as the EventName label; none for people updates. */
  eventName?(event: SignalEvent): string | undefined;
  /** Who the request addresses, for results and labels, when the action finds it itself. */
  addressee?(ctx: MappingContext): string | undefined;
}

export function customerPath(customerId: string, suffix = ''): string {
  return `/api/v1/customers/${encodeURIComponent(customerId)}${suffix}`;
}

/** Attributes or event data as the integration wants them: ISO dates as unix seconds unless `convert_timestamps` is off. */
export function withDates<T>(value: T, ctx: Pick<MappingContext, 'options' | 'adopt'>): T {
  return ctx.options.convertTimestamps ? convertIsoDates(value, ctx.adopt) : value;
}

/** Whether a track event's name is one of `names` (as configured; Segment's presets compare exactly). */
export function named(event: SignalEvent, names: readonly string[]): boolean {
  return event.type === 'track' && typeof event.event === 'string' && names.includes(event.event.trim());
}

/** A custom event's name (`event`, trimmed), or undefined when it has none. */
export function customEventName(event: SignalEvent): string | undefined {
  return event.event?.trim() || undefined;
}

/** A plain object, or nothing: properties and traits that are something else are not data. */
export function record(value: unknown): Record<string, unknown> {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}
