import { collectDefaultMetrics, Counter, Registry } from 'prom-client';

/**
 * The process's Prometheus metrics, one registry per process: `npm start` serves them on the API's `/metrics`.
 * Names are spelled here only.
 */
export const registry = new Registry();
// The process itself: CPU, memory (RSS, V8 heap by space), event-loop lag, garbage collection.
collectDefaultMetrics({ register: registry });

export const metrics = {
  workflowStarts: new Counter({
    name: 'signal_intake_workflow_starts_total',
    help: 'Delivery workflows the intake started, by whether the start was eager (its first task handed straight to this process’s worker)',
    labelNames: ['eager'] as const,
    registers: [registry],
  }),
};
