import type { SignalEvent } from '../../shared/event';
import type { AdoptRevision } from '../plan-revisions';
import { toUnixSeconds } from '../timestamps';
import { type MappingContext, withDates } from './types';

/**
 * How one event-like call (custom event, page view, screen view) fills the body Customer.io files it under; each
 * action module exports its own, and the anonymous event takes the one of the event's type.
 */
export interface EventShape {
  /** Customer.io's `type` for the event (`page`, `screen`); none for a custom event. */
  type?: string;
  /** The name Customer.io files it under; `adopt` is the run's planning revisions (plan-revisions.ts). */
  name(event: SignalEvent, adopt?: AdoptRevision): string | undefined;
  /** Why the event cannot be named, given when `name` finds none. */
  unnamed: string;
  /** The event's data, before ISO dates are converted. */
  data(ctx: MappingContext): Record<string, unknown>;
}

/**
 * The body every event-like call shares, anonymous or not: Customer.io's name, type, the deterministic id, the time in
 * unix seconds, and the data.
 */
export function eventBody(ctx: MappingContext, shape: EventShape): Record<string, unknown> {
  return {
    name: shape.name(ctx.event, ctx.adopt),
    ...(shape.type === undefined ? {} : { type: shape.type }),
    id: ctx.eventId,
    timestamp: toUnixSeconds(ctx.eventTimeMs),
    data: withDates(shape.data(ctx), ctx),
  };
}

/** Why an event-like call cannot be named, or undefined. */
export function unnamed(event: SignalEvent, shape: EventShape): string | undefined {
  return shape.name(event) ? undefined : shape.unnamed;
}

export const EVENT_LIMITS = {
  kind: 'event',
  field: 'properties',
  data: (body: Record<string, unknown>) => body.data,
  name: (body: Record<string, unknown>) => body.name,
} as const;
