/**
 * What the delivery workflow and its activities exchange. The workflow imports this module for types and names only;
 * the names are part of recorded histories (and read back by src/deliveries), so they must not change.
 */
import type { HttpExchange, TrackApiRequest } from '../customerio/exchange';
import type { LateRecord, OrderOutcome } from '../shared/delivery';

/** Input of one HTTP attempt: the request is planned by the workflow, so the history records exactly what was sent. */
export interface SendAttemptInput {
  integrationId: string;
  attempt: number;
  request: TrackApiRequest;
  /**
   * Set for attempts run as local activities (they hold a workflow task while they run): a wait for the
   * integration's rate limit longer than this is not waited out in the worker; the attempt is `deferred` instead.
   */
  deferAfterMs?: number;
  /**
   * The run can be woken by the circuit-closed signal: while its integration's circuit is open it may be told to wait
   * for that signal (`wake: 'signal'`) instead of coming back on a timer.
   */
  wakeOnCircuitClose?: boolean;
  /** Set for ordered deliveries (issue 16): what must have finished before this attempt is sent. */
  order?: AttemptOrder;
}

/** What an ordered delivery's attempt checks in the order book before it sends. */
export interface AttemptOrder {
  /** The earlier deliveries of its person it waits for (its input's order.waitFor). */
  waitFor: string[];
  /** How long the attempt may wait in the worker for them to finish before it hands the wait to the workflow. */
  gateMs?: number;
  /**
   * How long it may wait in the worker in all, for them and then for its rate-limit slot (src/shared/attempt-timing.ts
   * attemptWaits); without it, deferAfterMs.
   */
  waitBudgetMs?: number;
  /** Its wait ran out (order_wait_minutes): it goes ahead of what it waited for. */
  overtake?: boolean;
}

/**
 * What an attempt did. Each outcome repeats the request it was about: a local activity's marker in the history
 * records its result but not its input.
 */
export type SendAttemptResult =
  | {
      outcome: 'delivered';
      exchange: HttpExchange;
      revisionNumber: number;
      request?: TrackApiRequest;
      /** Ordered deliveries: the order book was told it finished, and its waiters were woken (false: do it still). */
      orderFinished?: boolean;
      /** Ordered deliveries: how long the attempt waited in the worker for an earlier delivery, and for which. */
      gated?: { ms: number; for: string };
      /** The event was older than Customer.io's campaign window at the 2xx (src/customerio/late-events.ts). */
      late?: LateRecord;
    }
  | {
      /**
       * This run's entry in the order book already says delivered: a worker was lost after Customer.io's 2xx and
       * before the run recorded it. Not sent again.
       */
      outcome: 'already_delivered';
      detail: string;
      request?: TrackApiRequest;
    }
  | {
      /** An earlier delivery of the same person has not finished: the run waits for it (orderReleased). */
      outcome: 'waiting_for_order';
      waitingFor: string;
      /** What it waits for is a barrier (a deletion): it is never overtaken. */
      barrier: boolean;
      detail: string;
      request?: TrackApiRequest;
    }
  | {
      outcome: 'skipped';
      /** event_too_old: older than the integration's refuse_events_older_than_hours at this attempt. */
      reason: 'integration_disabled' | 'integration_deleted' | 'event_too_old';
      detail: string;
      request?: TrackApiRequest;
    }
  | {
      outcome: 'deferred';
      /** How long to wait; with `wake: 'signal'`, the longest wait before asking again if no signal comes. */
      retryAfterMs: number;
      detail: string;
      request?: TrackApiRequest;
      /** Set when the run is to wait for the signal that its integration's circuit closed. */
      wake?: 'signal';
    };

/** The integration's credentials as a parked delivery needs to know them: has a fix arrived? */
interface CredentialsState {
  revisionNumber: number;
  /** Disabled or deleted: the parked delivery should move on (its next attempt ends filtered). */
  usable: boolean;
  /** The store did not answer: nothing is known, so the delivery keeps waiting (revisionNumber is 0). */
  storeUnreachable?: boolean;
}

export interface DeliveryActivities {
  /** One HTTP attempt; a failure carries its classification (src/customerio/outcomes.ts). */
  sendToCustomerIo(input: SendAttemptInput): Promise<SendAttemptResult>;
  /** For parked deliveries: the integration's current credentials revision. */
  credentialsState(integrationId: string): Promise<CredentialsState>;
  /**
   * Ordered deliveries: this run has finished (its outcome), so the order book marks it and the runs waiting for it
   * are woken. Idempotent.
   */
  finishOrder(outcome: OrderOutcome): Promise<{ woken: number }>;
}

/** Activity type names as histories record them; a rename of an activity that misses this table fails type-checking. */
export const ACTIVITY = {
  send: 'sendToCustomerIo',
  credentials: 'credentialsState',
  finishOrder: 'finishOrder',
} as const satisfies Record<string, keyof DeliveryActivities>;
