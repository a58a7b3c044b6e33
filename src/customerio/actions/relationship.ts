import { GROUP_LIMITS, groupAction, objectRequest } from './object';
import type { Action } from './types';

/**
 * group with `traits.action: "add_relationships" | "delete_relationships"` → POST /api/v2/entity: relates the person
 * to the object, or ends that relationship, without changing the object itself.
 */
export const relationship: Action = {
  operation: 'relationship',
  addresses: 'own',
  appliesTo: ({ event }) =>
    event.type === 'group' && groupAction(event) !== 'identify' && groupAction(event) !== 'delete',
  refuse(ctx) {
    if (!ctx.event.groupId) return 'A group event needs a groupId: it names the Customer.io object';
    return ctx.customer.ok ? undefined : 'A relationship change needs the person it relates (a userId or email)';
  },
  limits: GROUP_LIMITS,
  eventName: (event) => (event.groupId ? `group ${event.groupId}` : undefined),
  addressee: (ctx) => (ctx.customer.ok ? ctx.customer.customerId : undefined),
  build: (ctx) => objectRequest(ctx, 'relationship', groupAction(ctx.event)),
};
