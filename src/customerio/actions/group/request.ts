import type { MappingOptions } from '../../../shared/delivery';
import type { SignalEvent } from '../../../shared/event';
import { personIdentifiers } from '../../identifiers';
import type { TrackApiCall } from '../../exchange';
import { type Action, type MappingContext, record, withDates } from '../types';

/** Customer.io's limit on one v2 entity request. */
export const ENTITY_MAX_BYTES = 32_000;

/** Traits that say how to file the object, not what it is. */
const OBJECT_SETTINGS = new Set([
  'object_type_id',
  'objectTypeId',
  'action',
  'objectAttributes',
  'relationshipAttributes',
]);

const RELATIONSHIP_ACTIONS = new Set(['add_relationships', 'delete_relationships']);

/** What a group event asks of its object: RudderStack's `traits.action` convention, else create or update it. */
export function groupAction(event: SignalEvent): string {
  const action = record(event.traits).action;
  return action === 'delete' || (typeof action === 'string' && RELATIONSHIP_ACTIONS.has(action)) ? action : 'identify';
}

/** The object type a group event files its object under: the `object_type_id` trait, else the integration's. */
export function groupObjectType(event: SignalEvent, options: MappingOptions): string {
  const traits = record(event.traits);
  return String(traits.object_type_id ?? traits.objectTypeId ?? options.objectTypeId);
}

/** Whether a group event relates the person to its object, or ends that, rather than changing the object. */
export function changesRelationship(event: SignalEvent): boolean {
  return RELATIONSHIP_ACTIONS.has(groupAction(event));
}

/** Why a group event cannot name its object, or undefined. */
export function missingGroupId(event: SignalEvent): string | undefined {
  return event.groupId ? undefined : 'A group event needs a groupId: it names the Customer.io object';
}

/** The EventName label of a group event. */
function groupEventName(event: SignalEvent): string | undefined {
  return event.groupId ? `group ${event.groupId}` : undefined;
}

/**
 * The v2 entity request every group action sends: the object (its type: the `object_type_id` trait, else the
 * integration's `object_type_id`), its attributes (`traits.objectAttributes`, else the traits), and the person the
 * event is from, related to it (`traits.relationshipAttributes` on the relationship). Without a known person but with
 * an anonymousId, the object is identified anonymously and related to that anonymous profile.
 */
function objectRequest(ctx: MappingContext, action: string): TrackApiCall {
  const traits = record(ctx.event.traits);
  const attributes = record(traits.objectAttributes);
  const fromTraits =
    Object.keys(attributes).length > 0
      ? attributes
      : Object.fromEntries(Object.entries(traits).filter(([k]) => !OBJECT_SETTINGS.has(k)));
  const typeId = groupObjectType(ctx.event, ctx.options);
  const who = related(ctx);
  const relationshipAttributes = record(traits.relationshipAttributes);
  const relationship = who && {
    identifiers: who,
    ...(Object.keys(relationshipAttributes).length > 0
      ? { relationship_attributes: withDates(relationshipAttributes, ctx) }
      : {}),
  };
  const anonymous = action === 'identify' && who && 'anonymous_id' in who;
  return {
    method: 'POST',
    path: '/api/v2/entity',
    body: {
      type: 'object',
      action: anonymous ? 'identify_anonymous' : action,
      identifiers: { object_type_id: String(typeId), object_id: String(ctx.event.groupId) },
      ...(Object.keys(fromTraits).length > 0 ? { attributes: withDates(fromTraits, ctx) } : {}),
      ...(relationship ? { cio_relationships: [relationship] } : {}),
    },
  };
}

function related(ctx: MappingContext): Record<string, string> | undefined {
  if (ctx.customer.ok) return personIdentifiers(ctx.customer.customerId);
  return ctx.customer.anonymousId ? { anonymous_id: ctx.customer.anonymousId } : undefined;
}

const GROUP_LIMITS = {
  kind: 'attributes',
  field: () => 'traits',
  from: (body: Record<string, unknown>) => record(body.attributes),
  maxRequestBytes: ENTITY_MAX_BYTES,
} as const;

/** What the group actions share: they find whom they address, are named by their object, send the entity request. */
export const GROUP_ACTION: Pick<Action, 'addresses' | 'limits' | 'eventName' | 'build'> = {
  addresses: 'own',
  limits: GROUP_LIMITS,
  eventName: groupEventName,
  build: (ctx) => objectRequest(ctx, groupAction(ctx.event)),
};
