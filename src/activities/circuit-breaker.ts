/** `closed`: attempts go out. `open`: they wait for the next probe. `probing`: one probe is out, the rest wait. */
export type CircuitState = 'closed' | 'open' | 'probing';

export interface CircuitOptions {
  /** Consecutive 5xx or network failures, across deliveries, that open the circuit. */
  failuresToOpen: number;
  /** The wait before the first probe after the circuit opens; it doubles after each failed probe, up to `maxProbeMs`. */
  firstProbeMs: number;
  maxProbeMs: number;
  /**
   * How long a probe may be out before another caller may probe (the first was cut off and will never report):
   * more than the HTTP timeout of one attempt.
   */
  probeLeaseMs: number;
  now?: () => number;
  /** In [0, 1): where in the spread a waiting caller comes back (tests pin it). */
  random?: () => number;
  /** Told about every change of state, e.g. to record it where the API can read it. */
  onChange?: (integrationId: string, change: CircuitChange) => void;
  /** Told when a circuit closes, with the runs waiting on it for a signal (they must be woken). */
  onClosed?: (integrationId: string, waiters: string[]) => void;
}

export interface CircuitChange {
  state: CircuitState;
  consecutiveFailures: number;
  /** When the circuit opened (open and probing). */
  openedAt?: number;
  /** When the next probe may go out (open and probing). */
  nextProbeAt?: number;
}

/**
 * What an attempt may do now: go out (as the probe, when the circuit is not closed), or wait: this long (`timer`), or
 * until the circuit closes and the worker signals it, this long at most (`signal`).
 */
export type Admission = { send: true; probe: boolean } | { send: false; waitMs: number; wake: 'timer' | 'signal' };

/** A probe usually answers within this; a caller that comes back while it is still out waits for its lease. */
const PROBE_SETTLE_MS = 1_000;

/**
 * Waiting callers come back spread over this many of the longest probe intervals (CIRCUIT_MAX_PROBE_MS) after the next
 * probe. Each return is a workflow task and a local activity: spread over a tenth of the interval, 2,000 deliveries
 * came back together at every probe (and again at recovery, when the rate limiter deferred most of them), a burst
 * that slowed a healthy integration on the same worker. Spread this way a caller comes back less than once per probe,
 * at an even rate, and after recovery every one is back within three maximum intervals (91 s at the default 30 s).
 */
const WAIT_SPREAD_INTERVALS = 2;

/**
 * A run that waits for the circuit's signal checks again after this many of the longest probe intervals anyway (five
 * minutes at the default 30 s), spread over `WAIT_SPREAD_INTERVALS` more: the signal is lost when this worker stops,
 * and the run that was to probe may have ended. Until then a waiting run costs nothing: the timed returns above cost
 * 2,000 queued deliveries 5,128 workflow tasks in a 120 s outage, and a healthy integration's p99 on the same worker
 * rose from 57 to 445 ms.
 */
const SIGNALLED_WAIT_INTERVALS = 10;

interface Circuit {
  state: CircuitState;
  failures: number;
  openedAt: number;
  intervalMs: number;
  nextProbeAt: number;
  /** The waiting run told to come back when the next probe is due (the others wait for the signal). */
  prober?: string;
  /** Runs waiting for the signal that the circuit closed. */
  waiters: Set<string>;
}

/**
 * Per integration, in the worker: after `failuresToOpen` consecutive 5xx or network failures Customer.io is taken to
 * be down, and instead of every delivery retrying on its own schedule (a storm, up to the rate limit), one probe goes
 * out at a growing interval while the others wait. The first answer that is not a 5xx or a network failure closes it.
 * In memory, like the rate limiter: each worker has its own circuit, so N workers send at most N probes per interval.
 */
export class IntegrationCircuits {
  private readonly circuits = new Map<string, Circuit>();
  private readonly now: () => number;
  private readonly random: () => number;

  constructor(private readonly options: CircuitOptions) {
    this.now = options.now ?? Date.now;
    this.random = options.random ?? Math.random;
  }

  /**
   * Asked before an attempt. A caller told `probe: true` must report the outcome with `succeeded` or `failed`. A
   * caller that names its run (`waiter`) can be woken by a signal: one such run is told to come back for the next
   * probe, the others wait for the circuit to close.
   */
  admit(integrationId: string, waiter?: string): Admission {
    const circuit = this.circuits.get(integrationId);
    if (!circuit || circuit.state === 'closed') return { send: true, probe: false };
    if (waiter !== undefined) circuit.waiters.delete(waiter);
    const now = this.now();
    if (now < circuit.nextProbeAt) return this.wait(circuit, now, waiter);
    // Due (or a probe's lease ran out): this caller probes; the others wait for its outcome.
    circuit.state = 'probing';
    circuit.nextProbeAt = now + this.options.probeLeaseMs;
    circuit.prober = undefined;
    this.changed(integrationId, circuit);
    return { send: true, probe: true };
  }

  /** An answer from Customer.io that is not a 5xx: it is up. */
  succeeded(integrationId: string): void {
    const circuit = this.circuits.get(integrationId);
    if (!circuit) return;
    const wasClosed = circuit.state === 'closed';
    circuit.failures = 0;
    if (wasClosed) return;
    circuit.state = 'closed';
    circuit.intervalMs = 0;
    circuit.prober = undefined;
    const waiters = [...circuit.waiters];
    circuit.waiters.clear();
    this.changed(integrationId, circuit);
    this.options.onClosed?.(integrationId, waiters);
  }

  /** A 5xx or no answer at all. */
  failed(integrationId: string): void {
    const now = this.now();
    let circuit = this.circuits.get(integrationId);
    if (!circuit) {
      circuit = { state: 'closed', failures: 0, openedAt: 0, intervalMs: 0, nextProbeAt: 0, waiters: new Set() };
      this.circuits.set(integrationId, circuit);
    }
    circuit.failures++;
    if (circuit.state === 'closed') {
      if (circuit.failures < this.options.failuresToOpen) return;
      circuit.openedAt = now;
      circuit.intervalMs = this.options.firstProbeMs;
    } else if (circuit.state === 'probing') {
      circuit.intervalMs = Math.min(circuit.intervalMs * 2, this.options.maxProbeMs);
    } else {
      // An attempt admitted before the circuit opened failed too: no new information, the schedule stands.
      return;
    }
    circuit.state = 'open';
    circuit.nextProbeAt = now + circuit.intervalMs;
    this.changed(integrationId, circuit);
  }

  state(integrationId: string): CircuitState {
    return this.circuits.get(integrationId)?.state ?? 'closed';
  }

  /** Every integration whose circuit is not closed, with its state (for metrics). */
  *states(): Iterable<[string, CircuitState]> {
    for (const [id, circuit] of this.circuits) yield [id, circuit.state];
  }

  /** Runs waiting for the signal of the circuit's close (to show and count). */
  waiting(integrationId: string): number {
    return this.circuits.get(integrationId)?.waiters.size ?? 0;
  }

  private wait(circuit: Circuit, now: number, waiter: string | undefined): Admission {
    const untilProbe = Math.max(1, Math.ceil(circuit.nextProbeAt - now));
    if (waiter === undefined) return { send: false, waitMs: this.spreadAfter(circuit, untilProbe, 0), wake: 'timer' };
    if (circuit.prober === undefined || circuit.prober === waiter) {
      circuit.prober = waiter;
      return { send: false, waitMs: untilProbe, wake: 'timer' };
    }
    circuit.waiters.add(waiter);
    const recheck = this.options.maxProbeMs * SIGNALLED_WAIT_INTERVALS;
    return { send: false, waitMs: this.spreadAfter(circuit, untilProbe, recheck), wake: 'signal' };
  }

  /**
   * After the probe is due and has usually answered, and `extraMs`, each caller at its own point of the
   * `WAIT_SPREAD_INTERVALS` maximum intervals that follow, so a large backlog neither wakes at once nor at every probe.
   */
  private spreadAfter(circuit: Circuit, untilProbe: number, extraMs: number): number {
    const settle = circuit.state === 'probing' ? 0 : PROBE_SETTLE_MS;
    const spread = this.random() * this.options.maxProbeMs * WAIT_SPREAD_INTERVALS;
    return Math.ceil(untilProbe + settle + extraMs + spread);
  }

  private changed(integrationId: string, circuit: Circuit): void {
    const open = circuit.state !== 'closed';
    this.options.onChange?.(integrationId, {
      state: circuit.state,
      consecutiveFailures: circuit.failures,
      ...(open ? { openedAt: circuit.openedAt, nextProbeAt: circuit.nextProbeAt } : {}),
    });
  }
}
