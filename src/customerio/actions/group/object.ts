import type { Action } from '../types';
import { changesRelationship, GROUP_ACTION, missingGroupId } from './request';

/**
 * group → POST /api/v2/entity: creates or updates the Customer.io object named by `groupId` (or deletes it, with
 * `traits.action: "delete"`), related to the person the event is from.
 */
export const object: Action = {
  ...GROUP_ACTION,
  operation: 'object',
  appliesTo: ({ event }) => event.type === 'group' && !changesRelationship(event),
  refuse: ({ event }) => missingGroupId(event),
  addressee: (ctx) => (ctx.customer.ok ? ctx.customer.customerId : `object ${ctx.event.groupId}`),
};
