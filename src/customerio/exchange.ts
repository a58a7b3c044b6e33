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

/** One Track API call, without host or credentials: those are resolved at send time from the integration. */
export interface TrackApiCall {
  method: 'PUT' | 'POST' | 'DELETE';
  /** Path below the region's base URL, identifiers already URL-encoded. */
  path: string;
  /** Absent for calls without a body (DELETE). */
  body?: Record<string, unknown>;
}

/** The call a delivery's plan sends, as recorded with it in the history. */
export interface TrackApiRequest extends TrackApiCall {
  /** The action that built it (its registry name). */
  operation: string;
}

/** The HTTP status Customer.io answered with, or undefined when no answer arrived (a network failure or timeout). */
export function statusOf(exchange: Pick<HttpExchange, 'status' | 'error'>): number | undefined {
  return exchange.error ? undefined : exchange.status;
}
