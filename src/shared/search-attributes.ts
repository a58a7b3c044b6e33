import { defineSearchAttributeKey, type SearchAttributePair, SearchAttributeType } from '@temporalio/common';
import { resolveCustomerId } from '../customerio/identifiers';
import { pageUrl } from '../customerio/requests/page';
import type { DeliveryStatus } from './delivery';
import type { SignalEvent } from './event';

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

/** The CLI spelling of each type, as `temporal server start-dev --search-attribute Name=Type` wants it. */
export function searchAttributeCliFlags(): string[] {
  const cliType: Record<string, string> = {
    [SearchAttributeType.KEYWORD]: 'Keyword',
    [SearchAttributeType.INT]: 'Int',
    [SearchAttributeType.TEXT]: 'Text',
    [SearchAttributeType.BOOL]: 'Bool',
    [SearchAttributeType.DOUBLE]: 'Double',
    [SearchAttributeType.DATETIME]: 'Datetime',
    [SearchAttributeType.KEYWORD_LIST]: 'KeywordList',
  };
  return DELIVERY_SEARCH_ATTRIBUTES.flatMap((key) => ['--search-attribute', `${key.name}=${cliType[key.type]}`]);
}

/** What a delivery run is labelled with from the start; set by the client at start, or by the workflow itself. */
export function initialSearchAttributes(integrationId: string, event: SignalEvent): SearchAttributePair[] {
  const pairs: SearchAttributePair[] = [
    { key: IntegrationIdKey, value: integrationId },
    { key: EventTypeKey, value: event.type },
    { key: DeliveryStatusKey, value: 'pending' satisfies DeliveryStatus },
  ];
  if (event.messageId) pairs.push({ key: MessageIdKey, value: keyword(event.messageId) });
  const name = eventNameOf(event);
  if (name) pairs.push({ key: EventNameKey, value: keyword(name) });
  const who = resolveCustomerId(event);
  if (who.ok) pairs.push({ key: CustomerIdKey, value: keyword(who.customerId) });
  return pairs;
}

/** The name Customer.io files the event under: the custom event name, or the page URL. */
export function eventNameOf(event: SignalEvent): string | undefined {
  if (event.type === 'track') return event.event?.trim() || undefined;
  if (event.type === 'page') return pageUrl(event) ?? event.name;
  return undefined;
}

const MAX_KEYWORD_LENGTH = 255;

function keyword(value: string): string {
  return value.length > MAX_KEYWORD_LENGTH ? value.slice(0, MAX_KEYWORD_LENGTH) : value;
}
