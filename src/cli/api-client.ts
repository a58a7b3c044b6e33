import type { DeliverySummary } from '../deliveries/records';
import type { ReplayStarted } from '../deliveries/service';
import type { Connection } from './settings';

export type { DeliverySummary, ReplayStarted };

/** An answer other than 2xx (`{"error":{"code","message","details"}}`), or no answer at all (status undefined). */
export class ApiError extends Error {
  constructor(
    readonly status: number | undefined,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }

  /** One line: `HTTP 409 ALREADY_DELIVERED: …`, with per-field details when the API gave them. */
  describe(): string {
    const head = this.status === undefined ? this.message : `HTTP ${this.status} ${this.code}: ${this.message}`;
    const fields = Array.isArray(this.details)
      ? (this.details as { field?: unknown; message?: unknown }[])
          .filter((d) => d && typeof d === 'object')
          .map((d) => `${String(d.field)} ${String(d.message)}`)
      : [];
    return fields.length > 0 ? `${head} (${fields.join('; ')})` : head;
  }
}

interface DeliveryPage {
  data: DeliverySummary[];
  next_cursor: string | null;
  has_more: boolean;
}

export interface ReplayFilter {
  status?: string;
  integration_id?: string;
  event_type?: string;
  since?: string;
  until?: string;
  include_delivered?: boolean;
  limit?: number;
}

export interface ReplaySkip {
  workflow_id: string;
  reason: string;
  detail: string;
}

interface ReplayPlan {
  dry_run: true;
  matched: number;
  would_replay: string[];
  skipped: ReplaySkip[];
}

interface ClientOptions {
  /** Per request; the bulk dry run looks at every candidate, so it gets longer. */
  timeoutMs?: number;
  /** How often a 429 is waited out (Retry-After) before it counts as an error. */
  rateLimitRetries?: number;
  sleep?: (ms: number) => Promise<void>;
}

/** The management API over HTTP, with the bearer token; nothing here prints or returns the token. */
export class ApiClient {
  private readonly timeoutMs: number;
  private readonly rateLimitRetries: number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(
    private readonly connection: Connection,
    options: ClientOptions = {},
  ) {
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.rateLimitRetries = options.rateLimitRetries ?? 5;
    this.sleep = options.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
  }

  listDeliveries(query: {
    status?: string;
    integration_id?: string;
    event_type?: string;
    since?: string;
    until?: string;
    limit: number;
    cursor?: string;
  }): Promise<DeliveryPage> {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(query)) if (value !== undefined) params.set(key, String(value));
    return this.request<DeliveryPage>('GET', `/v1/admin/deliveries?${params.toString()}`);
  }

  /** The bulk endpoint as a dry run: what would be replayed, what is skipped and why. Starts nothing. */
  planReplay(filter: ReplayFilter): Promise<ReplayPlan> {
    return this.request<ReplayPlan>(
      'POST',
      '/v1/admin/deliveries/replay',
      { ...filter, dry_run: true },
      this.timeoutMs * 4,
    );
  }

  replayOne(workflowId: string, options: { include_delivered?: boolean }): Promise<ReplayStarted> {
    return this.request<ReplayStarted>(
      'POST',
      `/v1/admin/deliveries/${encodeURIComponent(workflowId)}/replay`,
      options,
    );
  }

  async request<T>(method: string, path: string, body?: unknown, timeoutMs = this.timeoutMs): Promise<T> {
    const url = `${this.connection.apiUrl}${path}`;
    for (let waited = 0; ; waited++) {
      let res: Response;
      try {
        res = await fetch(url, {
          method,
          headers: {
            authorization: `Bearer ${this.connection.token}`,
            accept: 'application/json',
            ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
          },
          ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
          signal: AbortSignal.timeout(timeoutMs),
        });
      } catch (err) {
        throw unreachable(this.connection.apiUrl, err, timeoutMs);
      }
      const text = await res.text().catch(() => '');
      if (res.ok) {
        try {
          return JSON.parse(text) as T;
        } catch {
          throw new ApiError(
            res.status,
            'NOT_JSON',
            `${method} ${path.split('?')[0]} answered ${res.status} with a body that is not JSON: is ${this.connection.apiUrl} the management API?`,
          );
        }
      }
      const retryAfter = Number(res.headers.get('retry-after'));
      if (res.status === 429 && waited < this.rateLimitRetries) {
        await this.sleep(Math.min(Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : 1, 60) * 1000);
        continue;
      }
      throw errorFrom(res.status, text, `${method} ${path.split('?')[0]}`);
    }
  }
}

function errorFrom(status: number, text: string, what: string): ApiError {
  try {
    const parsed = JSON.parse(text) as { error?: { code?: unknown; message?: unknown; details?: unknown } };
    if (parsed.error && typeof parsed.error.code === 'string') {
      return new ApiError(status, parsed.error.code, String(parsed.error.message ?? ''), parsed.error.details);
    }
  } catch {
    // not JSON: below
  }
  return new ApiError(status, 'UNEXPECTED_RESPONSE', `${what} answered ${status} without the API's error body`);
}

function unreachable(apiUrl: string, err: unknown, timeoutMs: number): ApiError {
  const e = err as Error & { cause?: { code?: string; message?: string } };
  if (e.name === 'TimeoutError')
    return new ApiError(
      undefined,
      'TIMEOUT',
      `the API at ${apiUrl} did not answer within ${Math.round(timeoutMs / 1000)} s`,
    );
  const why = e.cause?.code ?? e.cause?.message ?? e.message;
  return new ApiError(
    undefined,
    'UNREACHABLE',
    `cannot reach the API at ${apiUrl} (${why}): is the service running? (npm start, or --api-url)`,
  );
}
