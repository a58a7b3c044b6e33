import { DELIVER_EVENT_WORKFLOW } from '../shared/names';

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
  /** For the live feed: runs started or closed at/after this time, or still running and started after `recentSince`. */
  changedSince?: { since: string; recentSince: string };
}

/** A string literal for Temporal's visibility query language. */
export function literal(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/** The one place delivery filters become a visibility query (the same text works with `temporal workflow list -q`). */
export function deliveryQuery(filter: DeliveryFilter = {}): string {
  const clauses = [`WorkflowType = ${literal(DELIVER_EVENT_WORKFLOW)}`];
  const eq = (attribute: string, value: string | undefined) => {
    if (value !== undefined && value !== '') clauses.push(`${attribute} = ${literal(value)}`);
  };
  eq('IntegrationId', filter.integrationId);
  eq('DeliveryStatus', filter.status);
  eq('EventType', filter.eventType);
  eq('EventName', filter.eventName);
  eq('CustomerId', filter.customerId);
  eq('MessageId', filter.messageId);
  eq('ReplayOf', filter.replayOf);
  if (filter.since) clauses.push(`StartTime >= ${literal(filter.since)}`);
  if (filter.until) clauses.push(`StartTime < ${literal(filter.until)}`);
  if (filter.originalsOnly === true) clauses.push('ReplayOf IS NULL');
  if (filter.originalsOnly === false) clauses.push('ReplayOf IS NOT NULL');
  if (filter.running === true) clauses.push(`ExecutionStatus = 'Running'`);
  if (filter.running === false) clauses.push(`ExecutionStatus != 'Running'`);
  if (filter.changedSince) {
    const { since, recentSince } = filter.changedSince;
    clauses.push(`(StartTime >= ${literal(since)} OR CloseTime >= ${literal(since)} OR (ExecutionStatus = 'Running' AND StartTime >= ${literal(recentSince)}))`);
  }
  return clauses.join(' AND ');
}
