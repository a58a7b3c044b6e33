import { AppError } from '../errors';
import { metrics } from '../observability/metrics';

export interface LiveStreamLimits {
  /** Streams one token may hold open at once (a browser tab holds one). */
  perToken: number;
  /** Streams the process holds open at once, whoever holds them. */
  total: number;
  /** Between keep-alive comments, which keep proxies from timing a quiet stream out. */
  heartbeatMs: number;
  /**
   * How often each stream's token is checked again: the most a token revoked through another replica keeps its
   * streams there (PIPELINE_KEY_CACHE_MS, the bound a revoked pipeline key has too). Revoked through this replica, its
   * streams end at once.
   */
  recheckMs: number;
}

/** Not a setting: a quiet stream gets a comment this often (tests shorten it through buildApi's liveStreams). */
export const LIVE_STREAM_HEARTBEAT_MS = 15_000;

/** Why a stream ended: its token was revoked (the client is told so), or anything else (the client left, shutdown). */
export type StreamEnd = 'revoked' | 'closed';

/**
 * One admitted stream, from admission (before its first query) to its end. `end` is idempotent and runs every cleanup
 * registered with `onEnd`, whoever ends it first: the client going away, a revoked token, or the server closing.
 */
export class LiveStream {
  private ended = false;
  private readonly cleanups: ((why: StreamEnd) => void)[] = [];

  constructor(
    readonly principalId: string,
    private readonly release: (stream: LiveStream) => void,
  ) {}

  get isEnded(): boolean {
    return this.ended;
  }

  onEnd(cleanup: (why: StreamEnd) => void): void {
    if (this.ended) cleanup('closed');
    else this.cleanups.push(cleanup);
  }

  end(why: StreamEnd = 'closed'): void {
    if (this.ended) return;
    this.ended = true;
    this.release(this);
    for (const cleanup of this.cleanups.splice(0)) cleanup(why);
  }
}

/**
 * Every open Live Events stream of one API: admission against the caps, the count behind the
 * `signal_api_live_streams` gauge, and `closeAll` for shutdown (a hijacked stream would otherwise hold the server
 * open forever).
 */
export class LiveStreams {
  private readonly open = new Set<LiveStream>();
  private readonly perPrincipal = new Map<string, number>();
  private closing = false;

  constructor(readonly limits: LiveStreamLimits) {}

  get size(): number {
    return this.open.size;
  }

  /** A place for one more stream of `principalId`, or the 429 (or 503 while stopping) that says why not. */
  admit(principalId: string): LiveStream {
    if (this.closing) {
      metrics.liveStreamsRefused.inc({ reason: 'stopping' });
      throw new AppError(503, 'SHUTTING_DOWN', 'The API is stopping: connect again in a moment');
    }
    const mine = this.perPrincipal.get(principalId) ?? 0;
    if (mine >= this.limits.perToken) {
      metrics.liveStreamsRefused.inc({ reason: 'token' });
      throw tooMany(
        `This token already holds ${mine} live streams, the most one token may (${this.limits.perToken}): close one first`,
        { scope: 'token', limit: this.limits.perToken },
      );
    }
    if (this.open.size >= this.limits.total) {
      metrics.liveStreamsRefused.inc({ reason: 'total' });
      throw tooMany(`The API holds ${this.open.size} live streams, its most (${this.limits.total}): try again later`, {
        scope: 'total',
        limit: this.limits.total,
      });
    }
    const stream = new LiveStream(principalId, (s) => this.remove(s));
    this.open.add(stream);
    this.perPrincipal.set(principalId, mine + 1);
    metrics.liveStreams.inc();
    return stream;
  }

  /** Ends every stream of a token revoked through this replica, telling each client why. */
  revoke(principalId: string): void {
    for (const stream of [...this.open]) if (stream.principalId === principalId) stream.end('revoked');
  }

  /** Ends every stream and admits no more: the server is closing. */
  closeAll(): void {
    this.closing = true;
    for (const stream of [...this.open]) stream.end();
  }

  private remove(stream: LiveStream): void {
    if (!this.open.delete(stream)) return;
    const left = (this.perPrincipal.get(stream.principalId) ?? 1) - 1;
    if (left > 0) this.perPrincipal.set(stream.principalId, left);
    else this.perPrincipal.delete(stream.principalId);
    metrics.liveStreams.dec();
  }
}

function tooMany(message: string, details: { scope: 'token' | 'total'; limit: number }): AppError {
  return new AppError(429, 'TOO_MANY_STREAMS', message, details);
}
