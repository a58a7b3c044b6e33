import { hostname } from 'node:os';
import { IntegrationCircuits } from '../activities/circuit-breaker';
import type { Config } from '../config';
import { deliveryMetrics } from '../observability/delivery-metrics';
import type { Core } from '../service/core';
import { DEFER_AFTER_MS } from '../shared/attempt-timing';

/** As Temporal names a worker by default, so a row in the store can be matched with the worker in a history. */
const WORKER_NAME = `${process.pid}@${hostname()}`;

/**
 * This worker's circuits, tuned by the operator's settings: every change is counted in the metrics and recorded in
 * the store for the API, one write after another so the last one recorded is the last one made.
 */
export function createCircuits(core: Pick<Core, 'circuits'>, config: Config): IntegrationCircuits {
  let writes = Promise.resolve();
  return new IntegrationCircuits({
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
