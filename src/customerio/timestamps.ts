import { parseIsoDateTime } from '../shared/event-time';

/** Customer.io wants integer unix seconds: milliseconds or ISO strings silently break its segments. */
export function toUnixSeconds(ms: number): number {
  return Math.floor(ms / 1000);
}

/**
 * `convert_timestamps`: every ISO 8601 date string in attributes or event data, at any depth, as unix seconds, so
 * Customer.io segments can compare dates. Other strings (phone numbers, ids, "25 Mar 2015") are left as they are.
 */
export function convertIsoDates<T>(value: T): T {
  if (typeof value === 'string') {
    const ms = parseIsoDateTime(value);
    return (ms === undefined ? value : toUnixSeconds(ms)) as T;
  }
  if (Array.isArray(value)) return value.map((v: unknown) => convertIsoDates(v)) as T;
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, convertIsoDates(v)])) as T;
  }
  return value;
}
