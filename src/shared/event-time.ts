/**
 * Event times arrive as ISO 8601 strings of any precision, or as unix numbers in s/ms/µs. One reading of them for the
 * event schema, the intake and the Customer.io mapping. Runs inside workflows: pure, no Date.now.
 */

const ISO_8601 =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?\s*(Z|z|[+-]\d{2}(?::?\d{2})?)?$/;
const NUMERIC = /^-?\d+(\.\d+)?$/;
const MAX_TIME_MS = 8.64e15;

/**
 * The event times intake accepts, in ms since the epoch: from 1970-01-01T00:00:00Z (Customer.io takes unix seconds,
 * which start there) up to, not including, 2100-01-01T00:00:00Z. Customer.io documents no window, but refuses times
 * as far out as 9999-12-31 with a 400; a time generations ahead is a sender's mistake (milliseconds sent as seconds,
 * a placeholder date), better refused at the door than failed later.
 */
export const EVENT_TIME_RANGE = { fromMs: 0, untilMs: Date.UTC(2100, 0, 1) } as const;

/**
 * `calendar`, the reading for everything new: years 0001–0099 are those years, and an offset is at most ±23:59.
 * `legacy`: how runs started before that read dates (years 0–99 became 1900–1999, as `Date.UTC` has it, and any
 * two-digit offset shifted the time); only the workflow asks for it, to replay such runs as they ran.
 */
export type DateReading = 'calendar' | 'legacy';

/** Milliseconds since the epoch, or undefined when the value is not a recognisable time. */
export function parseEventTime(value: unknown, reading: DateReading = 'calendar'): number | undefined {
  if (typeof value === 'number') return fromUnixNumber(value);
  if (typeof value !== 'string') return undefined;
  const text = value.trim();
  if (NUMERIC.test(text)) return fromUnixNumber(Number(text));
  return parseIsoDateTime(text, reading);
}

/** Why intake refuses `value` as an event's time, or undefined when it is one (see EVENT_TIME_RANGE). */
export function eventTimeProblem(value: unknown): string | undefined {
  const ms = parseEventTime(value);
  if (ms === undefined) {
    const zone = typeof value === 'string' ? ISO_8601.exec(value.trim())?.[8] : undefined;
    if (zone && zoneOffsetMs(zone, 'calendar') === undefined)
      return `has the UTC offset ${zone}, which no clock has: offsets run from -23:59 to +23:59`;
    return 'must be an ISO 8601 date-time (e.g. 2026-02-25T14:30:00.000Z) or a unix timestamp';
  }
  if (ms < EVENT_TIME_RANGE.fromMs || ms >= EVENT_TIME_RANGE.untilMs) {
    const read =
      typeof value === 'string' && !NUMERIC.test(value.trim()) ? '' : ` (read as ${new Date(ms).toISOString()})`;
    return (
      `is outside the event times accepted${read}: from 1970-01-01T00:00:00Z up to 2100-01-01T00:00:00Z, ` +
      'which Customer.io can take as unix seconds'
    );
  }
  return undefined;
}

/**
 * Milliseconds since the epoch of an ISO 8601 date or date-time, or undefined. Numbers in text (ids, phone numbers)
 * are not dates here: only the ISO shape counts.
 */
export function parseIsoDateTime(text: string, reading: DateReading = 'calendar'): number | undefined {
  const m = ISO_8601.exec(text.trim());
  if (!m) return undefined;
  const [, y, mo, d, h = '0', mi = '0', s = '0', frac = '', zone] = m;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = Number(s);
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 60) return undefined;
  const ms = frac ? Math.floor(Number(`0.${frac}`) * 1000) : 0;
  const utc = utcTime(reading, year, month - 1, day, hour, minute, Math.min(second, 59), ms);
  // Date.UTC rolls 2026-02-31 over into March; a real date maps back onto itself.
  const check = new Date(utc);
  if (check.getUTCDate() !== day || check.getUTCMonth() !== month - 1) return undefined;
  const offset = zoneOffsetMs(zone, reading);
  if (offset === undefined) return undefined;
  const result = utc - offset;
  return Number.isFinite(result) && Math.abs(result) <= MAX_TIME_MS ? result : undefined;
}

function utcTime(reading: DateReading, year: number, ...rest: [number, number, number, number, number, number]) {
  if (reading === 'legacy') return Date.UTC(year, ...rest);
  // Date.UTC takes years 0–99 for 1900–1999; setUTCFullYear takes them as they are.
  const [month, day, hour, minute, second, ms] = rest;
  const date = new Date(0);
  date.setUTCFullYear(year, month, day);
  date.setUTCHours(hour, minute, second, ms);
  return date.getTime();
}

function zoneOffsetMs(zone: string | undefined, reading: DateReading): number | undefined {
  if (!zone || zone === 'Z' || zone === 'z') return 0;
  const sign = zone.startsWith('-') ? -1 : 1;
  const digits = zone.slice(1).replace(':', '');
  const hours = Number(digits.slice(0, 2));
  const minutes = digits.length > 2 ? Number(digits.slice(2, 4)) : 0;
  if (reading === 'calendar' && (hours > 23 || minutes > 59)) return undefined;
  return sign * (hours * 60 + minutes) * 60_000;
}

/** Unix numbers are read by magnitude: seconds up to year 5138, then ms, µs, ns. */
function fromUnixNumber(n: number): number | undefined {
  if (!Number.isFinite(n) || n < 0) return undefined;
  let ms: number;
  if (n < 1e11) ms = n * 1000;
  else if (n < 1e14) ms = n;
  else if (n < 1e17) ms = n / 1000;
  else ms = n / 1e6;
  ms = Math.floor(ms);
  return ms <= MAX_TIME_MS ? ms : undefined;
}
