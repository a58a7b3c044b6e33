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
import { type AttemptFailure, DeliveryFailureType, readAttemptFailure } from '../customerio/outcomes';
import type { DeliverEventInput, DeliveryResult, FilterReason, LastError } from '../shared/delivery';
import { DEFER_AFTER_MS } from '../shared/attempt-timing';
import { resolveRetryPolicy, type RetryPolicy, retryDelayMs } from '../shared/retry-policy';
import { IntegrationIdKey } from '../shared/search-attributes';
import { inHours } from '../shared/time';
import { CredentialRevisions } from './await-credentials';
import { metricsSink } from './metrics-sink';
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
  return reported(started, () =>
    deliver(started, (input) => localAttempt.sendToCustomerIo({ ...input, deferAfterMs: DEFER_AFTER_MS })),
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
    return result;
  } catch (err) {
    metricsSink.finished(started.integrationId, eventType, isCancellation(err) ? 'cancelled' : 'failed');
    throw err;
  }
}

async function deliver(started: DeliverEventInput, send: Send): Promise<DeliveryResult> {
  const labels = new RunLabels();
  const revisions = new CredentialRevisions(started.integrationId);
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
  return deliverWithRetries(input.integrationId, plan, resolveRetryPolicy(input.retry), labels, revisions, send);
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
  labels: RunLabels,
  revisions: CredentialRevisions,
  send: Send,
): Promise<DeliveryResult> {
  const { request, customerId } = plan;
  const { operation } = request;
  let deadline = workflowInfo().startTime.getTime() + policy.retryWindowMs;
  for (let attempt = 1; ; attempt++) {
    let failure: AttemptFailure;
    try {
      const result = await send({ integrationId, attempt, request });
      if (result.outcome === 'deferred') {
        // Not an attempt: the worker held it back (the integration's rate limit, or its circuit open while Customer.io
        // keeps failing). Same attempt, later; and, as for parked deliveries, the wait is not retry-window time.
        const deferredAt = Date.now();
        await sleep(result.retryAfterMs);
        if (patched(DEFERRED_WAITS_OUTSIDE_WINDOW)) deadline += Date.now() - deferredAt;
        attempt--;
        continue;
      }
      if (result.outcome === 'skipped')
        return filtered(labels, result.reason, result.detail, { operation, customerId, attempts: attempt });
      const httpStatus = result.exchange.status ?? 0;
      labels.set('delivered', { httpStatus, attempts: attempt });
      return { status: 'delivered', operation, customerId, httpStatus, attempts: attempt };
    } catch (err) {
      failure = readAttemptFailure(err, ATTEMPT_TIMEOUT);
    }
    const { httpStatus } = failure;
    const lastError: LastError = {
      type: failure.type,
      message: failure.message,
      attempt,
      httpStatus: httpStatus || undefined,
    };

    if (failure.next === 'park' && policy.awaitCredentialsMs > 0) {
      labels.set('awaiting_credentials', { httpStatus, attempts: attempt, error: lastError });
      log.warn('credentials refused; waiting for new ones', { attempt, httpStatus });
      metricsSink.parked(integrationId);
      const parkedAt = Date.now();
      const woken = await revisions.awaitNewerThan(failure.revisionNumber ?? 0, policy.awaitCredentialsMs);
      metricsSink.unparked(integrationId, woken ? 'new_credentials' : 'expired');
      if (!woken) {
        labels.set('failed', { attempts: attempt });
        const message = `${failure.message} No new credentials arrived within ${inHours(policy.awaitCredentialsMs)} h.`;
        throw finalFailure(message, DeliveryFailureType.Unauthorized, operation, attempt, failure);
      }
      // Time spent waiting for credentials does not count against the retry window.
      deadline += Date.now() - parkedAt;
      continue;
    }
    if (failure.next !== 'backoff') {
      labels.set('failed', { httpStatus, attempts: attempt, error: lastError });
      const type = failure.next === 'park' ? DeliveryFailureType.Unauthorized : DeliveryFailureType.Rejected;
      throw finalFailure(failure.message, type, operation, attempt, failure);
    }
    const delayMs = retryDelayMs(policy, attempt, Math.random(), failure.retryAfterMs);
    if (Date.now() + delayMs > deadline) {
      const message = `Gave up after ${attempt} attempts: the ${inHours(policy.retryWindowMs)} h retry window is over. Last error: ${failure.message}`;
      const type = DeliveryFailureType.RetryWindowExhausted;
      labels.set('failed', { httpStatus, attempts: attempt, error: { ...lastError, type, message } });
      throw finalFailure(message, type, operation, attempt, failure);
    }
    labels.set('retrying', { httpStatus, attempts: attempt, error: lastError });
    log.info('delivery attempt failed; retrying', { attempt, delayMs, httpStatus });
    await sleep(delayMs);
  }
}

function finalFailure(
  message: string,
  type: DeliveryFailureType,
  operation: string,
  attempts: number,
  failure: AttemptFailure,
): ApplicationFailure {
  return ApplicationFailure.create({
    message,
    type,
    nonRetryable: true,
    details: [{ operation, attempts, httpStatus: failure.httpStatus }],
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
