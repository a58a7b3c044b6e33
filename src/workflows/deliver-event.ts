import {
  ActivityFailure,
  ApplicationFailure,
  log,
  proxyActivities,
  sleep,
  TimeoutFailure,
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
  type Operation,
} from '../shared/delivery';
import { resolveRetryPolicy, retryDelayMs } from '../shared/retry-policy';
import {
  DeliveryStatusKey,
  HttpStatusKey,
  IntegrationIdKey,
  initialSearchAttributes,
} from '../shared/search-attributes';

const { sendToCustomerIo } = proxyActivities<DeliveryActivities>({
  // Well above the HTTP client's own timeouts: this only fires if a worker dies mid-attempt.
  startToCloseTimeout: '1 minute',
  // One activity per attempt; the loop below retries, so every attempt is its own history entry.
  retry: { maximumAttempts: 1 },
});

/**
 * Delivers one Signal event to the Customer.io Track API. The history of this workflow is the delivery's audit
 * trail: the input event, the planned request, every HTTP attempt with its outcome, every backoff timer.
 */
export async function deliverEvent(input: DeliverEventInput): Promise<DeliveryResult> {
  const { integrationId, event } = input;
  const info = workflowInfo();
  const labels = new RunLabels();
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
    labels.set('failed');
    throw ApplicationFailure.nonRetryable(plan.message, plan.failureType, { operation: plan.operation, attempts: 0 });
  }
  const { operation } = plan.request;
  const policy = resolveRetryPolicy(input.retry);
  const deadline = info.startTime.getTime() + policy.retryWindowMs;

  for (let attempt = 1; ; attempt++) {
    let failure: AttemptFailure;
    try {
      const result = await sendToCustomerIo({ integrationId, attempt, request: plan.request });
      if (result.outcome === 'skipped') {
        return filtered(labels, result.reason, result.detail, { operation, customerId: plan.customerId, attempts: attempt });
      }
      const httpStatus = result.exchange.status ?? 0;
      labels.set('delivered', httpStatus);
      return { status: 'delivered', operation, customerId: plan.customerId, httpStatus, attempts: attempt };
    } catch (err) {
      failure = readAttemptFailure(err);
    }

    if (!failure.retryable) {
      labels.set('failed', failure.httpStatus);
      throw finalFailure(failure.message, failure.deliveryFailureType, operation, attempt, failure);
    }
    const delayMs = retryDelayMs(policy, attempt, Math.random(), failure.retryAfterMs);
    if (Date.now() + delayMs > deadline) {
      labels.set('failed', failure.httpStatus);
      const hours = Math.round((policy.retryWindowMs / 3_600_000) * 100) / 100;
      throw finalFailure(
        `Gave up after ${attempt} attempts: the ${hours} h retry window is over. Last error: ${failure.message}`,
        DeliveryFailureType.RetryWindowExhausted,
        operation,
        attempt,
        failure,
      );
    }
    labels.set('retrying', failure.httpStatus);
    log.info('delivery attempt failed; retrying', { attempt, delayMs, httpStatus: failure.httpStatus });
    await sleep(delayMs);
  }
}

interface AttemptFailure {
  retryable: boolean;
  message: string;
  deliveryFailureType: DeliveryFailureType;
  httpStatus?: number;
  retryAfterMs?: number;
  cause: Error;
}

/** Reads a failed attempt: the activity's own classification when it got that far, else a retryable fault. */
function readAttemptFailure(err: unknown): AttemptFailure {
  if (!(err instanceof ActivityFailure)) throw err;
  const cause = err.cause;
  if (cause instanceof ApplicationFailure) {
    const details = cause.details?.[0] as AttemptFailureDetails | undefined;
    const httpStatus = details?.exchange?.status;
    const base = { message: cause.message, httpStatus, retryAfterMs: details?.exchange?.retryAfterMs, cause: err };
    switch (cause.type) {
      case AttemptFailureType.Rejected:
        return { ...base, retryable: false, deliveryFailureType: DeliveryFailureType.Rejected };
      case AttemptFailureType.Unauthorized:
        return { ...base, retryable: false, deliveryFailureType: DeliveryFailureType.Unauthorized };
      default:
        // Network errors, 408/429/5xx, and faults of our own (database, decryption) all deserve another try.
        return { ...base, retryable: true, deliveryFailureType: DeliveryFailureType.RetryWindowExhausted };
    }
  }
  const message =
    cause instanceof TimeoutFailure
      ? 'The attempt did not finish within its 1 minute limit (worker lost or stalled)'
      : `The attempt failed inside the worker: ${cause?.message ?? err.message}`;
  return { retryable: true, message, deliveryFailureType: DeliveryFailureType.RetryWindowExhausted, cause: err };
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
  labels.set('filtered');
  return { status: 'filtered', reason, ...(detail ? { detail } : {}), ...extra, attempts: extra.attempts ?? 0 };
}

/** Keeps DeliveryStatus / HttpStatus current, writing to the history only when a value changes. */
class RunLabels {
  private status: DeliveryStatus | undefined = 'pending';
  private httpStatus: number | undefined;

  set(status: DeliveryStatus, httpStatus?: number): void {
    const updates: SearchAttributeUpdatePair[] = [];
    if (status !== this.status) updates.push({ key: DeliveryStatusKey, value: status });
    if (httpStatus !== undefined && httpStatus !== this.httpStatus) updates.push({ key: HttpStatusKey, value: httpStatus });
    this.status = status;
    if (httpStatus !== undefined) this.httpStatus = httpStatus;
    if (updates.length > 0) upsertSearchAttributes(updates);
  }
}
