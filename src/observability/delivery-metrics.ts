import type { FastifyReply, FastifyRequest } from 'fastify';
import { Counter, Gauge, Histogram } from 'prom-client';
import { EVENT_TYPES } from '../shared/event';
import { registry } from './metrics';

/**
 * What the intake and the delivery worker measure, in the process registry of metrics.ts (the README's "Metrics"
 * section lists them). A label value is only ever an integration id, an event type, a status or an HTTP status
 * class or code: never a customer id, an email, a message id or a credential, which are both personal and unbounded.
 */

/** An event type as a label: the schema allows only these, and anything else must not grow the label set. */
export function eventTypeLabel(type: unknown): string {
  return (EVENT_TYPES as readonly unknown[]).includes(type) ? (type as string) : 'other';
}

/** `network` when no HTTP answer arrived (DNS, connect, reset, timeout). */
export function statusClass(status: number | undefined): string {
  return status === undefined || status < 100 || status > 599 ? 'network' : `${Math.floor(status / 100)}xx`;
}

const SECONDS_FAST = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

export const deliveryMetrics = {
  intakeEvents: new Counter({
    name: 'signal_intake_events_total',
    help: 'Events in intake requests, by outcome: accepted (a delivery exists for every enabled integration) or rejected (invalid, or refused by an integration)',
    labelNames: ['outcome'] as const,
    registers: [registry],
  }),
  intakeDuplicates: new Counter({
    name: 'signal_intake_duplicates_total',
    help: 'Events the intake did not start again because their messageId already went to that integration',
    labelNames: ['integration_id', 'event_type'] as const,
    registers: [registry],
  }),
  intakeRefused: new Counter({
    name: 'signal_intake_refused_total',
    help: 'Valid events an integration would not take (an identifier that cannot address Customer.io, or too large for Temporal)',
    labelNames: ['integration_id', 'event_type'] as const,
    registers: [registry],
  }),
  intakeRequestSeconds: new Histogram({
    name: 'signal_intake_request_duration_seconds',
    help: 'Intake requests (POST /v1/events, /v1/batch) from arrival to answer, by route and HTTP status code',
    labelNames: ['route', 'status_code'] as const,
    buckets: SECONDS_FAST,
    registers: [registry],
  }),
  workflowStarts: new Counter({
    name: 'signal_intake_workflow_starts_total',
    help: 'Delivery workflows the intake started, by whether the start was eager (its first task handed straight to this process’s worker)',
    labelNames: ['eager'] as const,
    registers: [registry],
  }),
  deliveriesStarted: new Counter({
    name: 'signal_deliveries_started_total',
    help: 'Delivery workflows started, by integration, event type and source (intake, or a replay through the API)',
    labelNames: ['integration_id', 'event_type', 'source'] as const,
    registers: [registry],
  }),
  deliveriesFinished: new Counter({
    name: 'signal_deliveries_finished_total',
    help: 'Delivery workflows that ended on this worker, by integration, event type and status (delivered, failed, filtered, cancelled)',
    labelNames: ['integration_id', 'event_type', 'status'] as const,
    registers: [registry],
  }),
  late: new Counter({
    name: 'signal_deliveries_late_total',
    help: 'Deliveries Customer.io accepted after its 72-hour campaign window for their event had passed (stored, but they start no campaign), by integration',
    labelNames: ['integration_id'] as const,
    registers: [registry],
  }),
  parks: new Counter({
    name: 'signal_deliveries_parked_total',
    help: 'Times a delivery parked to wait for new credentials after a 401/403, by integration',
    labelNames: ['integration_id'] as const,
    registers: [registry],
  }),
  unparks: new Counter({
    name: 'signal_deliveries_unparked_total',
    help: 'Parked deliveries that stopped waiting, by integration and why: new_credentials (or the integration disabled or deleted), or expired',
    labelNames: ['integration_id', 'reason'] as const,
    registers: [registry],
  }),
  attempts: new Counter({
    name: 'signal_customerio_attempts_total',
    help: 'HTTP attempts at the Customer.io Track API, by integration and status class (2xx, 3xx, 4xx, 5xx, network)',
    labelNames: ['integration_id', 'status_class'] as const,
    registers: [registry],
  }),
  attemptSeconds: new Histogram({
    name: 'signal_customerio_attempt_duration_seconds',
    help: 'How long one HTTP attempt at Customer.io took (redirects included), by status class',
    labelNames: ['status_class'] as const,
    buckets: SECONDS_FAST,
    registers: [registry],
  }),
  retryAfter: new Counter({
    name: 'signal_customerio_retry_after_total',
    help: 'Customer.io answers that carried a Retry-After, by integration and status class',
    labelNames: ['integration_id', 'status_class'] as const,
    registers: [registry],
  }),
  retryAfterSeconds: new Histogram({
    name: 'signal_customerio_retry_after_seconds',
    help: 'The waits Customer.io asked for in Retry-After, by integration',
    labelNames: ['integration_id'] as const,
    buckets: [0.5, 1, 2, 5, 10, 30, 60, 120, 300, 900, 3600],
    registers: [registry],
  }),
  circuitTransitions: new Counter({
    name: 'signal_customerio_circuit_transitions_total',
    help: 'Changes of an integration’s circuit in this worker, by the state entered: open (consecutive 5xx or network failures, or a failed probe), probing (one probe sent), closed (an answer)',
    labelNames: ['integration_id', 'state'] as const,
    registers: [registry],
  }),
  circuitDeferred: new Counter({
    name: 'signal_customerio_circuit_deferred_total',
    help: 'Attempts this worker held back because the integration’s circuit was open: the delivery waited for the next probe without spending an attempt',
    labelNames: ['integration_id'] as const,
    registers: [registry],
  }),
  orderWaits: new Counter({
    name: 'signal_order_waits_total',
    help: 'Ordered deliveries that had to wait for an earlier delivery of the same person (barrier: the waiting one is a deletion or suppression), by integration',
    labelNames: ['integration_id', 'barrier'] as const,
    registers: [registry],
  }),
  orderOvertakes: new Counter({
    name: 'signal_order_overtakes_total',
    help: 'Ordered deliveries that went ahead of an earlier delivery of the same person after waiting order_wait_minutes, by integration',
    labelNames: ['integration_id'] as const,
    registers: [registry],
  }),
  orderWaitSeconds: new Histogram({
    name: 'signal_order_wait_seconds',
    help: 'How long ordered deliveries that waited for an earlier delivery of the same person waited in all, by integration',
    labelNames: ['integration_id'] as const,
    buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 30, 60, 300, 1800, 3600],
    registers: [registry],
  }),
  circuitWoken: new Counter({
    name: 'signal_customerio_circuit_woken_total',
    help: 'Deliveries this worker signalled to try again because the integration’s circuit closed (they had waited for it)',
    labelNames: ['integration_id'] as const,
    registers: [registry],
  }),
};

/** A delivery run was started (not a duplicate), by the intake or a replay through the API. */
export function countStarted(
  outcome: { status: string },
  input: { integrationId: string; event: { type: string } },
  source: 'intake' | 'replay',
): void {
  if (outcome.status !== 'started') return;
  deliveryMetrics.deliveriesStarted.inc({
    integration_id: input.integrationId,
    event_type: eventTypeLabel(input.event.type),
    source,
  });
}

/** Labelled by the route's pattern, never the URL as sent (which could carry anything). */
export function observeIntakeRequest(request: FastifyRequest, reply: FastifyReply): void {
  deliveryMetrics.intakeRequestSeconds.observe(
    { route: request.routeOptions.url ?? 'unknown', status_code: String(reply.statusCode) },
    reply.elapsedTime / 1000,
  );
}

type RateSource = () => Iterable<[integrationId: string, perSecond: number]>;
const rateSources = new Set<RateSource>();

new Gauge({
  name: 'signal_rate_limiter_requests_per_second',
  help: 'Requests per second this worker allows itself to send to each integration now: its share of the configured rate, lower while Customer.io pushes back',
  labelNames: ['integration_id'] as const,
  registers: [registry],
  // Read at scrape time: the rate recovers continuously between requests, so a value pushed on change would be stale.
  collect() {
    this.reset();
    for (const source of rateSources) for (const [id, rate] of source()) this.inc({ integration_id: id }, rate);
  },
});

/** Reports a worker's limiter rates on every scrape until the returned function is called (the worker stopped). */
export function reportLimiterRates(source: RateSource): () => void {
  rateSources.add(source);
  return () => rateSources.delete(source);
}

type CircuitSource = () => Iterable<[integrationId: string, state: 'closed' | 'open' | 'probing']>;
const circuitSources = new Set<CircuitSource>();

new Gauge({
  name: 'signal_customerio_circuit_open',
  help: 'Whether this worker’s circuit for the integration is open (1: deliveries wait for a probe; probing counts as open) or closed (0)',
  labelNames: ['integration_id'] as const,
  registers: [registry],
  collect() {
    this.reset();
    for (const source of circuitSources)
      for (const [id, state] of source()) this.inc({ integration_id: id }, state === 'closed' ? 0 : 1);
  },
});

/** Reports a worker's circuit states on every scrape until the returned function is called (the worker stopped). */
export function reportCircuitStates(source: CircuitSource): () => void {
  circuitSources.add(source);
  return () => circuitSources.delete(source);
}
