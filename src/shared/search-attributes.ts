import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/**
 * Custom search attributes of a delivery run: what operators filter on in the Temporal UI and the CLI.
 * Values are plaintext on the server (never encrypted), so nothing secret may go here.
 */
export const IntegrationIdKey = defineSearchAttributeKey('IntegrationId', SearchAttributeType.KEYWORD);
export const EventTypeKey = defineSearchAttributeKey('EventType', SearchAttributeType.KEYWORD);
export const EventNameKey = defineSearchAttributeKey('EventName', SearchAttributeType.KEYWORD);
export const CustomerIdKey = defineSearchAttributeKey('CustomerId', SearchAttributeType.KEYWORD);
export const MessageIdKey = defineSearchAttributeKey('MessageId', SearchAttributeType.KEYWORD);
export const DeliveryStatusKey = defineSearchAttributeKey('DeliveryStatus', SearchAttributeType.KEYWORD);
export const HttpStatusKey = defineSearchAttributeKey('HttpStatus', SearchAttributeType.INT);
export const AttemptsKey = defineSearchAttributeKey('Attempts', SearchAttributeType.INT);
/** On a replay run: the workflow id of the delivery it repeats. */
export const ReplayOfKey = defineSearchAttributeKey('ReplayOf', SearchAttributeType.KEYWORD);

export const DELIVERY_SEARCH_ATTRIBUTES = [
  IntegrationIdKey,
  EventTypeKey,
  EventNameKey,
  CustomerIdKey,
  MessageIdKey,
  DeliveryStatusKey,
  HttpStatusKey,
  AttemptsKey,
  ReplayOfKey,
] as const;
