/** Hours are how operators state retry windows and waits; milliseconds are how timers take them. */
const HOUR_MS = 3_600_000;

export function hours(n: number): number {
  return Math.round(n * HOUR_MS);
}

/** Milliseconds as hours, to two decimals: for messages and settings shown to people. */
export function inHours(ms: number): number {
  return Math.round((ms / HOUR_MS) * 100) / 100;
}

export function minutes(n: number): number {
  return Math.round(n * 60_000);
}
