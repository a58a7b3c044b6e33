import type { SignalEvent } from '../../shared/event';
import { isEmailShaped } from '../identifiers';
import { readTime, toUnixSeconds } from '../timestamps';
import { type Action, customerPath, type MappingContext, record, withDates } from './types';

/** Traits the mapping reads itself rather than forwarding as attributes. */
const MAPPED_TRAITS = new Set([
  'id',
  'userId',
  'anonymousId',
  'createdAt',
  'created_at',
  'object_type_id',
  'objectTypeId',
  'relationshipAttributes',
]);

const traitsOf = (event: SignalEvent) => record(event.traits ?? event.context?.traits);

/**
 * identify → PUT /api/v1/customers/{id}: create or update the person with the event's traits.
 * - `created_at` (or `createdAt`) becomes `created_at` in unix seconds; a value that is not a time is kept as sent
 *   under its own key, an empty one dropped, as the peers do.
 * - `anonymous_id`, whenever the event has one: Customer.io merges that anonymous profile (and its events) into this
 *   person, however the person is addressed.
 * - the `id` trait is forwarded when the person is addressed by `cio_…` id or email: that is how Customer.io sets or
 *   changes a person's id.
 * - `traits.objectId` relates the person to that object (`object_type_id` trait, else the integration's type).
 */
export const identify: Action = {
  operation: 'identify',
  addresses: 'person',
  appliesTo: ({ event }) => event.type === 'identify',
  limits: { kind: 'attributes', field: (event) => (event.traits ? 'traits' : 'context.traits'), from: (body) => body },
  build(ctx) {
    const traits = traitsOf(ctx.event);
    const attributes: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(traits)) {
      if (!MAPPED_TRAITS.has(key) && value !== undefined) attributes[key] = value;
    }
    const body: Record<string, unknown> = withDates(attributes, ctx);
    if (ctx.email) body.email = ctx.email;
    else if (isEmailShaped(ctx.customerId)) body.email = ctx.customerId;

    const createdKey = traits.created_at !== undefined ? 'created_at' : 'createdAt';
    const createdAt = traits[createdKey];
    if (createdAt !== undefined && createdAt !== null && createdAt !== '') {
      const ms = readTime(createdAt, ctx.adopt);
      if (ms === undefined) body[createdKey] = createdAt;
      else body.created_at = toUnixSeconds(ms);
    }
    if (traits.id !== undefined && addressedByEmailOrCioId(ctx)) body.id = traits.id;
    if (ctx.event.anonymousId) body.anonymous_id = ctx.event.anonymousId;
    const relationships = objectRelationship(traits, ctx);
    if (relationships) body.cio_relationships = relationships;
    // Orders attribute updates that land close together.
    body._timestamp = toUnixSeconds(ctx.eventTimeMs);
    return { method: 'PUT', path: customerPath(ctx.customerId), body };
  },
};

function addressedByEmailOrCioId(ctx: MappingContext): boolean {
  return ctx.customerId.startsWith('cio_') || isEmailShaped(ctx.customerId);
}

function objectRelationship(traits: Record<string, unknown>, ctx: MappingContext): Record<string, unknown> | undefined {
  const objectId = traits.objectId ?? traits.object_id;
  if ((typeof objectId !== 'string' || objectId.trim() === '') && typeof objectId !== 'number') return undefined;
  const typeId = traits.object_type_id ?? traits.objectTypeId ?? ctx.options.objectTypeId;
  const attributes = record(traits.relationshipAttributes);
  return {
    action: 'add_relationships',
    relationships: [
      {
        identifiers: { object_type_id: String(typeId), object_id: String(objectId) },
        ...(Object.keys(attributes).length > 0 ? { relationship_attributes: withDates(attributes, ctx) } : {}),
      },
    ],
  };
}
