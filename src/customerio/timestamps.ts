/** Customer.io wants integer unix seconds: milliseconds or ISO strings silently break its segments. */
export function toUnixSeconds(ms: number): number {
  return Math.floor(ms / 1000);
}
