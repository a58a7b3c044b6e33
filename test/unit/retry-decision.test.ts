import { attemptFailure, readAttemptFailure, troubleshooting } from '../../src/customerio/outcomes';
import type { HttpExchange } from '../../src/customerio/exchange';
import { resolveRetryPolicy, type RetryPolicy } from '../../src/shared/retry-policy';
import { hours } from '../../src/shared/time';
import { credentialsWaitOver, nextStep, type RetryClock } from '../../src/workflows/retry-decision';

/** A failed attempt as the workflow reads it back from a local activity. */
function failed(status: number | undefined, extra: Partial<HttpExchange> = {}, revision = 3) {
  const exchange: HttpExchange = {
    method: 'POST',
    url: 'https://track.customer.io/api/v1/customers/u/events',
    durationMs: 12,
    ...(status === undefined ? { error: { code: 'ECONNRESET', message: 'socket hang up' } } : { status }),
    ...extra,
  };
  return readAttemptFailure(attemptFailure(exchange, revision), '1 minute');
}

const START = Date.UTC(2026, 11, 7);

function clock(policy: RetryPolicy, overrides: Partial<RetryClock> = {}): RetryClock {
  return { policy, attempt: 1, deadline: START + policy.retryWindowMs, now: START, random: () => 0.5, ...overrides };
}

describe('the retry decision after a failed attempt', () => {
  const policy = resolveRetryPolicy({});

  test('a retryable answer backs off exponentially, spread by the jitter within ±jitterRatio', () => {
    expect(nextStep(failed(503), clock(policy))).toEqual({ kind: 'retry', delayMs: 4_000 });
    expect(nextStep(failed(503), clock(policy, { attempt: 3 }))).toEqual({ kind: 'retry', delayMs: 16_000 });
    expect(nextStep(failed(undefined), clock(policy, { random: () => 0 }))).toEqual({ kind: 'retry', delayMs: 3_200 });
    expect(nextStep(failed(500), clock(policy, { random: () => 0.999999 }))).toEqual({ kind: 'retry', delayMs: 4_800 });
  });

  test("the server's Retry-After wins over the backoff, but never below the initial interval", () => {
    const tooManyRequests = (retryAfterMs: number) => failed(429, { retryAfterMs });
    expect(nextStep(tooManyRequests(30_000), clock(policy))).toEqual({ kind: 'retry', delayMs: 30_000 });
    expect(nextStep(tooManyRequests(0), clock(policy, { attempt: 5 }))).toEqual({ kind: 'retry', delayMs: 4_000 });
  });

  test('the retry window is over when the next attempt would start after its end: fail, saying so', () => {
    const failure = failed(503);
    const deadline = START + 256_000; // the seventh delay: 4 s × 2⁶
    expect(nextStep(failure, clock(policy, { attempt: 7, deadline }))).toEqual({ kind: 'retry', delayMs: 256_000 });
    const message = `Gave up after 7 attempts: the 24 h retry window is over. Last error: ${failure.message}`;
    expect(nextStep(failure, clock(policy, { attempt: 7, deadline, now: START + 1 }))).toEqual({
      kind: 'fail',
      type: 'RetryWindowExhausted',
      message,
      lastError: { type: 'RetryWindowExhausted', message },
    });
  });

  test('refused credentials park the delivery until a revision newer than the one the attempt used', () => {
    for (const status of [401, 403]) {
      expect(nextStep(failed(status, {}, 9), clock(policy))).toEqual({
        kind: 'park',
        usedRevision: 9,
        waitMs: hours(72),
      });
    }
  });

  test('a 400 fails at once, and so does a 401 when the credentials wait is 0', () => {
    const badRequest = failed(400);
    const expected = { type: 'CustomerIoRejected', message: badRequest.message };
    expect(nextStep(badRequest, clock(policy))).toEqual({ kind: 'fail', ...expected, lastError: expected });

    const unauthorized = failed(401);
    const noWait = resolveRetryPolicy({ awaitCredentialsMs: 0 });
    const refused = { type: 'CustomerIoUnauthorized', message: troubleshooting(401) };
    expect(nextStep(unauthorized, clock(noWait))).toEqual({ kind: 'fail', ...refused, lastError: refused });
  });

  test('a credentials wait that ran out fails with the refusal and how long it waited; the memo keeps the refusal', () => {
    const unauthorized = failed(401);
    const step = credentialsWaitOver(unauthorized, resolveRetryPolicy({ awaitCredentialsMs: hours(1.5) }));
    expect(step).toEqual({
      kind: 'fail',
      type: 'CustomerIoUnauthorized',
      message: `${troubleshooting(401)} No new credentials arrived within 1.5 h.`,
      lastError: { type: 'CustomerIoUnauthorized', message: troubleshooting(401) },
    });
  });

  test('the jitter is drawn only for a retry, so a replay draws the same numbers at the same points', () => {
    const random = jest.fn(() => 0.5);
    nextStep(failed(401), clock(policy, { random }));
    nextStep(failed(400), clock(policy, { random }));
    expect(random).not.toHaveBeenCalled();
    nextStep(failed(429, { retryAfterMs: 10_000 }), clock(policy, { random }));
    nextStep(failed(503), clock(policy, { random, now: START + policy.retryWindowMs }));
    expect(random).toHaveBeenCalledTimes(2);
  });
});
