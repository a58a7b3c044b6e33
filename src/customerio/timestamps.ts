import { parseEventTime, parseIsoDateTime } from '../shared/event-time';
import { ADOPT_ALL, type AdoptRevision, PLAN_REVISIONS, revised } from './plan-revisions';

/** Customer.io wants integer unix seconds: milliseconds or ISO strings silently break its segments. */
export function toUnixSeconds(ms: number): number {
  return Math.floor(ms / 1000);
}

/** An event or trait time as this run reads it: the calendar reading, unless the run predates it (plan-revisions). */
export function readTime(value: unknown, adopt: AdoptRevision = ADOPT_ALL): number | undefined {
  return revised(
    adopt,
    PLAN_REVISIONS.calendarDates,
    parseEventTime(value, 'calendar'),
    parseEventTime(value, 'legacy'),
  );
}

function readIsoDate(text: string, adopt: AdoptRevision): number | undefined {
  return revised(
    adopt,
    PLAN_REVISIONS.calendarDates,
    parseIsoDateTime(text, 'calendar'),
    parseIsoDateTime(text, 'legacy'),
  );
}

/**
 * `convert_timestamps`: every ISO 8601 date string in attributes or event data, at any depth, as unix seconds, so
 * Customer.io segments can compare dates. Other strings (phone numbers, ids, "25 Mar 2015") are left as they are.
 */
export function convertIsoDates<T>(value: T, adopt: AdoptRevision = ADOPT_ALL): T {
  if (typeof value === 'string') {
    const ms = readIsoDate(value, adopt);
    return (ms === undefined ? value : toUnixSeconds(ms)) as T;
  }
  if (Array.isArray(value)) return value.map((v: unknown) => convertIsoDates(v, adopt)) as T;
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, convertIsoDates(v, adopt)])) as T;
  }
  return value;
}
