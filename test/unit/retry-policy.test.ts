import { DEFAULT_RETRY_POLICY, resolveRetryPolicy, retryDelayMs } from '../../src/shared/retry-policy';

describe('retry policy', () => {
  const policy = resolveRetryPolicy({ jitterRatio: 0 });

  test('backs off exponentially from 4 s up to the 1 h cap', () => {
    expect([1, 2, 3, 4].map((n) => retryDelayMs(policy, n, 0.5))).toEqual([4000, 8000, 16000, 32000]);
    expect(retryDelayMs(policy, 30, 0.5)).toBe(3_600_000);
  });

  test('the default schedule fits about 30 attempts in its 24 h window', () => {
    let elapsed = 0;
    let attempts = 1;
    while (elapsed + retryDelayMs(policy, attempts, 0.5) <= DEFAULT_RETRY_POLICY.retryWindowMs) {
      elapsed += retryDelayMs(policy, attempts, 0.5);
      attempts++;
    }
    expect(attempts).toBeGreaterThanOrEqual(25);
    expect(attempts).toBeLessThanOrEqual(35);
  });

  test('jitter spreads each delay within ±ratio', () => {
    const jittered = resolveRetryPolicy({ jitterRatio: 0.2 });
    expect(retryDelayMs(jittered, 1, 0)).toBe(3200);
    expect(retryDelayMs(jittered, 1, 0.999999)).toBe(4800);
  });

  test('Retry-After wins, but never below the initial interval', () => {
    expect(retryDelayMs(policy, 1, 0.5, 30_000)).toBe(30_000);
    expect(retryDelayMs(policy, 1, 0.5, 0)).toBe(4000);
  });

  test('undefined overrides keep the defaults; the cap never drops below the first delay', () => {
    expect(resolveRetryPolicy({ initialIntervalMs: undefined })).toEqual(DEFAULT_RETRY_POLICY);
    expect(resolveRetryPolicy({ initialIntervalMs: 10_000, maximumIntervalMs: 1_000 }).maximumIntervalMs).toBe(10_000);
  });
});
