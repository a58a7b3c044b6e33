import { toUnixSeconds } from '../timestamps';
import { type Action, customerPath } from './types';

/** track → POST /api/v1/customers/{id}/events: a custom event that can trigger campaigns. */
export const track: Action = {
  operation: 'track',
  appliesTo: (event) => event.type === 'track',
  refuse: (event) => (event.event?.trim() ? undefined : 'A track event needs an event name'),
  limits: { kind: 'event', field: 'properties', limitName: true },
  eventName: (event) => event.event?.trim() || undefined,
  build(event, ctx) {
    return {
      operation: 'track',
      method: 'POST',
      path: customerPath(ctx.customerId, '/events'),
      body: {
        name: (event.event ?? '').trim(),
        id: ctx.eventId,
        timestamp: toUnixSeconds(ctx.eventTimeMs),
        data: event.properties ?? {},
      },
    };
  },
};
