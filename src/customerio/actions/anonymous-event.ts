import { EVENT_LIMITS, eventBody, pageUrl, screenName, unnamed } from './event-body';
import type { Action } from './types';

const EVENT_LIKE = new Set(['track', 'page', 'screen']);

/**
 * An event, page or screen view from someone not identified yet (`anonymous_events` on) → POST /api/v1/events with
 * `anonymous_id`: Customer.io keeps it and merges it into the person identified later with the same anonymous_id.
 */
export const anonymousEvent: Action = {
  operation: 'anonymous_event',
  addresses: 'own',
  appliesTo: ({ event, options, customer }) =>
    options.anonymousEvents &&
    EVENT_LIKE.has(event.type) &&
    !customer.ok &&
    customer.reason === 'missing' &&
    Boolean(customer.anonymousId),
  refuse: ({ event }) => unnamed(event),
  limits: { ...EVENT_LIMITS, limitName: true },
  eventName: (event) =>
    event.type === 'page' ? pageUrl(event) : event.type === 'screen' ? screenName(event) : event.event?.trim(),
  addressee: ({ customer }) => customer.anonymousId,
  build: (ctx) => ({
    operation: 'anonymous_event',
    method: 'POST',
    path: '/api/v1/events',
    body: { ...eventBody(ctx), anonymous_id: ctx.customer.anonymousId },
  }),
};
