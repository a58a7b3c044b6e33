import { hostname } from 'node:os';
import { setTimeout as delay } from 'node:timers/promises';
import { IntegrationCircuits } from '../activities/circuit-breaker';
import type { DeliveryRateLimiter } from '../activities/rate-limiter';
import type { RunSignals } from '../activities/run-signals';
import type { Config } from '../config';
import { deliveryMetrics } from '../observability/delivery-metrics';
import type { Core } from '../service/core';
import { DEFER_AFTER_MS } from '../shared/attempt-timing';
import { CIRCUIT_CLOSED_SIGNAL } from '../shared/names';

/** As Temporal names a worker by default, so a row in the store can be matched with the worker in a history. */
const WORKER_NAME = `${process.pid}@${hostname()}`;

/**
 * This worker's circuits, tuned by the operator's settings: every change is counted in the metrics and recorded in
 * the store for the API, one write after another so the last one recorded is the last one made.
 */
export function createCircuits(
  core: Pick<Core, 'circuits'>,
  config: Config,
  wake: CircuitWakeDeps,
): IntegrationCircuits {
  let writes = Promise.resolve();
  return new IntegrationCircuits({
    onClosed: (integrationId, waiters) => void wakeWaiters(integrationId, waiters, wake),
    failuresToOpen: config.CIRCUIT_FAILURES_TO_OPEN,
    firstProbeMs: config.CIRCUIT_FIRST_PROBE_MS,
    maxProbeMs: config.CIRCUIT_MAX_PROBE_MS,
    // The longest a probe can take (rate-limit wait, then the exchange), and a second more.
    probeLeaseMs: DEFER_AFTER_MS + config.CUSTOMERIO_HTTP_TIMEOUT_MS + 1_000,
    onChange(integrationId, change) {
      deliveryMetrics.circuitTransitions.inc({ integration_id: integrationId, state: change.state });
      const iso = (ms: number | undefined) => (ms === undefined ? null : new Date(ms).toISOString());
      const row = {
        worker: WORKER_NAME,
        state: change.state,
        consecutive_failures: change.consecutiveFailures,
        opened_at: iso(change.openedAt),
        next_probe_at: iso(change.nextProbeAt),
        updated_at: new Date().toISOString(),
      };
      // A report for the API: a failed write loses only the display, never a delivery, so it must not fail one.
      writes = writes.then(() => core.circuits.record(integrationId, row)).catch(() => undefined);
    },
  });
}

interface CircuitWakeDeps {
  signals: RunSignals;
  limiter: Pick<DeliveryRateLimiter, 'currentRate'>;
}

/** Signals at most this many waiting runs per second when the integration has no known rate yet. */
const DEFAULT_WAKE_PER_SECOND = 50;

/**
 * Wakes the runs that waited for the circuit, at the integration's send rate in this worker: woken all at once, most
 * would find no rate-limit slot and wait again on a timer (a second workflow task each). A run that ended meanwhile
 * answers not_found; a signal that fails is covered by the run's own re-check.
 */
async function wakeWaiters(integrationId: string, waiters: string[], deps: CircuitWakeDeps): Promise<void> {
  const perSecond = deps.limiter.currentRate(integrationId) ?? DEFAULT_WAKE_PER_SECOND;
  const gapMs = 1000 / Math.max(perSecond, 1);
  const started = Date.now();
  for (const [i, workflowId] of waiters.entries()) {
    const dueIn = started + i * gapMs - Date.now();
    if (dueIn > 0) await delay(dueIn);
    try {
      const answer = await deps.signals.signal(workflowId, CIRCUIT_CLOSED_SIGNAL);
      if (answer === 'signalled') deliveryMetrics.circuitWoken.inc({ integration_id: integrationId });
    } catch {
      // The run checks again on its own (SIGNALLED_WAIT_INTERVALS): a lost wake-up delays it, it loses nothing.
    }
  }
}
