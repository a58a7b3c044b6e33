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
    // Back after the probe is due and has had time to answer, spread over two of the longest intervals.
    const waitMs = (admission as { waitMs: number }).waitMs;
    expect(waitMs).toBeGreaterThanOrEqual(2_000);
    expect(waitMs).toBeLessThanOrEqual(10_000);
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

  test('waiting callers come back at their own point of two maximum intervals after the probe is due and answered', () => {
    let share = 0;
    const c = new IntegrationCircuits({
      failuresToOpen: 1,
      firstProbeMs: 1_000,
      maxProbeMs: 4_000,
      probeLeaseMs: 500,
      now: () => now,
      random: () => share,
    });
    c.failed('int_1');
    const waitAt = (s: number) => ((share = s), (c.admit('int_1') as { waitMs: number }).waitMs);
    // Probe due in 1 s, a second for it to answer, then up to two maximum intervals (8 s).
    expect([waitAt(0), waitAt(0.5), waitAt(0.999)]).toEqual([2_000, 6_000, 9_992]);
    now += 1_000;
    expect(c.admit('int_1')).toEqual({ send: true, probe: true });
    // While the probe is out: until its lease ends, then the spread.
    expect([waitAt(0), waitAt(0.5)]).toEqual([500, 4_500]);
  });

  /**
   * N deliveries waiting through an outage, each coming back when it was told to: how often they come back, how many
   * at once, and how soon all are back after Customer.io is.
   */
  function simulateOutage(options: { waiting: number; outageMs: number; firstProbeMs: number; maxProbeMs: number }) {
    const random = sequence();
    const c = new IntegrationCircuits({
      failuresToOpen: 1,
      firstProbeMs: options.firstProbeMs,
      maxProbeMs: options.maxProbeMs,
      probeLeaseMs: 500,
      now: () => now,
      random,
    });
    const start = now;
    const recovery = start + options.outageMs;
    c.failed('int_1');
    // Each waiter's next return; all were told to wait when the circuit opened.
    const wakes = Array.from({ length: options.waiting }, () => now + (c.admit('int_1') as { waitMs: number }).waitMs);
    const returns: number[] = [];
    let probes = 0;
    let sentAfterRecovery = 0;
    let lastBack = 0;
    while (sentAfterRecovery < options.waiting) {
      const next = Math.min(...wakes);
      const index = wakes.indexOf(next);
      now = next;
      returns.push(now);
      const admission = c.admit('int_1');
      if (!admission.send) {
        wakes[index] = now + admission.waitMs;
        continue;
      }
      if (admission.probe) probes++;
      // A probe answers at once: 503 until the recovery, then 200.
      if (now < recovery) {
        c.failed('int_1');
        wakes[index] = now + (c.admit('int_1') as { waitMs: number }).waitMs;
        continue;
      }
      c.succeeded('int_1');
      sentAfterRecovery++;
      lastBack = now;
      wakes[index] = Number.POSITIVE_INFINITY;
    }
    const during = returns.filter((t) => t < recovery);
    const perSecond = new Map<number, number>();
    for (const t of during)
      perSecond.set(Math.floor((t - start) / 1000), (perSecond.get(Math.floor((t - start) / 1000)) ?? 0) + 1);
    return {
      returnsPerWaiter: during.length / options.waiting,
      busiestSecond: Math.max(...perSecond.values()),
      probes,
      backWithinMs: lastBack - recovery,
    };
  }

  test('through a long outage waiting deliveries come back less than once per probe, at an even rate, and all within three maximum intervals of recovery', () => {
    // 2,000 deliveries, 3 minutes of 503, the default intervals. Spread over a tenth of the interval instead, each
    // came back 7 times (once per probe), all 2,000 within the same second.
    const outage = simulateOutage({ waiting: 2_000, outageMs: 180_000, firstProbeMs: 5_000, maxProbeMs: 30_000 });
    expect(outage.probes).toBe(8);
    expect(outage.returnsPerWaiter).toBeLessThan(4);
    expect(outage.busiestSecond).toBeLessThan(100);
    expect(outage.backWithinMs).toBeLessThanOrEqual(3 * 30_000 + 1_000);
  });

  describe('runs that can be woken by a signal', () => {
    let closed: [string, string[]][];
    const wakeable = () =>
      new IntegrationCircuits({
        failuresToOpen: 3,
        firstProbeMs: 1_000,
        maxProbeMs: 4_000,
        probeLeaseMs: 500,
        now: () => now,
        random: () => 0,
        onClosed: (id, waiters) => closed.push([id, waiters]),
      });
    beforeEach(() => {
      closed = [];
    });

    test('one is told to come back for the probe; the others wait for the close, at most ten intervals', () => {
      const c = wakeable();
      for (let i = 0; i < 3; i++) c.failed('int_1');
      expect(c.admit('int_1', 'run-a')).toEqual({ send: false, waitMs: 1_000, wake: 'timer' });
      // The same run asking again keeps the role; another run waits for the signal.
      expect(c.admit('int_1', 'run-a')).toEqual({ send: false, waitMs: 1_000, wake: 'timer' });
      expect(c.admit('int_1', 'run-b')).toEqual({ send: false, waitMs: 1_000 + 1_000 + 40_000, wake: 'signal' });
      expect(c.admit('int_1', 'run-c')).toMatchObject({ send: false, wake: 'signal' });
      expect(c.waiting('int_1')).toBe(2);
      // A caller that cannot be signalled still comes back on a timer, spread after the probe.
      expect(c.admit('int_1')).toEqual({ send: false, waitMs: 2_000, wake: 'timer' });

      now += 1_000;
      expect(c.admit('int_1', 'run-a')).toEqual({ send: true, probe: true });
      c.succeeded('int_1');
      expect(closed).toEqual([['int_1', ['run-b', 'run-c']]]);
      expect(c.waiting('int_1')).toBe(0);
      expect(c.admit('int_1', 'run-b')).toEqual({ send: true, probe: false });
    });

    test('a failed probe hands the next probe to the next run that asks; a waiter that runs again leaves the list', () => {
      const c = wakeable();
      for (let i = 0; i < 3; i++) c.failed('int_1');
      c.admit('int_1', 'run-a');
      c.admit('int_1', 'run-b');
      now += 1_000;
      expect(c.admit('int_1', 'run-a')).toEqual({ send: true, probe: true });
      c.failed('int_1');
      // run-b came back on its own (its re-check): it no longer waits for the signal, and it probes next.
      expect(c.admit('int_1', 'run-b')).toEqual({ send: false, waitMs: 2_000, wake: 'timer' });
      expect(c.waiting('int_1')).toBe(0);
      expect(c.admit('int_1', 'run-a')).toMatchObject({ wake: 'signal' });
      now += 2_000;
      expect(c.admit('int_1', 'run-b')).toEqual({ send: true, probe: true });
      c.succeeded('int_1');
      expect(closed).toEqual([['int_1', ['run-a']]]);
    });
  });
});

/** Evenly spread shares in [0, 1), in a fixed scrambled order: the spread without a random test. */
function sequence(): () => number {
  let i = 0;
  return () => (i++ * 0.618_033_988_75) % 1;
}
