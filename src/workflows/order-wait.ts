import {
  CancellationScope,
  condition,
  isCancellation,
  log,
  proxyLocalActivities,
  setHandler,
  upsertMemo,
  workflowInfo,
} from '@temporalio/workflow';
import type { AttemptOrder, DeliveryActivities, SendAttemptResult } from '../activities/contract';
import { attemptWaits } from '../shared/attempt-timing';
import {
  chainedBehind,
  type DeliveryOrder,
  type DeliveryResult,
  type OrderOutcome,
  type OrderWaitRecord,
} from '../shared/delivery';
import { metricsSink } from './metrics-sink';
import type { RunLabels } from './run-labels';
import { orderReleased } from './signals';

/** A waiting run asks the order book again this often even without a signal, in case one was lost. */
const RECHECK_MS = 5 * 60_000;

// Marking a run finished must not be lost to a store that is briefly out of reach: retried until it answers.
const orderBook = proxyLocalActivities<DeliveryActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
});

type Waiting = Extract<SendAttemptResult, { outcome: 'waiting_for_order' }>;

/**
 * An ordered delivery's place in its person's order (issue 16), in the workflow: each attempt checks the order book
 * (in the attempt's local activity, so a delivery whose predecessor has finished costs no extra step); one told to
 * wait is labelled `waiting_for_order` and waits for the `orderReleased` signal (asking again every few minutes), out
 * of its retry window. A non-barrier delivery held longer than its order's waitLimitMs goes ahead (an overtake, in its
 * memo and result); nothing overtakes a barrier, and a barrier overtakes nothing. When the run ends, however it ends,
 * the order book is told, which wakes whoever waits for it. Runs without `order` never get here.
 */
export class OrderWait {
  private received = 0;
  private firstWaitAt: number | undefined;
  private waitedMs = 0;
  private waitedFor: string | undefined;
  private overtook = false;
  /** What the memo says it waits for. */
  private shown: string | undefined;
  private attempted = false;
  /** The attempt that saw the 2xx (or found it recorded) has already told the order book. */
  private finishedByAttempt = false;
  /** Counted in the waits metric (once per run, however it waited). */
  private counted = false;

  constructor(
    private readonly order: DeliveryOrder,
    private readonly labels: RunLabels,
    private readonly integrationId: string,
  ) {
    setHandler(orderReleased, () => {
      this.received++;
    });
  }

  /** Runs the delivery, then tells the order book how it ended; its result records the wait. */
  async around(run: () => Promise<DeliveryResult>): Promise<DeliveryResult> {
    if (this.order.startDelayed) this.startedDelayed();
    let result: DeliveryResult;
    try {
      result = await run();
    } catch (err) {
      const outcome: OrderOutcome = isCancellation(err) ? 'cancelled' : this.attempted ? 'failed' : 'refused';
      await CancellationScope.nonCancellable(() => orderBook.finishOrder(outcome));
      throw err;
    }
    if (!this.finishedByAttempt) await orderBook.finishOrder(result.status);
    const record = this.record();
    return record ? { ...result, orderWait: record } : result;
  }

  /** Taken before an attempt: a release signalled during the attempt is not missed. */
  mark(): number {
    return this.received;
  }

  /** What the next attempt checks. */
  attemptOrder(): AttemptOrder {
    this.attempted = true;
    // Longer for a run started with a longer task timeout (ORDERED_TASK_TIMEOUT_MS): it waits in its worker instead.
    const { gateMs, budgetMs } = attemptWaits(workflowInfo().taskTimeoutMs);
    return {
      waitFor: this.order.waitFor,
      gateMs,
      waitBudgetMs: budgetMs,
      ...(this.overtook ? { overtake: true } : {}),
    };
  }

  /** An attempt that did not have to wait (or waited in the worker) and was delivered, or found delivered. */
  sent(result: SendAttemptResult): void {
    if (result.outcome === 'already_delivered') this.finishedByAttempt = true;
    if (result.outcome !== 'delivered') return;
    this.finishedByAttempt = result.orderFinished === true;
    if (result.gated) {
      this.waitedMs += result.gated.ms;
      this.waitedFor ??= result.gated.for;
      // A wait in the worker is a wait too, though it took no signal (npm start's usual one).
      this.countWait();
    }
  }

  /** Told to wait: waits for a release, or the recheck, or (not for barriers) the end of its longest wait. */
  async wait(mark: number, waiting: Waiting): Promise<void> {
    const now = Date.now();
    this.firstWaitAt ??= now;
    this.waitedFor = waiting.waitingFor;
    const held = now - this.firstWaitAt;
    const forever = this.order.barrier || waiting.barrier;
    const left = forever ? RECHECK_MS : Math.min(RECHECK_MS, this.order.waitLimitMs - held);
    if (left <= 0) return this.overtake(waiting.waitingFor, held);
    this.labels.set('waiting_for_order');
    if (this.shown !== waiting.waitingFor) {
      // In the memo, so lists and the Live Events view can show what it waits for without reading the history.
      this.shown = waiting.waitingFor;
      upsertMemo({ waitingFor: { workflowId: waiting.waitingFor, barrier: waiting.barrier } });
    }
    if (held === 0) {
      log.info('waiting for an earlier delivery of the same person', { waitingFor: waiting.waitingFor });
      this.countWait();
    }
    if (this.received === mark) await condition(() => this.received > mark, left);
    this.waitedMs += Date.now() - now;
  }

  /** Its first task waited from its start until its predecessor released it (or the delay ran out): a wait. */
  private startedDelayed(): void {
    const startedAt = workflowInfo().startTime.getTime();
    this.firstWaitAt = startedAt;
    this.waitedMs = Math.max(0, Date.now() - startedAt);
    this.waitedFor = chainedBehind(this.order);
    this.shown = this.waitedFor;
    this.countWait();
  }

  private countWait(): void {
    if (this.counted) return;
    this.counted = true;
    metricsSink.orderWaited(this.integrationId, this.order.barrier);
  }

  private overtake(waitingFor: string, waitedMs: number): void {
    this.overtook = true;
    metricsSink.orderOvertook(this.integrationId);
    log.warn('going ahead of an earlier delivery of the same person: order_wait_minutes ran out', {
      overtook: waitingFor,
      waitedMs,
    });
    upsertMemo({ orderOvertook: { workflowId: waitingFor, waitedMs, reason: 'order_wait_minutes' } });
  }

  private record(): OrderWaitRecord | undefined {
    if (!this.waitedFor) return undefined;
    return { waitedMs: this.waitedMs, waitedFor: this.waitedFor, ...(this.overtook ? { overtook: true } : {}) };
  }
}
