import { setTimeout as delay } from 'node:timers/promises';
import { ApplicationFailure, CancelledFailure, Context } from '@temporalio/activity';
import { type HttpExchange, statusOf } from '../customerio/exchange';
import type { TrackTransport } from '../customerio/http/transport';
import { lateness, tooOldToSend } from '../customerio/late-events';
import { attemptFailure, outcomeOf } from '../customerio/outcomes';
import { deliveryMetrics, statusClass } from '../observability/delivery-metrics';
import type { TrackBaseUrls } from '../customerio/regions';
import { isStoreUnreachable } from '../store/database';
import type { DeliveryTargets } from '../store/delivery-targets';
import type { Admission, IntegrationCircuits } from './circuit-breaker';
import type { DeliveryActivities, SendAttemptInput, SendAttemptResult } from './contract';
import { checkOrder, type OrderDeps, releaseOrder } from './order-gate';
import type { DeliveryRateLimiter } from './rate-limiter';

export interface SendDeps {
  targets: DeliveryTargets;
  transport: TrackTransport;
  baseUrls: TrackBaseUrls;
  limiter: DeliveryRateLimiter;
  circuits: IntegrationCircuits;
  /** Per-person order (issue 16): the order book, and how to wake the runs waiting for this one. */
  order?: OrderDeps;
}

/**
 * One HTTP attempt, never retried by Temporal: the workflow owns the schedule so each attempt is its own entry in
 * the history. Credentials are loaded here, at call time, so a fixed config reaches deliveries still retrying. The
 * integration's rate limit is kept here too: the attempt waits for its slot, or (a local activity, which holds a
 * workflow task while it waits) hands the wait back to the workflow's durable timer. So is the integration's circuit:
 * while Customer.io keeps failing, an attempt that is not the probe is handed back (`deferred`) until the next probe.
 */
export function createSendToCustomerIo(deps: SendDeps): DeliveryActivities['sendToCustomerIo'] {
  const attempt = sendAttempt(deps);
  return async function sendToCustomerIo(input) {
    if (!input.order) return attempt(input);
    // Known to be running here, so the next delivery of the person may wait for it in this worker (order-gate.ts).
    const self = Context.current().info.workflowExecution?.workflowId ?? '';
    const { notifier } = orderDeps(deps);
    notifier.enter(self);
    try {
      return await attempt(input);
    } finally {
      notifier.leave(self);
    }
  };
}

function sendAttempt(deps: SendDeps): DeliveryActivities['sendToCustomerIo'] {
  return async function attempt(input) {
    const { integrationId, request } = input;
    const { info, cancellationSignal: signal } = Context.current();
    const self = info.workflowExecution?.workflowId ?? '';
    const order = input.order ? orderDeps(deps) : undefined;
    let gated: { ms: number; for: string } | undefined;
    if (input.order && order) {
      const check = await checkOrder(order, self, input.order, signal).catch((err: unknown) => {
        if (!isStoreUnreachable(err)) throw err;
        throw orderBookUnreachable();
      });
      if ('alreadyDelivered' in check) {
        const detail =
          'delivered already: the order book recorded this run’s 2xx from Customer.io, whose result a lost worker did not record; not sent again';
        return { outcome: 'already_delivered', detail, request };
      }
      if (!check.go) {
        const { workflowId: waitingFor, barrier } = check.waitingFor;
        const detail = `waiting for ${waitingFor}, an earlier delivery of the same ${barrier ? 'person (a deletion)' : 'person'}, to finish`;
        return { outcome: 'waiting_for_order', waitingFor, barrier, detail, request };
      }
      gated = check.gated;
    }
    const target = await deps.targets.get(integrationId).catch((err: unknown) => {
      if (!isStoreUnreachable(err)) throw err;
      throw storeUnreachable(integrationId);
    });
    if (!target || target.deleted) {
      return {
        outcome: 'skipped',
        reason: 'integration_deleted',
        detail: `integration ${integrationId} no longer exists`,
        request,
      };
    }
    if (!target.enabled) {
      return {
        outcome: 'skipped',
        reason: 'integration_disabled',
        detail: `integration ${integrationId} is disabled`,
        request,
      };
    }
    // Checked at every attempt: an event can age past the limit while it retries, is parked or waits for its order.
    const tooOld = tooOldToSend(request, target.refuseOlderThanHours, Date.now());
    if (tooOld) return { outcome: 'skipped', reason: 'event_too_old', detail: tooOld, request };
    const waiter = input.wakeOnCircuitClose ? self : undefined;
    const admission = deps.circuits.admit(integrationId, waiter);
    if (!admission.send) return circuitOpen(integrationId, admission, request);
    const waitMs = deps.limiter.reserve(integrationId, target.ratePerSecond);
    // Time spent waiting for the order is taken from the same budget (src/shared/attempt-timing.ts).
    const { deferAfterMs: slotWaitMs } = input;
    const deferAfterMs =
      slotWaitMs === undefined
        ? undefined
        : Math.min(slotWaitMs, (input.order?.waitBudgetMs ?? slotWaitMs) - (gated?.ms ?? 0));
    if (deferAfterMs !== undefined && waitMs > deferAfterMs) {
      deps.limiter.release(integrationId);
      const detail = `rate limit of ${target.ratePerSecond}/s for this integration: next slot in ${waitMs} ms`;
      return { outcome: 'deferred', retryAfterMs: waitMs, detail, request };
    }
    if (waitMs > 0) {
      await delay(waitMs, undefined, { signal });
      // The circuit may have opened while this attempt waited for its slot: it then waits with the others instead of
      // joining the first wave of failures (an attempt admitted as the probe still goes out).
      const again = admission.probe ? admission : deps.circuits.admit(integrationId, waiter);
      if (!again.send) {
        deps.limiter.release(integrationId);
        return circuitOpen(integrationId, again, request);
      }
    }
    const exchange = await deps.transport.send(
      { baseUrl: deps.baseUrls[target.region], siteId: target.siteId, trackingApiKey: target.trackingApiKey },
      request,
      signal,
    );
    // Cut off by this worker (the run was evicted or cancelled, or the worker is stopping): the outcome is not
    // returned, and if the run goes on it makes the attempt again. An answer that did arrive is still counted and fed
    // to the circuit, since Customer.io saw the request.
    if (signal.aborted && statusOf(exchange) === undefined) throw cutOff();
    recordAttempt(integrationId, exchange);
    const { next, circuit } = outcomeOf(statusOf(exchange));
    if (circuit === 'failure') deps.circuits.failed(integrationId);
    else deps.circuits.succeeded(integrationId);
    if (signal.aborted) throw cutOff();
    if (exchange.status === 429 || exchange.retryAfterMs !== undefined)
      deps.limiter.pushedBack(integrationId, exchange.retryAfterMs);
    if (next === 'deliver') {
      // Judged at the 2xx, with this worker's clock: the workflow's own clock is the time of its task, not the send.
      const late = lateness(request, Date.now());
      const delivered = {
        outcome: 'delivered' as const,
        exchange,
        revisionNumber: target.revisionNumber,
        request,
        ...(late ? { late } : {}),
      };
      if (!order) return delivered;
      // Finished here, in the attempt that saw the 2xx, so the next delivery of the person costs no extra step; if
      // the order book is out of reach the workflow finishes it afterwards (finishOrder, retried).
      const orderFinished = await releaseOrder(order, self, 'delivered').then(
        () => true,
        () => false,
      );
      return { ...delivered, orderFinished, ...(gated ? { gated } : {}) };
    }
    // A parked delivery's next attempt must read the credentials again instead of trusting the cache.
    if (next === 'park') deps.targets.invalidate(integrationId);
    throw attemptFailure(exchange, target.revisionNumber, request);
  };
}

/** This worker cut the attempt off (the run was evicted or cancelled, or the worker is stopping). */
function cutOff(): CancelledFailure {
  return new CancelledFailure('The worker cancelled this attempt');
}

/**
 * Not sent: the integration's circuit is open, and the delivery waits (a durable timer) until it may try again, or
 * until the worker signals that the circuit closed.
 */
function circuitOpen(
  integrationId: string,
  admission: Extract<Admission, { send: false }>,
  request: SendAttemptInput['request'],
): SendAttemptResult {
  const { waitMs, wake } = admission;
  deliveryMetrics.circuitDeferred.inc({ integration_id: integrationId });
  const detail =
    wake === 'signal'
      ? `Customer.io kept failing for this integration (circuit open): waiting for it to close (at most ${waitMs} ms)`
      : `Customer.io kept failing for this integration (circuit open): next try in ${waitMs} ms`;
  return { outcome: 'deferred', retryAfterMs: waitMs, detail, request, ...(wake === 'signal' ? { wake } : {}) };
}

/** `ApplicationFailure.type` of an attempt that could not load its credentials: the workflow backs off and tries again. */
export const STORE_UNREACHABLE_FAILURE = 'StoreUnreachable';

/** Nothing was sent: the attempt is tried again after the workflow's backoff, within the retry window, like a 503. */
function storeUnreachable(integrationId: string): ApplicationFailure {
  return ApplicationFailure.retryable(
    `The integration store (database) is out of reach, so the credentials of ${integrationId} could not be loaded; nothing was sent to Customer.io and the attempt is tried again later`,
    STORE_UNREACHABLE_FAILURE,
  );
}

function orderDeps(deps: SendDeps): OrderDeps {
  if (!deps.order) throw new Error('an ordered delivery reached a worker without an order book');
  return deps.order;
}

/** The order book could not be asked: nothing was sent; the attempt is tried again after the workflow's backoff. */
function orderBookUnreachable(): ApplicationFailure {
  return ApplicationFailure.retryable(
    'The order book (database) is out of reach, so whether earlier deliveries of this person have finished is unknown; nothing was sent to Customer.io and the attempt is tried again later',
    STORE_UNREACHABLE_FAILURE,
  );
}

function recordAttempt(integrationId: string, exchange: HttpExchange): void {
  const status_class = statusClass(statusOf(exchange));
  deliveryMetrics.attempts.inc({ integration_id: integrationId, status_class });
  deliveryMetrics.attemptSeconds.observe({ status_class }, exchange.durationMs / 1000);
  if (exchange.retryAfterMs !== undefined) {
    deliveryMetrics.retryAfter.inc({ integration_id: integrationId, status_class });
    deliveryMetrics.retryAfterSeconds.observe({ integration_id: integrationId }, exchange.retryAfterMs / 1000);
  }
}
