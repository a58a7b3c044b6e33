import type { DeliverEventInput } from '../shared/delivery';
import type { Action } from './actions/types';
import { deletedObject } from './actions/object-delete';
import { groupAction, groupObjectType } from './actions/group/request';

/**
 * The key a delivery is ordered under (issue 16): Customer.io keeps its data per person, so each person's events must
 * land in the order Signal handed them over. One key per integration and person:
 * - `person:<customer id>`: the id (or email) the request addresses, as resolved at start (src/customerio/identifiers.ts);
 * - `anon:<anonymousId>`: an event from someone not identified yet. Anonymous events are not ordered against the
 *   person they are later merged into: the keys differ until an identify names both;
 * - `object:<type>:<id>`: a request about an object alone (an object deletion, a group event without a person).
 *   Relationships, and group events that relate a person, are keyed by the person: the request re-creates a deleted
 *   person, so it must respect their deletion;
 * - an alias (merge) is keyed by the person it merges into (userId); the person merged away (previousId) is not held.
 *
 * Barriers wait for every earlier event of their key and are never overtaken, and never overtake:
 * - delete_person: an earlier event landing after it would re-create the person (a privacy request undone);
 * - suppress_person / unsuppress_person: Customer.io ignores calls for a suppressed id, so an event crossing either
 *   one is silently lost or applied in the wrong state; they are rare, so holding them costs little;
 * - deleting an object (object_delete, or a group event with `traits.action: "delete"`): the same as a person's
 *   deletion, for the object.
 */
export interface OrderKey {
  key: string;
  barrier: boolean;
}

const PERSON_BARRIERS = new Set(['delete_person', 'suppress_person', 'unsuppress_person']);

/**
 * The order key of a settled delivery, or undefined when it is not ordered: nothing will be sent (filtered at start,
 * or no action applies), or it names no one (the run refuses it without a request).
 */
export function orderKeyOf(input: DeliverEventInput, action: Action | undefined): OrderKey | undefined {
  if (input.filter || !action) return undefined;
  const { event, customer, mapping } = input;
  const operation = action.operation;
  if (operation === 'object_delete') {
    const { typeId, objectId } = deletedObject(event, mapping);
    return objectId ? { key: `object:${typeId}:${objectId}`, barrier: true } : undefined;
  }
  const person = customer.ok
    ? `person:${customer.customerId}`
    : customer.anonymousId
      ? `anon:${customer.anonymousId}`
      : undefined;
  if (operation === 'merge') return event.userId ? { key: `person:${event.userId}`, barrier: false } : undefined;
  if (operation === 'object' || operation === 'relationship') {
    const barrier = groupAction(event) === 'delete';
    if (person) return { key: person, barrier };
    return event.groupId ? { key: `object:${groupObjectType(event, mapping)}:${event.groupId}`, barrier } : undefined;
  }
  if (!person) return undefined;
  return { key: person, barrier: PERSON_BARRIERS.has(operation) };
}
