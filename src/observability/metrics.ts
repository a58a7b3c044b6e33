import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';

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
  liveStreams: new Gauge({
    name: 'signal_api_live_streams',
    help: 'Live Events streams (GET /v1/admin/live-events) open now, counted from admission to the end of the connection',
    registers: [registry],
  }),
  liveStreamsRefused: new Counter({
    name: 'signal_api_live_streams_refused_total',
    help: 'Live Events streams refused, by the cap that refused them (token, total) or because the API was stopping',
    labelNames: ['reason'] as const,
    registers: [registry],
  }),
};
