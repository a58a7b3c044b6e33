import type { SignalEvent } from '../../shared/event';
import { parseEventTime } from '../../shared/event-time';
import { toUnixSeconds } from '../timestamps';
import { type Action, customerPath } from './types';

/** Keys the mapping sets itself; a trait of the same name is not forwarded as an attribute. */
const MAPPED_TRAITS = new Set(['id', 'createdAt', 'created_at']);

const traitsOf = (event: SignalEvent) => event.traits ?? event.context?.traits ?? {};

/** identify → PUT /api/v1/customers/{id}: create or update the person with the event's traits. */
export const identify: Action = {
  operation: 'identify',
  appliesTo: (event) => event.type === 'identify',
  limits: { kind: 'attributes', field: (event) => (event.traits ? 'traits' : 'context.traits') },
  build(event, ctx) {
    const traits = traitsOf(event);
    const body: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(traits)) {
      if (!MAPPED_TRAITS.has(key) && value !== undefined) body[key] = value;
    }
    if (ctx.email) body.email = ctx.email;

    const createdAt = traits.createdAt ?? traits.created_at;
    const createdAtMs = parseEventTime(createdAt);
    if (createdAtMs !== undefined) body.created_at = toUnixSeconds(createdAtMs);
    else if (createdAt !== undefined) body.createdAt = createdAt; // not a time: keep it visible rather than drop it

    // Customer.io merges the anonymous profile (and its events) into this person.
    if (event.userId && event.anonymousId) body.anonymous_id = event.anonymousId;
    // Orders attribute updates that land close together.
    body._timestamp = toUnixSeconds(ctx.eventTimeMs);

    return { operation: 'identify', method: 'PUT', path: customerPath(ctx.customerId), body };
  },
};
