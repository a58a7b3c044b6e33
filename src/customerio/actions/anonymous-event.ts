import { EVENT_LIMITS, eventBody, pageName, screenName, unnamed } from './event-body';
import type { Action, ActionScope } from './types';

/** Whether the integration sends this event as an anonymous event: no person, an anonymousId, anonymous_events on. */
export function sentAnonymously({ options, customer }: Omit<ActionScope, 'event'>): boolean {
  return options.anonymousEvents && !customer.ok && customer.reason === 'missing' && Boolean(customer.anonymousId);
}

const EVENT_LIKE = new Set(['track', 'page', 'screen']);

/**
 * An event, page or screen view from someone not identified yet (`anonymous_events` on) → POST /api/v1/events with
 * `anonymous_id`: Customer.io keeps it and merges it into the person identified later with the same anonymous_id.
 */
export const anonymousEvent: Action = {
  operation: 'anonymous_event',
  addresses: 'own',
  appliesTo: (scope) => EVENT_LIKE.has(scope.event.type) && sentAnonymously(scope),
  refuse: ({ event }) => unnamed(event),
  limits: { ...EVENT_LIMITS, limitName: true },
  eventName: (event) =>
    event.type === 'page' ? pageName(event) : event.type === 'screen' ? screenName(event) : event.event?.trim(),
  addressee: ({ customer }) => customer.anonymousId,
  build: (ctx) => ({
    operation: 'anonymous_event',
    method: 'POST',
    path: '/api/v1/events',
    body: { ...eventBody(ctx), anonymous_id: ctx.customer.anonymousId },
  }),
};
