import { Agent, request } from 'undici';
import type { HttpExchange, TrackApiRequest } from '../exchange';
import { parseRetryAfter } from '../outcomes';

/** Where and as whom a call goes (TrackCredentials of customerio/config.ts, with the region's host). */
interface CallCredentials {
  baseUrl: string;
  siteId: string;
  trackingApiKey: string;
}

interface TransportOptions {
  /**
   * Budget for the whole exchange, redirects included (and for each of its phases): an attempt holds a workflow task
   * while it runs, so its length must be bounded (src/shared/attempt-timing.ts).
   */
  timeoutMs: number;
  connectTimeoutMs?: number;
  userAgent?: string;
  maxConnectionsPerOrigin?: number;
}

/** A Track API call: a delivery (TrackApiRequest) or an account check such as GET /api/v1/accounts/region. */
type TrackCall = Pick<TrackApiRequest, 'path'> & {
  method: 'GET' | 'PUT' | 'POST' | 'DELETE';
  body?: Record<string, unknown>;
};

export interface TrackTransport {
  send(credentials: CallCredentials, req: TrackCall, signal?: AbortSignal): Promise<HttpExchange>;
  close(): Promise<void>;
}

const MAX_REDIRECTS = 3;
const EXCERPT_BYTES = 1024;
const MAX_BODY_BYTES = 64 * 1024;

/** Pooled keep-alive HTTP to the Track API: one Agent per process, reused by every attempt. */
export function createTrackTransport(options: TransportOptions): TrackTransport {
  const agent = new Agent({
    keepAliveTimeout: 30_000,
    keepAliveMaxTimeout: 120_000,
    connect: { timeout: options.connectTimeoutMs ?? options.timeoutMs },
    headersTimeout: options.timeoutMs,
    bodyTimeout: options.timeoutMs,
    connections: options.maxConnectionsPerOrigin ?? 64,
  });
  const userAgent = options.userAgent ?? 'signal-customerio/0.1';

  async function send(credentials: CallCredentials, req: TrackCall, signal?: AbortSignal): Promise<HttpExchange> {
    const started = performance.now();
    const deadline = AbortSignal.timeout(options.timeoutMs);
    const cutOff = signal ? AbortSignal.any([signal, deadline]) : deadline;
    const failed = (err: unknown) =>
      deadline.aborted
        ? { code: 'ATTEMPT_TIMEOUT', message: `no complete answer within ${options.timeoutMs} ms` }
        : describeNetworkError(err);
    const body = req.body === undefined ? undefined : JSON.stringify(req.body);
    const trustedOrigin = new URL(credentials.baseUrl).origin;
    const authorization =
      'Basic ' + Buffer.from(`${credentials.siteId}:${credentials.trackingApiKey}`).toString('base64');
    const redirects: string[] = [];
    // Recorded as URL parsing leaves it, which is the URL actually requested (dot segments and all resolved).
    let url = new URL(credentials.baseUrl + req.path).href;
    const elapsed = () => Math.round(performance.now() - started);
    for (;;) {
      const headers: Record<string, string> = { accept: 'application/json', 'user-agent': userAgent };
      if (body !== undefined) headers['content-type'] = 'application/json';
      if (mayReceiveCredentials(url, trustedOrigin)) headers.authorization = authorization;
      let res;
      try {
        res = await request(url, { method: req.method, headers, body, dispatcher: agent, signal: cutOff });
      } catch (err) {
        return {
          method: req.method,
          url,
          durationMs: elapsed(),
          error: failed(err),
          ...withRedirects(redirects),
        };
      }
      const location = res.headers.location;
      if (isRedirect(res.statusCode) && typeof location === 'string' && redirects.length < MAX_REDIRECTS) {
        const next = new URL(location, url).toString();
        await res.body.dump();
        if (mayReceiveCredentials(next, trustedOrigin)) {
          // Customer.io routes an EU account called on the US host this way: same method, same body.
          redirects.push(next);
          url = next;
          continue;
        }
      }
      let text: string;
      try {
        text = await readCapped(res.body, MAX_BODY_BYTES);
      } catch (err) {
        return {
          method: req.method,
          url,
          status: res.statusCode,
          durationMs: elapsed(),
          error: failed(err),
          ...withRedirects(redirects),
        };
      }
      const retryAfter = parseRetryAfter(headerValue(res.headers['retry-after']), Date.now());
      const exchange: HttpExchange = {
        method: req.method,
        url,
        status: res.statusCode,
        durationMs: elapsed(),
        ...withRedirects(redirects),
      };
      if (retryAfter !== undefined) exchange.retryAfterMs = retryAfter;
      if (text) exchange.responseExcerpt = text.slice(0, EXCERPT_BYTES);
      return exchange;
    }
  }

  return { send, close: () => agent.close() };
}

/** Credentials go only to Customer.io's own hosts, or to the origin an operator configured. */
function mayReceiveCredentials(url: string, trustedOrigin: string): boolean {
  const target = new URL(url);
  if (target.origin === trustedOrigin) return true;
  return (
    target.protocol === 'https:' && (target.hostname === 'customer.io' || target.hostname.endsWith('.customer.io'))
  );
}

function isRedirect(status: number): boolean {
  return status === 301 || status === 302 || status === 307 || status === 308;
}

function withRedirects(redirects: string[]): { redirects?: string[] } {
  return redirects.length > 0 ? { redirects: [...redirects] } : {};
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

async function readCapped(body: AsyncIterable<Buffer> & { destroy(): void }, maxBytes: number): Promise<string> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of body) {
    chunks.push(chunk);
    total += chunk.length;
    if (total >= maxBytes) {
      body.destroy();
      break;
    }
  }
  return Buffer.concat(chunks).toString('utf8');
}

function describeNetworkError(err: unknown): { code: string; message: string } {
  const e = err as { code?: unknown; name?: unknown; message?: unknown; cause?: { code?: unknown; message?: unknown } };
  const code = String(e?.code ?? e?.cause?.code ?? e?.name ?? 'NETWORK_ERROR');
  const message = String(e?.message ?? e?.cause?.message ?? err);
  return { code, message: message.slice(0, 300) };
}
