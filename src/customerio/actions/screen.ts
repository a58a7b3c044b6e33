import { EVENT_LIMITS, eventBody, screenName, unnamed } from './event-body';
import { type Action, customerPath } from './types';

/** screen → POST /api/v1/customers/{id}/events with type "screen": a mobile screen view, named by the screen. */
export const screen: Action = {
  operation: 'screen',
  addresses: 'person',
  appliesTo: ({ event }) => event.type === 'screen',
  refuse: ({ event }) => unnamed(event),
  limits: { ...EVENT_LIMITS, limitName: true },
  eventName: screenName,
  build: (ctx) => ({
    operation: 'screen',
    method: 'POST',
    path: customerPath(ctx.customerId, '/events'),
    body: eventBody(ctx),
  }),
};
