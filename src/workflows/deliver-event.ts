import {
  ApplicationFailure,
  isCancellation,
  log,
  patched,
  proxyActivities,
  proxyLocalActivities,
  sleep,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { DeliveryActivities, SendAttemptInput, SendAttemptResult } from '../activities/contract';
import type { DeliveryPlan } from '../customerio/actions';
import { personalData, prepareDelivery } from '../customerio/delivery-input';
import { initialSearchAttributes } from '../customerio/labels';
import { hashPiiMentions } from '../customerio/pii';
import { type AttemptFailure, readAttemptFailure } from '../customerio/outcomes';
import type { DeliverEventInput, DeliveryResult, FilterReason } from '../shared/delivery';
import { DEFER_AFTER_MS } from '../shared/attempt-timing';
import { resolveRetryPolicy, type RetryPolicy } from '../shared/retry-policy';
import { IntegrationIdKey } from '../shared/search-attributes';
import { CircuitCloses } from './await-circuit';
import { CredentialRevisions } from './await-credentials';
import { metricsSink } from './metrics-sink';
import { OrderWait } from './order-wait';
import { credentialsWaitOver, type FailStep, nextStep, type RetryStep } from './retry-decision';
import { RunLabels } from './run-labels';

/** Well above the HTTP client's own timeouts: it only fires for an attempt stuck in a live worker. */
const ATTEMPT_TIMEOUT = '1 minute';

/** Patch id: runs from before it counted deferred waits against the retry window, and must replay as they ran. */
const DEFERRED_WAITS_OUTSIDE_WINDOW = 'deferred-waits-outside-retry-window';

// One activity per attempt, never retried by Temporal: the loop below retries, so every attempt is its own history
// entry (a scheduled and a closed activity in v1, a marker with its result or failure in v2).
const activityAttempt = proxyActivities<DeliveryActivities>({
  startToCloseTimeout: ATTEMPT_TIMEOUT,
  retry: { maximumAttempts: 1 },
});
const localAttempt = proxyLocalActivities<DeliveryActivities>({
  startToCloseTimeout: ATTEMPT_TIMEOUT,
  retry: { maximumAttempts: 1 },
});

type Send = (input: SendAttemptInput) => Promise<SendAttemptResult>;

/**
 * Delivers one Signal event to the Customer.io Track API. The history of this workflow is the delivery's audit
 * trail: the input event, the planned request, every HTTP attempt with its outcome, every backoff timer, every wait
 * for new credentials.
 *
 * Each attempt is a local activity: it runs in the workflow task that decides on it, so a delivery that succeeds at
 * once costs Temporal one workflow task instead of three tasks and an activity. A worker lost mid-attempt shows as a
 * timed-out workflow task, after which another worker makes the attempt again.
 */
export async function deliverEventV2(started: DeliverEventInput): Promise<DeliveryResult> {
  // Only a release (signal-with-start, src/client/release-delivery.ts) to a delivery that was never started could start
  // a run without its event: it ends at once instead of failing its workflow task forever.
  if (started === undefined) {
    throw ApplicationFailure.nonRetryable('started without an event: nothing to deliver', 'NoEvent');
  }
  return reported(started, () =>
    deliver(started, (input) =>
      localAttempt.sendToCustomerIo({ ...input, deferAfterMs: DEFER_AFTER_MS, wakeOnCircuitClose: true }),
    ),
  );
}

/**
 * The first version: each attempt a regular activity. Runs it started still finish on it; no run starts on it since
 * 2026-11-29, so it can go after 2026-12-28 (src/shared/compatibility.ts).
 */
export async function deliverEvent(started: DeliverEventInput): Promise<DeliveryResult> {
  return reported(started, () => deliver(started, (input) => activityAttempt.sendToCustomerIo(input)));
}

/** Tells the worker's metrics how the delivery ended (a sink: no command, nothing in the history). */
async function reported(started: DeliverEventInput, run: () => Promise<DeliveryResult>): Promise<DeliveryResult> {
  const eventType = started.event.type;
  try {
    const result = await run();
    metricsSink.finished(started.integrationId, eventType, result.status);
    if (result.status === 'delivered' && result.late) metricsSink.late(started.integrationId);
    if (result.orderWait) metricsSink.orderWaitEnded(started.integrationId, result.orderWait.waitedMs);
    return result;
  } catch (err) {
    metricsSink.finished(started.integrationId, eventType, isCancellation(err) ? 'cancelled' : 'failed');
    throw err;
  }
}

async function deliver(started: DeliverEventInput, send: Send): Promise<DeliveryResult> {
  const labels = new RunLabels();
  const revisions = new CredentialRevisions(started.integrationId);
  const circuitCloses = new CircuitCloses();
  // Only ordered runs (issue 16) wait for their person's earlier deliveries; runs without `order` issue today's commands.
  if (!started.order) return deliverPrepared(started, send, { labels, revisions, circuitCloses });
  const orderWait = new OrderWait(started.order, labels, started.integrationId);
  return orderWait.around(() => deliverPrepared(started, send, { labels, revisions, circuitCloses, orderWait }));
}

interface RunState {
  labels: RunLabels;
  revisions: CredentialRevisions;
  circuitCloses: CircuitCloses;
  orderWait?: OrderWait;
}

async function deliverPrepared(started: DeliverEventInput, send: Send, state: RunState): Promise<DeliveryResult> {
  const { labels } = state;
  // First, upgradeInput: a run started before 2026-12-07 may hold less than today's input (until 2026-12-28).
  const prepared = prepareDelivery(started, (revision) => patched(revision));
  if (prepared.input && workflowInfo().typedSearchAttributes.get(IntegrationIdKey) === undefined) {
    // Runs are labelled by whoever starts them; this labels those started before that was so (until 2026-12-28).
    const initial = safely(() => initialSearchAttributes(prepared.input!));
    if (initial) upsertSearchAttributes(initial);
  }
  if (prepared.kind === 'filtered') return filtered(labels, prepared.filter.reason, prepared.filter.detail);
  if (prepared.kind === 'refused') {
    const { failureType, message, operation } = prepared;
    labels.set('failed', { attempts: 0, error: { type: failureType, message, attempt: 0 } });
    throw ApplicationFailure.nonRetryable(message, failureType, { operation, attempts: 0 });
  }
  const { input, plan } = prepared;
  if (input.hashPii && input.customer.ok) {
    const personal = personalData(input);
    labels.redact = (message) => hashPiiMentions(message, personal) as string;
  }
  return deliverWithRetries(input.integrationId, plan, resolveRetryPolicy(input.retry), state, send);
}

/** Labels are a courtesy to search: an input too strange to label is still delivered or refused, only unlabelled. */
function safely<T>(make: () => T): T | undefined {
  try {
    return make();
  } catch {
    return undefined;
  }
}

/** One attempt after another, each its own activity, with the workflow's own timers between them. */
async function deliverWithRetries(
  integrationId: string,
  plan: Extract<DeliveryPlan, { ok: true }>,
  policy: RetryPolicy,
  { labels, revisions, circuitCloses, orderWait }: RunState,
  send: Send,
): Promise<DeliveryResult> {
  const { request, customerId } = plan;
  const { operation } = request;
  const window = new RetryWindow(workflowInfo().startTime.getTime() + policy.retryWindowMs);
  for (let attempt = 1; ; attempt++) {
    const input = { integrationId, attempt, request };
    const sent = await sendCounted(send, input, window, { circuitCloses, orderWait });
    if (sent.outcome !== 'failed') return finished(sent, labels, { operation, customerId, attempts: attempt });
    const { failure } = sent;
    const { httpStatus } = failure;
    const step = nextStep(failure, { policy, attempt, deadline: window.end, now: Date.now(), random: Math.random });
    if (step.kind === 'fail') throw finalFailure(step, labels, operation, attempt, failure);
    const error = { type: failure.type, message: failure.message, attempt, httpStatus: httpStatus || undefined };
    if (step.kind === 'retry') {
      labels.set('retrying', { httpStatus, attempts: attempt, error });
      log.info('delivery attempt failed; retrying', { attempt, delayMs: step.delayMs, httpStatus });
      await sleep(step.delayMs);
      continue;
    }
    labels.set('awaiting_credentials', { httpStatus, attempts: attempt, error });
    log.warn('credentials refused; waiting for new ones', { attempt, httpStatus });
    const woken = await window.outside(() => parked(integrationId, revisions, step));
    if (!woken) throw finalFailure(credentialsWaitOver(failure, policy), labels, operation, attempt, failure);
  }
}

/**
 * An attempt that did not fail: delivered, or skipped because its integration was disabled or deleted meanwhile, or
 * its event had grown older than the integration's refuse_events_older_than_hours.
 */
function finished(
  sent: Exclude<Sent, { outcome: 'failed' }>,
  labels: RunLabels,
  done: { operation: string; customerId: string; attempts: number },
): DeliveryResult {
  if (sent.outcome === 'skipped') return filtered(labels, sent.reason, sent.detail, done);
  const { operation, customerId, attempts } = done;
  if (sent.outcome === 'already_delivered') {
    labels.set('delivered', { attempts });
    return { status: 'delivered', operation, customerId, httpStatus: 0, attempts, detail: sent.detail };
  }
  const httpStatus = sent.exchange.status ?? 0;
  // A late delivery (its attempt judged it at the 2xx) is labelled and says so in its result; runs recorded before
  // attempts judged lateness have no `late` in their results and replay as they ran.
  const { late } = sent;
  labels.set('delivered', { httpStatus, attempts, ...(late ? { lateAgeHours: late.ageHours } : {}) });
  return { status: 'delivered', operation, customerId, httpStatus, attempts, ...(late ? { late } : {}) };
}

/**
 * The retry window's end. Time a delivery spends held back by the worker or parked for credentials is not
 * retry-window time: it pushes the end back.
 */
class RetryWindow {
  constructor(public end: number) {}

  /** Runs `wait`; once it is over, its length pushes the end back if `counts()` says so. */
  async outside<T>(wait: () => Promise<T>, counts: () => boolean = () => true): Promise<T> {
    const from = Date.now();
    const result = await wait();
    if (counts()) this.end += Date.now() - from;
    return result;
  }
}

type Sent =
  | Exclude<SendAttemptResult, { outcome: 'deferred' | 'waiting_for_order' }>
  | { outcome: 'failed'; failure: AttemptFailure };

/**
 * One counted attempt. The worker may hold it back (the integration's rate limit, or its circuit open while
 * Customer.io keeps failing): that is not an attempt, so the same attempt goes again after the wait, which (as for
 * parked deliveries) is not retry-window time. A wait for the circuit may end early, when the worker signals that it
 * closed; runs recorded before that existed have no `wake` in their results and replay their plain timers.
 */
async function sendCounted(
  send: Send,
  input: SendAttemptInput,
  window: RetryWindow,
  { circuitCloses, orderWait }: Pick<RunState, 'circuitCloses' | 'orderWait'>,
): Promise<Sent> {
  for (;;) {
    const mark = circuitCloses.mark();
    const released = orderWait?.mark() ?? 0;
    let result: SendAttemptResult;
    try {
      result = await send(orderWait ? { ...input, order: orderWait.attemptOrder() } : input);
    } catch (err) {
      return { outcome: 'failed', failure: readAttemptFailure(err, ATTEMPT_TIMEOUT) };
    }
    if (result.outcome === 'waiting_for_order' && orderWait) {
      // Not an attempt: nothing was sent. The wait is no retry-window time, like parking.
      await window.outside(() => orderWait.wait(released, result));
      continue;
    }
    orderWait?.sent(result);
    if (result.outcome === 'waiting_for_order') throw new Error('an unordered attempt was told to wait for order');
    if (result.outcome !== 'deferred') return result;
    const { retryAfterMs, wake } = result;
    await window.outside(
      async () => {
        if (wake === 'signal') await circuitCloses.after(mark, retryAfterMs);
        else await sleep(retryAfterMs);
      },
      () => patched(DEFERRED_WAITS_OUTSIDE_WINDOW),
    );
  }
}

/** Waits for credentials newer than the refused ones; false when the wait ran out. */
async function parked(
  integrationId: string,
  revisions: CredentialRevisions,
  step: Extract<RetryStep, { kind: 'park' }>,
): Promise<boolean> {
  metricsSink.parked(integrationId);
  const woken = await revisions.awaitNewerThan(step.usedRevision, step.waitMs);
  metricsSink.unparked(integrationId, woken ? 'new_credentials' : 'expired');
  return woken;
}

/** The one way a delivery fails after its attempts: labelled failed, then the error its run ends with. */
function finalFailure(
  step: FailStep,
  labels: RunLabels,
  operation: string,
  attempts: number,
  failure: AttemptFailure,
): ApplicationFailure {
  const { httpStatus } = failure;
  const error = { ...step.lastError, attempt: attempts, httpStatus: httpStatus || undefined };
  labels.set('failed', { httpStatus, attempts, error });
  return ApplicationFailure.create({
    message: step.message,
    type: step.type,
    nonRetryable: true,
    details: [{ operation, attempts, httpStatus }],
    cause: failure.cause,
  });
}

function filtered(
  labels: RunLabels,
  reason: FilterReason,
  detail?: string,
  extra: { operation?: string; customerId?: string; attempts?: number } = {},
): DeliveryResult {
  labels.set('filtered', { attempts: extra.attempts ?? 0 });
  return { status: 'filtered', reason, ...(detail ? { detail } : {}), ...extra, attempts: extra.attempts ?? 0 };
}
