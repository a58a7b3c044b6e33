import {
  ActivityFailure,
  ApplicationFailure,
  condition,
  defineSignal,
  log,
  proxyActivities,
  setHandler,
  sleep,
  TimeoutFailure,
  upsertMemo,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { SearchAttributeUpdatePair } from '@temporalio/common';
import type { DeliveryActivities } from '../activities';
import { type DeliveryPlan, planDelivery } from '../customerio/requests';
import { type AttemptFailureDetails, AttemptFailureType } from '../shared/attempts';
import {
  type DeliverEventInput,
  DeliveryFailureType,
  type DeliveryResult,
  type DeliveryStatus,
  type FilterReason,
  type LastError,
  type Operation,
} from '../shared/delivery';
import { CREDENTIALS_UPDATED_SIGNAL } from '../shared/names';
import { CREDENTIALS_RECHECK_MS, resolveRetryPolicy, retryDelayMs } from '../shared/retry-policy';
import {
  AttemptsKey,
  DeliveryStatusKey,
  HttpStatusKey,
  IntegrationIdKey,
  initialSearchAttributes,
} from '../shared/search-attributes';

const { sendToCustomerIo, credentialsState } = proxyActivities<DeliveryActivities>({
  // Well above the HTTP client's own timeouts: this only fires if a worker dies mid-attempt.
  startToCloseTimeout: '1 minute',
  // One activity per attempt; the loop below retries, so every attempt is its own history entry.
  retry: { maximumAttempts: 1 },
});

/** A new credentials revision of this delivery's integration exists (PATCH); carries its number. */
export const credentialsUpdated = defineSignal<[number]>(CREDENTIALS_UPDATED_SIGNAL);

/**
 * Delivers one Signal event to the Customer.io Track API. The history of this workflow is the delivery's audit
 * trail: the input event, the planned request, every HTTP attempt with its outcome, every backoff timer, every wait
 * for new credentials.
 */
export async function deliverEvent(input: DeliverEventInput): Promise<DeliveryResult> {
  const { integrationId, event } = input;
  const info = workflowInfo();
  const labels = new RunLabels();
  let newestRevision = 0;
  setHandler(credentialsUpdated, (revision) => {
    newestRevision = Math.max(newestRevision, revision);
  });
  if (info.typedSearchAttributes.get(IntegrationIdKey) === undefined) {
    upsertSearchAttributes(initialSearchAttributes(integrationId, event));
  }

  if (input.filter) return filtered(labels, input.filter.reason, input.filter.detail);
  if (event.type === 'group') {
    return filtered(labels, 'unsupported_event_type', 'group events have no Customer.io Track API call in this integration');
  }

  const plan: DeliveryPlan = planDelivery({
    integrationId,
    event,
    messageId: event.messageId ?? info.workflowId,
    fallbackTimeMs: info.startTime.getTime(),
  });
  if (!plan.ok) {
    labels.set('failed', { attempts: 0, error: { type: plan.failureType, message: plan.message, attempt: 0 } });
    throw ApplicationFailure.nonRetryable(plan.message, plan.failureType, { operation: plan.operation, attempts: 0 });
  }
  const { operation } = plan.request;
  const policy = resolveRetryPolicy(input.retry);
  let deadline = info.startTime.getTime() + policy.retryWindowMs;

  /** Parks until a newer credentials revision exists (signal, or found by asking); false once the wait is over. */
  async function awaitNewCredentials(usedRevision: number): Promise<boolean> {
    const until = Date.now() + policy.awaitCredentialsMs;
    for (;;) {
      // Ask before waiting: a fix saved between the refused attempt and now had nobody parked to signal. Asking
      // again every CREDENTIALS_RECHECK_MS covers a signal lost any other way.
      const state = await credentialsState(integrationId);
      if (!state.usable) return true; // disabled or deleted: the next attempt ends the delivery as filtered
      newestRevision = Math.max(newestRevision, state.revisionNumber);
      if (newestRevision > usedRevision) return true;
      const remaining = until - Date.now();
      if (remaining <= 0) return false;
      if (await condition(() => newestRevision > usedRevision, Math.min(remaining, CREDENTIALS_RECHECK_MS))) return true;
    }
  }

  for (let attempt = 1; ; attempt++) {
    let failure: AttemptFailure;
    try {
      const result = await sendToCustomerIo({ integrationId, attempt, request: plan.request });
      if (result.outcome === 'skipped') {
        return filtered(labels, result.reason, result.detail, { operation, customerId: plan.customerId, attempts: attempt });
      }
      const httpStatus = result.exchange.status ?? 0;
      labels.set('delivered', { httpStatus, attempts: attempt });
      return { status: 'delivered', operation, customerId: plan.customerId, httpStatus, attempts: attempt };
    } catch (err) {
      failure = readAttemptFailure(err);
    }
    const lastError: LastError = { type: failure.attemptType, message: failure.message, attempt, ...(failure.httpStatus ? { httpStatus: failure.httpStatus } : {}) };

    if (failure.kind === 'unauthorized' && policy.awaitCredentialsMs > 0) {
      labels.set('awaiting_credentials', { httpStatus: failure.httpStatus, attempts: attempt, error: lastError });
      log.warn('credentials refused; waiting for new ones', { attempt, httpStatus: failure.httpStatus });
      const parkedAt = Date.now();
      if (!(await awaitNewCredentials(failure.revisionNumber ?? 0))) {
        labels.set('failed', { attempts: attempt });
        const hours = roundHours(policy.awaitCredentialsMs);
        throw finalFailure(`${failure.message} No new credentials arrived within ${hours} h.`, DeliveryFailureType.Unauthorized, operation, attempt, failure);
      }
      // Time spent waiting for credentials does not count against the retry window.
      deadline += Date.now() - parkedAt;
      continue;
    }
    if (failure.kind !== 'retryable') {
      labels.set('failed', { httpStatus: failure.httpStatus, attempts: attempt, error: lastError });
      throw finalFailure(failure.message, failure.deliveryFailureType, operation, attempt, failure);
    }
    const delayMs = retryDelayMs(policy, attempt, Math.random(), failure.retryAfterMs);
    if (Date.now() + delayMs > deadline) {
      const message = `Gave up after ${attempt} attempts: the ${roundHours(policy.retryWindowMs)} h retry window is over. Last error: ${failure.message}`;
      labels.set('failed', { httpStatus: failure.httpStatus, attempts: attempt, error: { ...lastError, type: DeliveryFailureType.RetryWindowExhausted, message } });
      throw finalFailure(message, DeliveryFailureType.RetryWindowExhausted, operation, attempt, failure);
    }
    labels.set('retrying', { httpStatus: failure.httpStatus, attempts: attempt, error: lastError });
    log.info('delivery attempt failed; retrying', { attempt, delayMs, httpStatus: failure.httpStatus });
    await sleep(delayMs);
  }
}

interface AttemptFailure {
  kind: 'retryable' | 'rejected' | 'unauthorized';
  attemptType: string;
  message: string;
  deliveryFailureType: DeliveryFailureType;
  httpStatus?: number;
  retryAfterMs?: number;
  revisionNumber?: number;
  cause: Error;
}

/** Reads a failed attempt: the activity's own classification when it got that far, else a retryable fault. */
function readAttemptFailure(err: unknown): AttemptFailure {
  if (!(err instanceof ActivityFailure)) throw err;
  const cause = err.cause;
  if (cause instanceof ApplicationFailure) {
    const details = cause.details?.[0] as AttemptFailureDetails | undefined;
    const base = {
      attemptType: cause.type ?? 'Error',
      message: cause.message,
      httpStatus: details?.exchange?.status,
      retryAfterMs: details?.exchange?.retryAfterMs,
      revisionNumber: details?.revisionNumber,
      cause: err,
    };
    switch (cause.type) {
      case AttemptFailureType.Rejected:
        return { ...base, kind: 'rejected', deliveryFailureType: DeliveryFailureType.Rejected };
      case AttemptFailureType.Unauthorized:
        return { ...base, kind: 'unauthorized', deliveryFailureType: DeliveryFailureType.Unauthorized };
      default:
        // Network errors, 408/429/5xx, and faults of our own (database, decryption) all deserve another try.
        return { ...base, kind: 'retryable', deliveryFailureType: DeliveryFailureType.RetryWindowExhausted };
    }
  }
  const timedOut = cause instanceof TimeoutFailure;
  return {
    kind: 'retryable',
    attemptType: timedOut ? 'AttemptTimedOut' : 'WorkerError',
    message: timedOut
      ? 'The attempt did not finish within its 1 minute limit (worker lost or stalled)'
      : `The attempt failed inside the worker: ${cause?.message ?? err.message}`,
    deliveryFailureType: DeliveryFailureType.RetryWindowExhausted,
    cause: err,
  };
}

function finalFailure(
  message: string,
  type: DeliveryFailureType,
  operation: Operation,
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
  extra: { operation?: Operation; customerId?: string; attempts?: number } = {},
): DeliveryResult {
  labels.set('filtered', { attempts: extra.attempts ?? 0 });
  return { status: 'filtered', reason, ...(detail ? { detail } : {}), ...extra, attempts: extra.attempts ?? 0 };
}

function roundHours(ms: number): number {
  return Math.round((ms / 3_600_000) * 100) / 100;
}

/**
 * Keeps the run's labels current: DeliveryStatus / HttpStatus / Attempts search attributes, and the last error in the
 * memo. Writes to the history only when a value changes, and never adds a workflow task of its own.
 */
class RunLabels {
  private readonly current: { status?: DeliveryStatus; httpStatus?: number; attempts?: number; error?: string } = { status: 'pending' };

  set(status: DeliveryStatus, change: { httpStatus?: number | undefined; attempts?: number; error?: LastError } = {}): void {
    const updates: SearchAttributeUpdatePair[] = [];
    if (status !== this.current.status) updates.push({ key: DeliveryStatusKey, value: status });
    if (change.httpStatus !== undefined && change.httpStatus !== this.current.httpStatus) updates.push({ key: HttpStatusKey, value: change.httpStatus });
    if (change.attempts !== undefined && change.attempts !== this.current.attempts) updates.push({ key: AttemptsKey, value: change.attempts });
    this.current.status = status;
    if (change.httpStatus !== undefined) this.current.httpStatus = change.httpStatus;
    if (change.attempts !== undefined) this.current.attempts = change.attempts;
    if (updates.length > 0) upsertSearchAttributes(updates);
    // The memo keeps only what is new: a run of identical 500s writes its error once.
    if (change.error && change.error.message !== this.current.error) {
      this.current.error = change.error.message;
      upsertMemo({ lastError: change.error });
    }
  }
}
