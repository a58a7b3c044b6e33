import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';

/**
 * The process's Prometheus registry (`npm start` serves it on the API's `/metrics`) and the API's own metrics; the
 * intake's and the deliveries' are in delivery-metrics.ts. Metric names are spelled in these two modules only.
 */
export const registry = new Registry();
// The process itself: CPU, memory (RSS, V8 heap by space), event-loop lag, garbage collection.
collectDefaultMetrics({ register: registry });

export const metrics = {
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
