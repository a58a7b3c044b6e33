/**
 * Event times arrive as ISO 8601 strings of any precision, or as unix numbers in s/ms/µs. One reading of them for the
 * event schema, the intake and the Customer.io mapping. Runs inside workflows: pure, no Date.now.
 */

const ISO_8601 =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?\s*(Z|z|[+-]\d{2}(?::?\d{2})?)?$/;
const NUMERIC = /^-?\d+(\.\d+)?$/;
const MAX_TIME_MS = 8.64e15;

/** Milliseconds since the epoch, or undefined when the value is not a recognisable time. */
export function parseEventTime(value: unknown): number | undefined {
  if (typeof value === 'number') return fromUnixNumber(value);
  if (typeof value !== 'string') return undefined;
  const text = value.trim();
  if (NUMERIC.test(text)) return fromUnixNumber(Number(text));
  return parseIsoDateTime(text);
}

/**
 * Milliseconds since the epoch of an ISO 8601 date or date-time, or undefined. Numbers in text (ids, phone numbers)
 * are not dates here: only the ISO shape counts.
 */
export function parseIsoDateTime(text: string): number | undefined {
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
  const utc = Date.UTC(year, month - 1, day, hour, minute, Math.min(second, 59), ms);
  // Date.UTC rolls 2026-02-31 over into March; a real date maps back onto itself.
  const check = new Date(utc);
  if (check.getUTCDate() !== day || check.getUTCMonth() !== month - 1) return undefined;
  const result = utc - zoneOffsetMs(zone);
  return Number.isFinite(result) && Math.abs(result) <= MAX_TIME_MS ? result : undefined;
}

function zoneOffsetMs(zone: string | undefined): number {
  if (!zone || zone === 'Z' || zone === 'z') return 0;
  const sign = zone.startsWith('-') ? -1 : 1;
  const digits = zone.slice(1).replace(':', '');
  const hours = Number(digits.slice(0, 2));
  const minutes = digits.length > 2 ? Number(digits.slice(2, 4)) : 0;
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
