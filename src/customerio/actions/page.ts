import { EVENT_LIMITS, eventBody, pageName, unnamed } from './event-body';
import { type Action, customerPath } from './types';

/**
 * page → POST /api/v1/customers/{id}/events with type "page": data.url is the page's URL, and so is the name unless
 * the URL is over 100 bytes (then its path: see pageName).
 */
export const page: Action = {
  operation: 'page',
  addresses: 'person',
  appliesTo: ({ event }) => event.type === 'page',
  refuse: ({ event }) => unnamed(event),
  // pageName keeps the name within 100 bytes; runs started before it did send the whole URL, and still may.
  limits: { ...EVENT_LIMITS, limitName: false },
  eventName: (event) => pageName(event) ?? event.name,
  build: (ctx) => ({
    operation: 'page',
    method: 'POST',
    path: customerPath(ctx.customerId, '/events'),
    body: eventBody(ctx),
  }),
};
