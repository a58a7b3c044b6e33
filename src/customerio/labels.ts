import type { SearchAttributePair } from '@temporalio/common';
import { type DeliverEventInput, type DeliveryStatus, startedBehind } from '../shared/delivery';
import {
  CustomerIdKey,
  DeliveryStatusKey,
  EventNameKey,
  EventTypeKey,
  IntegrationIdKey,
  keywordValue,
  MessageIdKey,
  ReplayOfKey,
} from '../shared/search-attributes';
import { actionFor } from './actions';
import type { Action } from './actions/types';
import { hashPiiValue } from './pii';

/**
 * What a delivery run is labelled with from its start, derived from its settled input and the action it maps to (the
 * start has both: settleDelivery): set by whoever starts the run, so the labels ride the start write instead of
 * costing an upsert.
 */
export function initialSearchAttributes(
  input: DeliverEventInput,
  action: Action | undefined = actionFor({ event: input.event, options: input.mapping, customer: input.customer }),
): SearchAttributePair[] {
  const { integrationId, event, customer } = input;
  const pairs: SearchAttributePair[] = [
    { key: IntegrationIdKey, value: integrationId },
    { key: EventTypeKey, value: event.type },
    {
      key: DeliveryStatusKey,
      value: (startedBehind(input.order) ? 'waiting_for_order' : 'pending') satisfies DeliveryStatus,
    },
    { key: MessageIdKey, value: keywordValue(event.messageId) },
  ];
  const name = action?.eventName?.(event);
  if (name) pairs.push({ key: EventNameKey, value: keywordValue(name) });
  if (customer.ok) {
    // Search attributes are plaintext on the server: with hash_pii the person is named by a hash there too.
    const id = input.hashPii ? hashPiiValue(customer.customerId) : customer.customerId;
    pairs.push({ key: CustomerIdKey, value: keywordValue(id) });
  }
  if (input.replayOf) pairs.push({ key: ReplayOfKey, value: input.replayOf.workflowId });
  return pairs;
}
