/** One HTTP exchange with Customer.io as recorded in the history: never credentials, never the auth header. */
export interface HttpExchange {
  method: string;
  url: string;
  status?: number;
  durationMs: number;
  retryAfterMs?: number;
  /** The first bytes of the response body, for the audit trail. */
  responseExcerpt?: string;
  /** Set when no HTTP response arrived (DNS, connect, reset, timeout). */
  error?: { code: string; message: string };
  /** Cross-region redirects followed on the way, e.g. an EU account called on the US host. */
  redirects?: string[];
}

/** The HTTP status Customer.io answered with, or undefined when no answer arrived (a network failure or timeout). */
export function statusOf(exchange: Pick<HttpExchange, 'status' | 'error'>): number | undefined {
  return exchange.error ? undefined : exchange.status;
}
