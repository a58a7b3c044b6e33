import type { SignalEvent } from '../../shared/event';
import { EVENT_LIMITS, type EventShape, eventBody, unnamed } from './event-body';
import { type Action, customerPath, record } from './types';

/** A screen's name: the screen call's `name`, else `properties.name`, else its `event`. */
function screenName(event: SignalEvent): string | undefined {
  const candidates = [event.name, event.properties?.name, event.event];
  return candidates.find((v): v is string => typeof v === 'string' && v.trim() !== '')?.trim();
}

/** A screen view's body: type "screen", named by the screen, its properties as data. */
export const screenView: EventShape = {
  type: 'screen',
  name: screenName,
  unnamed: 'A screen event needs a name (name, properties.name or event)',
  data: ({ event }) => record(event.properties),
};

/** screen → POST /api/v1/customers/{id}/events with type "screen": a mobile screen view, named by the screen. */
export const screen: Action = {
  operation: 'screen',
  addresses: 'person',
  appliesTo: ({ event }) => event.type === 'screen',
  refuse: ({ event }) => unnamed(event, screenView),
  limits: { ...EVENT_LIMITS, limitName: true },
  eventName: screenName,
  build: (ctx) => ({ method: 'POST', path: customerPath(ctx.customerId, '/events'), body: eventBody(ctx, screenView) }),
};
