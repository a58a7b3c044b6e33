import { type CircuitChange, IntegrationCircuits } from '../../src/activities/circuit-breaker';

describe('IntegrationCircuits', () => {
  let now: number;
  let changes: [string, CircuitChange][];
  const circuits = () =>
    new IntegrationCircuits({
      failuresToOpen: 3,
      firstProbeMs: 1_000,
      maxProbeMs: 4_000,
      probeLeaseMs: 500,
      now: () => now,
      onChange: (id, change) => changes.push([id, change]),
    });
  beforeEach(() => {
    now = 1_000_000;
    changes = [];
  });

  test('stays closed below the threshold, and a success in between starts the count again', () => {
    const c = circuits();
    c.failed('int_1');
    c.failed('int_1');
    c.succeeded('int_1');
    c.failed('int_1');
    c.failed('int_1');
    expect(c.state('int_1')).toBe('closed');
    expect(c.admit('int_1')).toEqual({ send: true, probe: false });
    expect(changes).toEqual([]);
  });

  test('opens after consecutive failures: callers wait for the probe time without sending', () => {
    const c = circuits();
    for (let i = 0; i < 3; i++) c.failed('int_1');
    expect(c.state('int_1')).toBe('open');
    expect(changes).toEqual([
      ['int_1', { state: 'open', consecutiveFailures: 3, openedAt: now, nextProbeAt: now + 1_000 }],
    ]);
    const admission = c.admit('int_1');
    expect(admission.send).toBe(false);
    // Back after the probe is due and has had time to answer, spread by at most a tenth of the interval.
    const waitMs = (admission as { waitMs: number }).waitMs;
    expect(waitMs).toBeGreaterThanOrEqual(2_000);
    expect(waitMs).toBeLessThanOrEqual(2_100);
    // Another integration is not affected.
    expect(c.admit('int_2')).toEqual({ send: true, probe: false });
  });

  test('one probe when due; the others wait for its outcome; a failed probe doubles the interval up to the max', () => {
    const c = circuits();
    for (let i = 0; i < 3; i++) c.failed('int_1');
    const probeTimes: number[] = [];
    for (let round = 0; round < 4; round++) {
      now = changes.at(-1)![1].nextProbeAt!;
      expect(c.admit('int_1')).toEqual({ send: true, probe: true });
      probeTimes.push(now);
      expect(c.state('int_1')).toBe('probing');
      expect(c.admit('int_1').send).toBe(false);
      expect(c.admit('int_1').send).toBe(false);
      now += 100;
      c.failed('int_1');
      expect(c.state('int_1')).toBe('open');
    }
    // 1 s, then 2 s, then 4 s, then 4 s (the max), each counted from the failed probe's answer.
    const gaps = probeTimes.slice(1).map((t, i) => t - probeTimes[i]! - 100);
    expect(gaps).toEqual([2_000, 4_000, 4_000]);
  });

  test('a probe that never reports lets another caller probe once its lease is over', () => {
    const c = circuits();
    for (let i = 0; i < 3; i++) c.failed('int_1');
    now += 1_000;
    expect(c.admit('int_1')).toEqual({ send: true, probe: true });
    now += 499;
    expect(c.admit('int_1').send).toBe(false);
    now += 1;
    expect(c.admit('int_1')).toEqual({ send: true, probe: true });
  });

  test('the first success closes it: everyone sends again, and the next outage starts from the first interval', () => {
    const c = circuits();
    for (let i = 0; i < 3; i++) c.failed('int_1');
    now += 1_000;
    c.admit('int_1');
    c.failed('int_1');
    now += 2_000;
    expect(c.admit('int_1')).toEqual({ send: true, probe: true });
    c.succeeded('int_1');
    expect(c.state('int_1')).toBe('closed');
    expect(changes.at(-1)).toEqual(['int_1', { state: 'closed', consecutiveFailures: 0 }]);
    expect(c.admit('int_1')).toEqual({ send: true, probe: false });
    expect(c.admit('int_1')).toEqual({ send: true, probe: false });
    for (let i = 0; i < 3; i++) c.failed('int_1');
    expect(changes.at(-1)![1]).toMatchObject({ state: 'open', nextProbeAt: now + 1_000 });
  });

  test('failures of attempts already out when it opened do not move the probe schedule', () => {
    const c = circuits();
    for (let i = 0; i < 3; i++) c.failed('int_1');
    const opened = changes.length;
    c.failed('int_1');
    c.failed('int_1');
    expect(changes).toHaveLength(opened);
    expect([...c.states()]).toEqual([['int_1', 'open']]);
  });
});
