import type { Action } from '../types';
import { changesRelationship, GROUP_ACTION, missingGroupId } from './request';

/**
 * group with `traits.action: "add_relationships" | "delete_relationships"` → POST /api/v2/entity: relates the person
 * to the object, or ends that relationship, without changing the object itself.
 */
export const relationship: Action = {
  ...GROUP_ACTION,
  operation: 'relationship',
  appliesTo: ({ event }) => event.type === 'group' && changesRelationship(event),
  refuse: ({ event, customer }) =>
    missingGroupId(event) ??
    (customer.ok ? undefined : 'A relationship change needs the person it relates (a userId or email)'),
  addressee: (ctx) => (ctx.customer.ok ? ctx.customer.customerId : undefined),
};
