import { type AttemptFailure, DeliveryFailureType } from '../customerio/outcomes';
import { type RetryPolicy, retryDelayMs } from '../shared/retry-policy';
import { inHours } from '../shared/time';

/** Where a delivery stands when one of its attempts has failed. */
export interface RetryClock {
  policy: RetryPolicy;
  /** The attempt that failed, 1-based. */
  attempt: number;
  /** No attempt may start after this (ms since the epoch): the retry window's end, pushed back by waits outside it. */
  deadline: number;
  now: number;
  /**
   * A number in [0, 1) for the jitter, asked for only when the answer is a retry: the workflow passes its seeded
   * Math.random, and a replay must draw the same numbers at the same points.
   */
  random: () => number;
}

/**
 * Fail for good: the run ends with `type` and `message`. `lastError` is what its memo shows as the last error: the
 * attempt's own, except when the retry window closed, which says so and quotes it.
 */
export interface FailStep {
  kind: 'fail';
  type: DeliveryFailureType;
  message: string;
  lastError: { type: string; message: string };
}

export type RetryStep =
  | { kind: 'retry'; delayMs: number }
  /** Wait up to `waitMs` for a credentials revision newer than `usedRevision`, then try again. */
  | { kind: 'park'; usedRevision: number; waitMs: number }
  | FailStep;

/** What a delivery does after a failed attempt: wait and retry, park until the credentials change, or fail. */
export function nextStep(failure: AttemptFailure, clock: RetryClock): RetryStep {
  const { policy, attempt } = clock;
  if (failure.next === 'park' && policy.awaitCredentialsMs > 0)
    return { kind: 'park', usedRevision: failure.revisionNumber ?? 0, waitMs: policy.awaitCredentialsMs };
  if (failure.next === 'park') return failWith(DeliveryFailureType.Unauthorized, failure.message, failure);
  if (failure.next === 'fail') return failWith(DeliveryFailureType.Rejected, failure.message, failure);
  const delayMs = retryDelayMs(policy, attempt, clock.random(), failure.retryAfterMs);
  if (clock.now + delayMs <= clock.deadline) return { kind: 'retry', delayMs };
  const type = DeliveryFailureType.RetryWindowExhausted;
  const message = `Gave up after ${attempt} attempts: the ${inHours(policy.retryWindowMs)} h retry window is over. Last error: ${failure.message}`;
  return { kind: 'fail', type, message, lastError: { type, message } };
}

/** A parked delivery whose wait for new credentials ran out. */
export function credentialsWaitOver(failure: AttemptFailure, policy: RetryPolicy): FailStep {
  const message = `${failure.message} No new credentials arrived within ${inHours(policy.awaitCredentialsMs)} h.`;
  return failWith(DeliveryFailureType.Unauthorized, message, failure);
}

function failWith(type: DeliveryFailureType, message: string, failure: AttemptFailure): FailStep {
  return { kind: 'fail', type, message, lastError: { type: failure.type, message: failure.message } };
}
