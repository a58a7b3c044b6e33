import type { SignalEvent } from '../../shared/event';
import { toUnixSeconds } from '../timestamps';
import { customerPath, type MappingContext, type TrackApiRequest } from './types';

/** track → POST /api/v1/customers/{id}/events: a custom event that can trigger campaigns. */
export function trackRequest(event: SignalEvent, ctx: MappingContext): TrackApiRequest {
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
}
