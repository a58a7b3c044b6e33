export interface RateLimiterOptions {
  /** This worker's part of each integration's rate: 1 / the number of workers sharing it (WORKER_REPLICAS). */
  share: number;
  /** The rate never drops below this while Customer.io pushes back, so a delivery is never starved. */
  minPerSecond?: number;
  /** After a push-back, the rate climbs back by this fraction of the configured rate each second. */
  recoveryPerSecond?: number;
  now?: () => number;
}

interface Bucket {
  configured: number;
  rate: number;
  /** May go below zero: each unit below is a request already promised a later slot. */
  tokens: number;
  at: number;
  /** Customer.io's Retry-After: nothing is sent before this. */
  blockedUntil: number;
}

/**
 * Requests per second to Customer.io, per integration, inside the worker: a token bucket at the integration's
 * configured rate (this worker's share of it), halved when Customer.io answers 429 or asks to wait (Retry-After),
 * closed until that wait is over, and climbing back while it is quiet. In memory: a restarted worker starts at the
 * full rate, and Customer.io's next 429 slows it again.
 */
export class DeliveryRateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly share: number;
  private readonly minPerSecond: number;
  private readonly recoveryPerSecond: number;
  private readonly now: () => number;

  constructor(options: RateLimiterOptions) {
    this.share = options.share;
    this.minPerSecond = options.minPerSecond ?? 1;
    this.recoveryPerSecond = options.recoveryPerSecond ?? 0.1;
    this.now = options.now ?? Date.now;
  }

  /** Takes a slot for one request; says how long to wait before sending it (0: now). */
  reserve(integrationId: string, configuredPerSecond: number): number {
    const bucket = this.bucket(integrationId, configuredPerSecond);
    bucket.tokens -= 1;
    const queued = bucket.tokens >= 0 ? 0 : (-bucket.tokens / bucket.rate) * 1000;
    return Math.ceil(Math.max(queued, bucket.blockedUntil - this.now()));
  }

  /** Gives back a slot taken by `reserve` whose request will not be sent now. */
  release(integrationId: string): void {
    const bucket = this.buckets.get(integrationId);
    if (bucket) bucket.tokens = Math.min(bucket.tokens + 1, this.burst(bucket));
  }

  /** Customer.io pushed back (429, or any answer with Retry-After): slow down, and wait as long as it asked. */
  pushedBack(integrationId: string, retryAfterMs: number | undefined): void {
    const bucket = this.buckets.get(integrationId);
    if (!bucket) return;
    const now = this.now();
    bucket.rate = Math.max(this.minPerSecond * this.share, bucket.rate / 2);
    bucket.tokens = Math.min(bucket.tokens, 0);
    bucket.blockedUntil = Math.max(bucket.blockedUntil, now + (retryAfterMs ?? 1000 / bucket.rate));
  }

  /** Requests per second this worker sends to the integration now (for metrics). */
  currentRate(integrationId: string): number | undefined {
    const bucket = this.buckets.get(integrationId);
    return bucket && this.rateAt(bucket, this.now());
  }

  /** Every integration this worker has sent to, with its current rate (for metrics). */
  *rates(): Iterable<[string, number]> {
    const now = this.now();
    for (const [id, bucket] of this.buckets) yield [id, this.rateAt(bucket, now)];
  }

  private bucket(integrationId: string, configuredPerSecond: number): Bucket {
    const now = this.now();
    const configured = Math.max(configuredPerSecond * this.share, Number.MIN_VALUE);
    let bucket = this.buckets.get(integrationId);
    if (!bucket) {
      bucket = { configured, rate: configured, tokens: Math.max(1, configured), at: now, blockedUntil: 0 };
      this.buckets.set(integrationId, bucket);
      return bucket;
    }
    const elapsed = Math.max(0, now - bucket.at) / 1000;
    // A changed setting applies at once; below it, a pushed-back rate recovers while Customer.io stays quiet.
    bucket.configured = configured;
    bucket.rate = this.rateAt(bucket, now);
    bucket.tokens = Math.min(this.burst(bucket), bucket.tokens + elapsed * bucket.rate);
    bucket.at = now;
    return bucket;
  }

  /** The bucket's rate at `now`, without moving the bucket on: recovering since its last request unless blocked. */
  private rateAt(bucket: Bucket, now: number): number {
    const elapsed = Math.max(0, now - bucket.at) / 1000;
    const recovered =
      now >= bucket.blockedUntil ? bucket.rate + bucket.configured * this.recoveryPerSecond * elapsed : bucket.rate;
    return Math.min(recovered, bucket.configured);
  }

  /** One second's worth: a quiet integration may send a short burst at once. */
  private burst(bucket: Bucket): number {
    return Math.max(1, bucket.rate);
  }
}
