import { EVENT_LIMITS, type EventShape, eventBody, unnamed } from './event-body';
import { type Action, customerPath, customEventName, record } from './types';

/** A custom event's body: named by its `event`, its properties as data. */
export const customEvent: EventShape = {
  name: customEventName,
  unnamed: 'A track event needs an event name',
  data: ({ event }) => record(event.properties),
};

/** track → POST /api/v1/customers/{id}/events: a custom event that can trigger campaigns. */
export const track: Action = {
  operation: 'track',
  addresses: 'person',
  appliesTo: ({ event }) => event.type === 'track',
  refuse: ({ event }) => unnamed(event, customEvent),
  limits: { ...EVENT_LIMITS, limitName: true },
  eventName: customEventName,
  build: (ctx) => ({
    method: 'POST',
    path: customerPath(ctx.customerId, '/events'),
    body: eventBody(ctx, customEvent),
  }),
};
