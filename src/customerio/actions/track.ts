import { EVENT_LIMITS, eventBody, unnamed } from './event-body';
import { type Action, customerPath } from './types';

/** track → POST /api/v1/customers/{id}/events: a custom event that can trigger campaigns. */
export const track: Action = {
  operation: 'track',
  addresses: 'person',
  appliesTo: ({ event }) => event.type === 'track',
  refuse: ({ event }) => unnamed(event),
  limits: { ...EVENT_LIMITS, limitName: true },
  eventName: (event) => event.event?.trim() || undefined,
  build: (ctx) => ({
    operation: 'track',
    method: 'POST',
    path: customerPath(ctx.customerId, '/events'),
    body: eventBody(ctx),
  }),
};
