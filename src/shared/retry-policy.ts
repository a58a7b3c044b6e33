import { hours } from './time';

/**
 * The one retry schedule for deliveries. The workflow drives it with durable timers, one activity per HTTP
 * attempt, so every attempt stays visible in the history (Temporal's own activity retries would keep only the last).
 */
export interface RetryPolicy {
  /** Delay before the second attempt. Signal's delivery workers use 4 s. */
  initialIntervalMs: number;
  backoffCoefficient: number;
  maximumIntervalMs: number;
  /** No attempt starts later than this after the delivery began; then it fails for good. */
  retryWindowMs: number;
  /** Each delay is spread by ±jitterRatio so retries of a burst do not land together. */
  jitterRatio: number;
  /**
   * After a 401/403 the delivery waits this long for new credentials (a PATCH of the integration resumes it) before
   * it fails; 0 fails at once.
   */
  awaitCredentialsMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  initialIntervalMs: 4_000,
  backoffCoefficient: 2,
  maximumIntervalMs: hours(1),
  retryWindowMs: hours(24),
  jitterRatio: 0.2,
  awaitCredentialsMs: hours(72),
};

/** While parked, a delivery also asks for the current credentials revision this often, in case a signal was missed. */
export const CREDENTIALS_RECHECK_MS = hours(1);

export function resolveRetryPolicy(overrides?: Partial<RetryPolicy>): RetryPolicy {
  const policy = { ...DEFAULT_RETRY_POLICY, ...definedOnly(overrides ?? {}) };
  policy.maximumIntervalMs = Math.max(policy.maximumIntervalMs, policy.initialIntervalMs);
  return policy;
}

/**
 * Delay after failed attempt number `attempt` (1-based). `random` is in [0, 1): pass the workflow's
 * deterministic Math.random. A server's Retry-After wins over the computed backoff, but never goes below
 * the initial interval (a `Retry-After: 0` must not make a hot loop).
 */
export function retryDelayMs(policy: RetryPolicy, attempt: number, random: number, retryAfterMs?: number): number {
  if (retryAfterMs !== undefined) return Math.max(retryAfterMs, policy.initialIntervalMs);
  const base = Math.min(
    policy.initialIntervalMs * policy.backoffCoefficient ** (attempt - 1),
    policy.maximumIntervalMs,
  );
  const spread = base * policy.jitterRatio * (2 * random - 1);
  return Math.max(1, Math.round(base + spread));
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
