import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { takeOrder } from '../client/order-deliveries';
import { type LocalWaits, startInRequestOrder } from '../client/start-in-order';
import { type ChainedBehind, InvalidEventError, settleEvent, startDeliveryRun } from '../client/start-delivery';
import type { SettledDelivery } from '../customerio/delivery-input';
import type { OrderBook } from '../store/order-book';
import { AppError } from '../errors';
import { countStarted, deliveryMetrics, eventTypeLabel } from '../observability/delivery-metrics';
import type { SignalEvent } from '../shared/event';
import { parseSignalEvent } from '../shared/event-schema';
import type { RetryPolicy } from '../shared/retry-policy';
import { deliveryRunWorkflowId } from '../shared/names';
import { releaseWaiter } from '../client/release-delivery';
import { GRPC, hasGrpcCode, isTemporalUnreachable, withinDeadline } from '../temporal/grpc-status';
import type { ActiveIntegrations } from './active-integrations';
import { consentDecision } from './consent';
import { isRecord } from '../shared/json-shape';

interface DeliveryReceipt {
  message_id: string;
  integration_id: string;
  workflow_id: string;
  /** `duplicate`: this message was already handed to this integration; nothing new started. */
  status: 'started' | 'duplicate';
  /** Set when the delivery is recorded but will not be sent. */
  filtered?: 'consent_denied';
}

interface IntakeReceipt {
  accepted: number;
  duplicates: number;
  deliveries: DeliveryReceipt[];
  rejected: { index: number; errors: { field: string; message: string }[] }[];
}

interface EventIntakeOptions {
  client: Client;
  integrations: ActiveIntegrations;
  taskQueue: string;
  /** Retry schedule overrides for every delivery (tests); the integration's own retry window still applies. */
  retry?: Partial<RetryPolicy>;
  /** How many workflow starts run at once for one request. */
  startConcurrency?: number;
  /** The client shares its NativeConnection with a worker in this process: ask for eager starts. */
  eagerStart?: boolean;
  /**
   * How long one workflow start may wait for Temporal before the request fails as a whole (503):
   * INTAKE_TEMPORAL_TIMEOUT_MS. Each start has its own deadline, so a large batch on a busy but healthy Temporal is
   * not refused for its size, while an unreachable one is found within this time.
   */
  temporalTimeoutMs: number;
  /** Places each request's deliveries in their people's order before they start (issue 16); without it, unordered. */
  orderBook?: OrderBook;
  /**
   * With eagerStart, the order notifier of the worker in this process: a person's events that must wait for an
   * earlier one start at once, eagerly, and wait for it in that worker (src/client/start-in-order.ts), instead of
   * starting delayed and being released by signal-with-start.
   */
  localOrder?: LocalWaits | undefined;
}

/**
 * Turns accepted events into delivery workflows, one per (event, enabled integration). Returns only once Temporal
 * has accepted every start, so a 202 means nothing can be lost; a failure means retry the whole request (starts
 * are idempotent by messageId). A start that ran out of time may still have been taken by Temporal: the retry then
 * finds it and reports it as a duplicate, never a second delivery.
 */
export class EventIntake {
  constructor(private readonly options: EventIntakeOptions) {}

  async ingest(rawEvents: unknown[]): Promise<IntakeReceipt> {
    const receipt: IntakeReceipt = { accepted: 0, duplicates: 0, deliveries: [], rejected: [] };
    const events: { index: number; event: SignalEvent }[] = [];
    const receivedAt = new Date();
    rawEvents.forEach((raw, index) => {
      const withId =
        isRecord(raw) && raw.messageId === undefined && raw.message_id === undefined
          ? { ...raw, messageId: randomUUID() }
          : raw;
      const parsed = parseSignalEvent(withId);
      if (parsed.ok) events.push({ index, event: parsed.event });
      else receipt.rejected.push({ index, errors: parsed.issues.map((i) => ({ field: i.path, message: i.message })) });
    });
    if (events.length === 0) return counted(receipt);

    const integrations = await this.options.integrations.current();
    const refused = new Map<number, { field: string; message: string }[]>();
    // Settled first, then placed in their people's order (one order-book transaction per integration), and only then
    // started: a store failure fails the request (503) before anything starts, never an unordered start.
    const planned: Planned[] = [];
    for (const integration of integrations) {
      const settledHere: Planned[] = [];
      for (const { index, event } of events) {
        const consent = consentDecision(event, integration.config.consent_categories);
        try {
          const settled = settleEvent(integration.id, event, {
            // One receive time for the event, whichever integrations it goes to.
            now: () => receivedAt,
            config: integration.config,
            retry: this.options.retry,
            ...(consent.allowed ? {} : { filter: { reason: 'consent_denied', detail: consent.detail } }),
          });
          settledHere.push({ index, event, integrationId: integration.id, consentAllowed: consent.allowed, settled });
        } catch (err) {
          if (!(err instanceof InvalidEventError)) throw err;
          refused.set(index, errorsOf(err));
          deliveryMetrics.intakeRefused.inc({ integration_id: integration.id, event_type: eventTypeLabel(event.type) });
        }
      }
      const { orderBook } = this.options;
      const ordered = orderBook
        ? await takeOrder(
            orderBook,
            integration.id,
            settledHere.map((p) => p.settled),
            integration.config,
          )
        : settledHere.map((p) => p.settled);
      settledHere.forEach((p, i) => planned.push({ ...p, settled: ordered[i]! }));
    }
    // Receipts list each event's deliveries together, in the order of the request (a stable sort keeps integrations).
    planned.sort((a, b) => a.index - b.index);
    const jobs = planned.map(
      ({ index, event, integrationId, consentAllowed, settled }) =>
        async (chainedBehind: ChainedBehind | undefined): Promise<DeliveryReceipt | undefined> => {
          const labels = { integration_id: integrationId, event_type: eventTypeLabel(event.type) };
          let outcome;
          try {
            const { client } = this.options;
            outcome = await withinDeadline(client, this.options.temporalTimeoutMs, async () => {
              const { taskQueue, eagerStart: eager } = this.options;
              const started = await startDeliveryRun(client, settled, {
                taskQueue,
                eager,
                ...(chainedBehind ? { chainedBehind } : {}),
              });
              countStarted(started, settled.input, 'intake');
              return started;
            });
          } catch (err) {
            // Temporal out of reach fails the whole request (retry it); an event it will not take is refused alone.
            if (isTemporalUnreachable(err)) throw new TemporalUnavailable();
            const problems = refusal(err);
            if (!problems) throw err;
            // Never started, so it never finishes by itself: its place must not hold the person's later events.
            if (settled.input.order) await this.released(deliveryRunWorkflowId(settled.input));
            refused.set(index, problems);
            deliveryMetrics.intakeRefused.inc(labels);
            return undefined;
          }
          if (outcome.status === 'started')
            deliveryMetrics.workflowStarts.inc({ eager: String(outcome.eager === true) });
          else deliveryMetrics.intakeDuplicates.inc(labels);
          return {
            message_id: event.messageId!,
            integration_id: integrationId,
            workflow_id: outcome.workflowId,
            status: outcome.status,
            ...(consentAllowed ? {} : { filtered: 'consent_denied' as const }),
          };
        },
    );
    let started: (DeliveryReceipt | undefined)[];
    try {
      const { orderBook } = this.options;
      started = await startInRequestOrder(
        planned.map((p) => p.settled),
        (i, chainedBehind) => jobs[i]!(chainedBehind),
        {
          limit: this.options.startConcurrency ?? 16,
          local: orderBook && this.options.eagerStart ? this.options.localOrder : undefined,
          chain: orderBook && {
            orderBook,
            release: (id) => releaseWaiter(this.options.client, id, this.options.taskQueue),
          },
        },
      );
    } catch (err) {
      if (!(err instanceof TemporalUnavailable)) throw err;
      throw new AppError(
        503,
        'TEMPORAL_UNAVAILABLE',
        'Temporal did not accept every delivery: retry the whole request (deliveries are idempotent by messageId, so nothing is sent twice).',
      );
    }
    receipt.deliveries = started.filter((d): d is DeliveryReceipt => d !== undefined);
    for (const [index, errors] of refused) receipt.rejected.push({ index, errors });
    receipt.rejected.sort((a, b) => a.index - b.index);
    receipt.accepted = events.length - refused.size;
    receipt.duplicates = receipt.deliveries.filter((d) => d.status === 'duplicate').length;
    return counted(receipt);
  }

  /** A delivery that took its place but was refused at its start: finished, and whoever waits for it told so. */
  private async released(workflowId: string): Promise<void> {
    const waiters = await this.options.orderBook!.finish(workflowId, 'refused');
    const { client } = this.options;
    await Promise.all(
      waiters.map((id) =>
        releaseWaiter(client, id, this.options.taskQueue)
          // A waiter gone, or Temporal out of reach, finds out from the order book itself.
          .catch(() => undefined),
      ),
    );
  }
}

/** Counted once the request's answer is settled: a request that fails as a whole (503) accepted nothing. */
function counted(receipt: IntakeReceipt): IntakeReceipt {
  deliveryMetrics.intakeEvents.inc({ outcome: 'accepted' }, receipt.accepted);
  deliveryMetrics.intakeEvents.inc({ outcome: 'rejected' }, receipt.rejected.length);
  return receipt;
}

class TemporalUnavailable extends Error {}

/** One delivery of the request, settled (and placed in its person's order) before anything starts. */
interface Planned {
  index: number;
  event: SignalEvent;
  integrationId: string;
  consentAllowed: boolean;
  settled: SettledDelivery;
}

function errorsOf(err: InvalidEventError): { field: string; message: string }[] {
  return err.issues.map((i) => ({ field: i.path, message: i.message }));
}

/** Why one event was not accepted, in words for its sender (never the internal error text); undefined: not its fault. */
function refusal(err: unknown): { field: string; message: string }[] | undefined {
  if (err instanceof InvalidEventError) return errorsOf(err);
  if (hasGrpcCode(err, GRPC.INVALID_ARGUMENT)) {
    return [
      {
        field: '(event)',
        message: 'Temporal would not store a delivery of this event as sent (it is too large or malformed)',
      },
    ];
  }
  return undefined;
}
