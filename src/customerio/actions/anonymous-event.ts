import type { SignalEvent } from '../../shared/event';
import { EVENT_LIMITS, type EventShape, eventBody, unnamed } from './event-body';
import { pageView } from './page';
import { screenView } from './screen';
import { customEvent } from './track';
import type { Action, ActionScope } from './types';

/** Whether the integration sends this event as an anonymous event: no person, an anonymousId, anonymous_events on. */
export function sentAnonymously({ options, customer }: Omit<ActionScope, 'event'>): boolean {
  return options.anonymousEvents && !customer.ok && customer.reason === 'missing' && Boolean(customer.anonymousId);
}

/** The event types sent as anonymous events, each with the body its own action sends. */
const SHAPES = new Map<string, EventShape>([
  ['track', customEvent],
  ['page', pageView],
  ['screen', screenView],
]);

const shapeOf = (event: SignalEvent): EventShape => SHAPES.get(event.type)!;

/**
 * An event, page or screen view from someone not identified yet (`anonymous_events` on) → POST /api/v1/events with
 * `anonymous_id`: Customer.io keeps it and merges it into the person identified later with the same anonymous_id.
 */
export const anonymousEvent: Action = {
  operation: 'anonymous_event',
  addresses: 'own',
  appliesTo: (scope) => SHAPES.has(scope.event.type) && sentAnonymously(scope),
  refuse: ({ event }) => unnamed(event, shapeOf(event)),
  limits: { ...EVENT_LIMITS, limitName: true },
  eventName: (event) => shapeOf(event).name(event),
  addressee: ({ customer }) => customer.anonymousId,
  build: (ctx) => ({
    method: 'POST',
    path: '/api/v1/events',
    body: { ...eventBody(ctx, shapeOf(ctx.event)), anonymous_id: ctx.customer.anonymousId },
  }),
};
