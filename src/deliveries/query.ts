import type { defineSearchAttributeKey } from '@temporalio/common';
import { hashPiiValue } from '../customerio/pii';
import { DELIVERY_WORKFLOW_TYPES } from '../shared/names';
import {
  CustomerIdKey,
  DeliveryStatusKey,
  EventNameKey,
  EventTypeKey,
  IntegrationIdKey,
  LateEventAgeHoursKey,
  MessageIdKey,
  ReplayOfKey,
} from '../shared/search-attributes';

/** What deliveries can be filtered by: each maps to a search attribute or a visibility column. */
export interface DeliveryFilter {
  integrationId?: string;
  status?: string;
  eventType?: string;
  eventName?: string;
  customerId?: string;
  messageId?: string;
  /** ISO 8601; on the run's start time. */
  since?: string;
  until?: string;
  /** Only replays of this delivery (workflow id). */
  replayOf?: string;
  /** true: only original deliveries; false: only replays. */
  originalsOnly?: boolean;
  running?: boolean;
  /** true: only late deliveries (LateEventAgeHours set); false: only the others. */
  late?: boolean;
  /** ISO 8601; runs closed at or after this time (the live feed's changes). */
  closedSince?: string;
}

/** A string literal for Temporal's visibility query language. */
function literal(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/** The one place delivery filters become a visibility query (the same text works with `temporal workflow list -q`). */
export function deliveryQuery(filter: DeliveryFilter = {}): string {
  const clauses = [`WorkflowType IN (${DELIVERY_WORKFLOW_TYPES.map(literal).join(', ')})`];
  const eq = (key: ReturnType<typeof defineSearchAttributeKey<'KEYWORD'>>, value: string | undefined) => {
    if (value !== undefined && value !== '') clauses.push(`${key.name} = ${literal(value)}`);
  };
  eq(IntegrationIdKey, filter.integrationId);
  eq(DeliveryStatusKey, filter.status);
  eq(EventTypeKey, filter.eventType);
  eq(EventNameKey, filter.eventName);
  // With hash_pii the label holds a hash of the id: a search by the id itself finds either.
  if (filter.customerId) {
    clauses.push(
      `${CustomerIdKey.name} IN (${literal(filter.customerId)}, ${literal(hashPiiValue(filter.customerId))})`,
    );
  }
  eq(MessageIdKey, filter.messageId);
  eq(ReplayOfKey, filter.replayOf);
  if (filter.since) clauses.push(`StartTime >= ${literal(filter.since)}`);
  if (filter.until) clauses.push(`StartTime < ${literal(filter.until)}`);
  if (filter.originalsOnly === true) clauses.push(`${ReplayOfKey.name} IS NULL`);
  if (filter.originalsOnly === false) clauses.push(`${ReplayOfKey.name} IS NOT NULL`);
  if (filter.late === true) clauses.push(`${LateEventAgeHoursKey.name} IS NOT NULL`);
  if (filter.late === false) clauses.push(`${LateEventAgeHoursKey.name} IS NULL`);
  if (filter.running === true) clauses.push(`ExecutionStatus = 'Running'`);
  if (filter.running === false) clauses.push(`ExecutionStatus != 'Running'`);
  if (filter.closedSince) clauses.push(`CloseTime >= ${literal(filter.closedSince)}`);
  return clauses.join(' AND ');
}
