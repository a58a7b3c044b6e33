import { type Client, WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { mappingOptions, retrySettings, type PublicConfig } from '../customerio/config';
import { type SettledDelivery, settleDelivery } from '../customerio/delivery-input';
import { initialSearchAttributes } from '../customerio/labels';
import type { DeliverEventInput, DeliverEventWorkflow, FilterReason } from '../shared/delivery';
import type { SignalEvent } from '../shared/event';
import { parseSignalEvent, type SignalEventInput } from '../shared/event-schema';
import { DELIVER_EVENT_WORKFLOW, deliveryRunWorkflowId, TASK_QUEUE } from '../shared/names';
import { DELIVERY_TASK_TIMEOUT_MS, ORDERED_TASK_TIMEOUT_MS } from '../shared/attempt-timing';
import type { RetryPolicy } from '../shared/retry-policy';
import type { OrderBook } from '../store/order-book';
import { isTemporalUnreachable } from '../temporal/grpc-status';
import { takeOrder } from './order-deliveries';
import { releaseWaiter } from './release-delivery';
import { startInRequestOrder } from './start-in-order';

export interface StartDeliveryOptions {
  taskQueue?: string;
  /** The integration's settings, when the caller has them (the HTTP intake does): its retry window and waits. */
  config?: Partial<PublicConfig>;
  /** Overrides of the default retry schedule, under the integration's own settings. */
  retry?: Partial<RetryPolicy>;
  /** Record the event as filtered instead of sending it (consent denied). */
  filter?: { reason: FilterReason; detail?: string };
  /** Clock for events that arrive without a timestamp. */
  now?: () => Date;
  /** This delivery repeats an earlier one (same event, so the same Customer.io event id). */
  replayOf?: DeliverEventInput['replayOf'];
  /**
   * The order book (src/store/order-book.ts, e.g. from openOrderBook): with it the delivery is placed in its person's
   * order as the HTTP intake places it (order_wait_minutes of `config`, default 30; 0: not ordered). Without it the
   * delivery is not ordered.
   */
  orderBook?: OrderBook;
  /**
   * Ask for the run's first workflow task to come back with the start, to a worker in this process: only with a client
   * on the worker's NativeConnection (`npm start`). Without a free slot Temporal dispatches it as usual.
   */
  eager?: boolean;
}

/** `duplicate`: a delivery of this message to this integration already exists; nothing new was started. */
export type StartDeliveryOutcome =
  | {
      status: 'started';
      workflowId: string;
      runId: string;
      /** The first workflow task came back with the start (eager start asked for and granted). */
      eager?: boolean;
    }
  | { status: 'duplicate'; workflowId: string };

export class InvalidEventError extends Error {
  constructor(readonly issues: { path: string; message: string }[]) {
    super(`invalid event: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`);
  }
}

/**
 * How Signal hands an event to this integration: one workflow per (integration, messageId). Idempotent: starting
 * the same message twice yields one delivery and `duplicate` the second time (Temporal rejects the workflow id).
 */
export async function startDelivery(
  client: Client,
  integrationId: string,
  event: SignalEventInput | SignalEvent,
  options: StartDeliveryOptions = {},
): Promise<StartDeliveryOutcome> {
  const parsed = parseSignalEvent(event);
  if (!parsed.ok) throw new InvalidEventError(parsed.issues);
  return startValidatedDelivery(client, integrationId, parsed.event, options);
}

/**
 * Every decision about a delivery that must not change between its retries and replays, made once, here: its
 * messageId (required: it makes the delivery idempotent), its time (the receive time when the event has none), its
 * retry settings, its customer and whether it is sent at all. Comes with the action the event maps to, which labels
 * the run at its start.
 */
export function settleEvent(
  integrationId: string,
  event: SignalEvent,
  options: StartDeliveryOptions = {},
): SettledDelivery {
  if (!event.messageId) {
    throw new InvalidEventError([
      { path: 'messageId', message: 'is required: it is what makes a delivery idempotent' },
    ]);
  }
  const timestamp = event.timestamp ?? (options.now?.() ?? new Date()).toISOString();
  const retry = retrySettings(options.config, options.retry);
  const settled = settleDelivery({
    integrationId,
    event: { ...event, messageId: event.messageId, timestamp },
    retry: Object.keys(retry).length > 0 ? retry : undefined,
    filter: options.filter,
    replayOf: options.replayOf,
    hashPii: options.config?.hash_pii || undefined,
    mapping: mappingOptions(options.config),
  });
  const { customer } = settled.input;
  // An identifier that would rewrite the Customer.io URL is the sender's mistake, refused before anything starts.
  if (!customer.ok && customer.reason === 'invalid') {
    throw new InvalidEventError([{ path: 'userId', message: customer.message }]);
  }
  return settled;
}

/** The input a delivery of this event starts with (settleEvent, without the action). */
export function toDeliveryInput(
  integrationId: string,
  event: SignalEvent,
  options: StartDeliveryOptions = {},
): DeliverEventInput {
  return settleEvent(integrationId, event, options).input;
}

/**
 * startDelivery for an event that has already passed the event schema (HTTP intake parses each event once, then
 * starts one delivery per integration).
 */
export async function startValidatedDelivery(
  client: Client,
  integrationId: string,
  event: SignalEvent,
  options: StartDeliveryOptions = {},
): Promise<StartDeliveryOutcome> {
  const settled = settleEvent(integrationId, event, options);
  if (!options.orderBook) return startDeliveryRun(client, settled, options);
  const [ordered] = await takeOrder(options.orderBook, integrationId, [settled], options.config);
  return startDeliveryRun(client, ordered!, options);
}

/**
 * Starts a batch of events to one integration in handover order (array order): with `orderBook`, each person's
 * events reach Customer.io in this order, and after those of earlier batches (one order-book transaction for the
 * batch, then the starts, at most `concurrency` at once). Events are validated first: an invalid one throws
 * InvalidEventError before anything is placed or started.
 */
export async function startDeliveries(
  client: Client,
  integrationId: string,
  events: (SignalEventInput | SignalEvent)[],
  options: StartDeliveryOptions & { concurrency?: number } = {},
): Promise<StartDeliveryOutcome[]> {
  const settled = events.map((event) => {
    const parsed = parseSignalEvent(event);
    if (!parsed.ok) throw new InvalidEventError(parsed.issues);
    return settleEvent(integrationId, parsed.event, options);
  });
  const ordered = options.orderBook
    ? await takeOrder(options.orderBook, integrationId, settled, options.config)
    : settled;
  const { orderBook } = options;
  return startInRequestOrder(
    ordered,
    (i, chainedBehind) =>
      startDeliveryRun(client, ordered[i]!, { ...options, ...(chainedBehind ? { chainedBehind } : {}) }),
    {
      limit: options.concurrency ?? 16,
      chain: orderBook && {
        orderBook,
        release: (id) => releaseWaiter(client, id, options.taskQueue ?? TASK_QUEUE),
      },
    },
  );
}

/** What a delivery started with its first task delayed waits for (src/client/start-in-order.ts). */
export interface ChainedBehind {
  workflowId: string;
  /** Whether what it waits for is a deletion (or suppression). */
  barrier: boolean;
  /** 0: it starts at once and waits in the worker of this process (the intake of `npm start`). */
  delayMs: number;
}

export interface DeliveryRunOptions {
  taskQueue?: string;
  /** See StartDeliveryOptions.eager. */
  eager?: boolean;
  /**
   * It waits for an earlier delivery that has not finished (src/client/start-in-order.ts): its first workflow task
   * waits `delayMs`, or until that delivery releases it (signal-with-start, which ends the delay).
   */
  chainedBehind?: ChainedBehind;
}

/**
 * Temporal is out of reach or did not answer in time: nothing was started, and starting the same event again later
 * is safe (a delivery is one workflow per integration and messageId). The gRPC error is the cause.
 */
export class TemporalUnavailableError extends Error {
  constructor(cause: unknown) {
    super('Temporal is unavailable: the delivery was not started; start it again later', { cause });
    this.name = 'TemporalUnavailableError';
  }
}

/**
 * The one way a delivery run starts, whoever starts it (the intake, the typed client, a replay). A delivery is one
 * workflow per (integration, messageId), so a second start of it is a `duplicate`. A replay runs under its original's
 * replay id (src/shared/names.ts), one run per replay, linked back by its memo; a replay still running makes the start
 * a `duplicate` too. The run is labelled at its start (initialSearchAttributes), from what the settling decided.
 */
export async function startDeliveryRun(
  client: Client,
  { input, action }: SettledDelivery,
  options: DeliveryRunOptions = {},
): Promise<StartDeliveryOutcome> {
  const { replayOf } = input;
  const workflowId = deliveryRunWorkflowId(input);
  const behind = input.order ? options.chainedBehind : undefined;
  // A delay of 0: it starts at once and waits in the worker of this process (src/client/start-in-order.ts).
  const delayed = behind !== undefined && behind.delayMs > 0;
  if (behind)
    input = { ...input, order: { ...input.order!, ...(delayed ? { startDelayed: true } : { waitsInWorker: true }) } };
  try {
    const handle = await client.workflow.start<DeliverEventWorkflow>(DELIVER_EVENT_WORKFLOW, {
      taskQueue: options.taskQueue ?? TASK_QUEUE,
      workflowId,
      args: [input],
      workflowIdReusePolicy: replayOf ? 'ALLOW_DUPLICATE' : 'REJECT_DUPLICATE',
      workflowIdConflictPolicy: 'FAIL',
      typedSearchAttributes: initialSearchAttributes(input, action),
      ...(replayOf ? { memo: { replayOf } } : {}),
      // Listed as waiting for its predecessor from the start, as a run told to wait by the order book is.
      ...(behind ? { memo: { waitingFor: { workflowId: behind.workflowId, barrier: behind.barrier } } } : {}),
      ...(delayed ? { startDelay: behind.delayMs } : { requestEagerStart: options.eager }),
      // Explicit, because CUSTOMERIO_HTTP_TIMEOUT_MS is bounded by it (src/shared/attempt-timing.ts). Longer for a
      // run that waits for its predecessor in the worker: its attempt may wait there that much longer.
      workflowTaskTimeout: behind && !delayed ? ORDERED_TASK_TIMEOUT_MS : DELIVERY_TASK_TIMEOUT_MS,
    });
    return { status: 'started', workflowId, runId: handle.firstExecutionRunId, eager: handle.eagerlyStarted };
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) return { status: 'duplicate', workflowId };
    if (isTemporalUnreachable(err)) throw new TemporalUnavailableError(err);
    throw err;
  }
}
