import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import { toWellFormed } from './json-shape';

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
/**
 * On a late delivery only (delivered after Customer.io's 72-hour campaign window, src/customerio/late-events.ts): its
 * event's age in hours when Customer.io accepted it. `LateEventAgeHours IS NOT NULL` lists the late ones.
 */
export const LateEventAgeHoursKey = defineSearchAttributeKey('LateEventAgeHours', SearchAttributeType.DOUBLE);

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
  LateEventAgeHoursKey,
] as const;

/** Custom keywords are VARCHAR(255) columns in Temporal's SQL visibility stores. */
const MAX_KEYWORD_LENGTH = 255;

/**
 * Text from an event as a Keyword search attribute every visibility store can hold: without NUL (PostgreSQL stores
 * search attributes as jsonb, which refuses it: the run would start but never be listed), well-formed Unicode (a lone
 * surrogate is no UTF-8), at most 255 characters, never ending in half a surrogate pair.
 */
export function keywordValue(text: string): string {
  const clean = toWellFormed(text.replaceAll('\u0000', ''));
  if (clean.length <= MAX_KEYWORD_LENGTH) return clean;
  const cut = clean.slice(0, MAX_KEYWORD_LENGTH);
  return /[\uD800-\uDBFF]$/.test(cut) ? cut.slice(0, -1) : cut;
}
