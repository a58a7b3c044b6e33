import { EVENT_LIMITS, eventBody, pageUrl, unnamed } from './event-body';
import { type Action, customerPath } from './types';

/** page → POST /api/v1/customers/{id}/events with type "page": name and data.url are the page's URL. */
export const page: Action = {
  operation: 'page',
  addresses: 'person',
  appliesTo: ({ event }) => event.type === 'page',
  refuse: ({ event }) => unnamed(event),
  // Page names are URLs: Customer.io's own web SDK sends them whole, so only custom event names are held to 100 bytes.
  limits: { ...EVENT_LIMITS, limitName: false },
  eventName: (event) => pageUrl(event) ?? event.name,
  build: (ctx) => ({
    operation: 'page',
    method: 'POST',
    path: customerPath(ctx.customerId, '/events'),
    body: eventBody(ctx),
  }),
};
