import type { RunSignals } from './run-signals';
import type { OrderOutcome } from '../shared/delivery';
import type { OrderBook, UnfinishedEntry } from '../store/order-book';
import type { AttemptOrder } from './contract';

/**
 * Attempts of ordered deliveries waiting in this worker for earlier ones to finish. A delivery finishing in this
 * process wakes them at once, without a signal or a workflow task: the common case when a person's events arrive
 * together and one worker runs them.
 */
export class OrderNotifier {
  /** Awaited workflow id → the waiting runs' workflow ids and how to wake them. */
  private readonly waiting = new Map<string, Map<string, (news: Wake) => void>>();
  /** Ordered runs whose attempt is running in this worker now (they hold a slot, so they make progress). */
  private readonly running = new Map<string, number>();
  /**
   * Ordered runs this process started eagerly, whose first task is on its way to this worker (workflow id → until
   * when that is believed): worth waiting for here, as one running is.
   */
  private readonly expected = new Map<string, number>();
  /** Requests waiting for room to be expected here, first come first served. */
  private readonly roomQueue: RoomRequest[] = [];

  /**
   * `capacity`: how many ordered runs may be expected or running here at once (a share of the worker's task slots:
   * each holds one while it waits, and an eager start needs a free one).
   */
  constructor(private readonly options: { capacity?: number; now?: () => number } = {}) {}

  private now(): number {
    return (this.options.now ?? Date.now)();
  }

  /**
   * These runs are about to be started eagerly by this process (the intake of `npm start`): if there is room for them
   * (capacity), their first tasks are expected in this worker, in their start order, and who waits here for one of
   * them waits for it as for one running; believed for `forMs` at most, in case a start does not come here after all
   * (it was not eager, and another worker took it). Without room, it waits up to `roomWithinMs` for the attempts here
   * to make it, behind the requests that asked before; then false, and nothing expected.
   */
  async expect(workflowIds: string[], forMs: number, roomWithinMs = 0): Promise<boolean> {
    if (this.roomQueue.length === 0 && this.admit(workflowIds, forMs)) return true;
    if (roomWithinMs <= 0 || workflowIds.length > (this.options.capacity ?? Infinity)) return false;
    return new Promise<boolean>((resolve) => {
      const request: RoomRequest = {
        workflowIds,
        forMs,
        resolve,
        timer: setTimeout(() => {
          this.roomQueue.splice(this.roomQueue.indexOf(request), 1);
          resolve(false);
          // The next may be smaller, and fit.
          this.admitWaiting();
        }, roomWithinMs),
      };
      // Not a reason to keep a stopping process alive: the request then answers as it would without room.
      request.timer.unref?.();
      this.roomQueue.push(request);
    });
  }

  private admit(workflowIds: string[], forMs: number): boolean {
    const now = this.now();
    const fits = () =>
      this.expected.size + this.running.size + workflowIds.length <= (this.options.capacity ?? Infinity);
    if (!fits()) {
      this.sweep(now);
      if (!fits()) return false;
    }
    for (const id of workflowIds) this.expected.set(id, now + forMs);
    return true;
  }

  private admitWaiting(): void {
    for (let next = this.roomQueue[0]; next && this.admit(next.workflowIds, next.forMs); next = this.roomQueue[0]) {
      this.roomQueue.shift();
      clearTimeout(next.timer);
      next.resolve(true);
    }
  }

  /** An ordered run's attempt starts in this worker: who waits here for it to start waits now for it to finish. */
  enter(workflowId: string): void {
    this.expected.delete(workflowId);
    this.running.set(workflowId, (this.running.get(workflowId) ?? 0) + 1);
    this.wake(workflowId, 'started');
  }

  /** Its attempt ended (finished or not): who waits for it here asks again (it may have failed, and gone to wait). */
  leave(workflowId: string): void {
    const left = (this.running.get(workflowId) ?? 1) - 1;
    if (left > 0) this.running.set(workflowId, left);
    else this.running.delete(workflowId);
    this.wake(workflowId, 'left');
    if (this.roomQueue.length > 0) this.admitWaiting();
  }

  /**
   * Whether any of these runs has an attempt running in this worker, or is expected here: worth waiting for here. One
   * that is not (queued behind others, or on another worker) is not waited for while holding a slot: that could hold
   * up the very attempts it waits for.
   */
  anyHere(workflowIds: string[]): boolean {
    return workflowIds.some((id) => this.running.has(id) || (this.expected.get(id) ?? 0) > this.now());
  }

  private sweep(now: number): void {
    for (const [id, until] of this.expected) if (until <= now) this.expected.delete(id);
  }

  /**
   * Waits until one of `awaited` starts its attempt, ends it or finishes in this process (which, and what: the news),
   * or `ms` pass, or `signal` aborts (undefined).
   */
  async waitForAny(waiter: string, awaited: string[], ms: number, signal?: AbortSignal): Promise<Wake | undefined> {
    let wake!: (news?: Wake) => void;
    const woken = new Promise<Wake | undefined>((resolve) => (wake = resolve));
    for (const id of awaited) {
      const waiters = this.waiting.get(id) ?? new Map<string, (news: Wake) => void>();
      waiters.set(waiter, wake);
      this.waiting.set(id, waiters);
    }
    const timer = setTimeout(() => wake(), ms);
    const onAbort = () => wake();
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      return await woken;
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      for (const id of awaited) {
        const waiters = this.waiting.get(id);
        if (waiters?.get(waiter) === wake) waiters.delete(waiter);
        if (waiters?.size === 0) this.waiting.delete(id);
      }
    }
  }

  /**
   * `finished` has finished, and the order book says so: wakes the attempts in this process waiting for it, and
   * returns their workflow ids (they need no signal, nor to ask the order book again).
   */
  finished(finished: string): Set<string> {
    return this.wake(finished, 'finished');
  }

  private wake(workflowId: string, what: Wake['what']): Set<string> {
    const waiters = this.waiting.get(workflowId);
    if (!waiters) return new Set();
    this.waiting.delete(workflowId);
    for (const wake of waiters.values()) wake({ workflowId, what });
    return new Set(waiters.keys());
  }
}

interface RoomRequest {
  workflowIds: string[];
  forMs: number;
  resolve: (admitted: boolean) => void;
  timer: ReturnType<typeof setTimeout>;
}

/** What woke an attempt waiting in the worker: one it waits for started its attempt here, ended it, or finished. */
export interface Wake {
  workflowId: string;
  what: 'started' | 'left' | 'finished';
}

export interface OrderDeps {
  orderBook: Pick<OrderBook, 'finish' | 'unfinished' | 'standing' | 'waiting'>;
  signals: RunSignals;
  notifier: OrderNotifier;
  /** Whether a run is running (the worker describes it); without it, entries are never found stale. */
  runState?: (workflowId: string) => Promise<'running' | 'closed' | 'not_found'>;
}

/**
 * An entry unfinished this long after its handover is looked up in Temporal: its run may never have started (its
 * request failed with a 503 and was not sent again) or may have been terminated, and then nothing would ever finish
 * it and release who waits for it (a deletion would wait forever). Far longer than an intake request may take.
 */
export const STALE_ENTRY_MS = 5 * 60_000;

/** How long an attempt waits in the worker for an unfinished predecessor to begin its attempt here. */
export const ORDER_START_GRACE_MS = 50;

/** What an ordered attempt may do: send, wait for an earlier delivery, or nothing (it was delivered already). */
export type OrderCheck =
  | { go: true; gated?: { ms: number; for: string } }
  | { go: false; waitingFor: UnfinishedEntry }
  | { go: false; alreadyDelivered: true };

/**
 * The order check of one attempt: first whether this run is already delivered (its result lost with a worker), then
 * whether what it waits for has finished; if not, it waits here up to `gateMs` for a finish in this process.
 */
export async function checkOrder(
  deps: OrderDeps,
  self: string,
  order: AttemptOrder,
  signal?: AbortSignal,
): Promise<OrderCheck> {
  const waitFor = order.overtake ? [] : order.waitFor;
  const standing = await deps.orderBook.standing(self, waitFor);
  if (standing.delivered) {
    // Its waiters may not have been told either.
    await releaseOrder(deps, self, 'delivered');
    return { go: false, alreadyDelivered: true };
  }
  if (waitFor.length === 0) return { go: true };
  let open = await withoutStale(deps, standing.unfinished);
  if (open.length === 0) return { go: true };
  const first = open[0]!.workflowId;
  const started = Date.now();
  const gateMs = order.gateMs ?? 0;
  const ids = () => open.map((e) => e.workflowId);
  // A predecessor not running here yet may be about to: its start came first, so its task is usually just ahead of
  // this one in this worker. It gets a short grace to begin (then it is waited for as running); without it, one late
  // start sent the rest of the person's events in the request to wait by signal, a workflow task each.
  let graceLeft = Math.min(gateMs, ORDER_START_GRACE_MS);
  for (let left = gateMs; left > 0 && open.length > 0 && !signal?.aborted;) {
    const running = deps.notifier.anyHere(ids());
    if (!running && graceLeft <= 0) break;
    const waitMs = running ? left : Math.min(left, graceLeft);
    const from = Date.now();
    const news = await deps.notifier.waitForAny(self, ids(), waitMs, signal);
    if (!running) graceLeft -= Date.now() - from;
    // Its start and its finish here need no second look at the order book (the finish was written before the news);
    // the end of an attempt that did not finish, the time running out or an abort do.
    if (news?.what === 'finished') open = open.filter((e) => e.workflowId !== news.workflowId);
    else if (news?.what !== 'started') open = await deps.orderBook.unfinished(ids());
    left = gateMs - (Date.now() - started);
  }
  if (open.length === 0) return { go: true, gated: { ms: Date.now() - started, for: first } };
  // The wait goes to the workflow, woken by signal: say so first, then ask a last time, so that a finish in between
  // is either seen here or signals this run (OrderBook.finish).
  await deps.orderBook.waiting(self);
  open = await deps.orderBook.unfinished(ids());
  if (open.length === 0) return { go: true, gated: { ms: Date.now() - started, for: first } };
  return { go: false, waitingFor: open[0]! };
}

/** `open` without the entries whose runs are not running (never started, or ended without finishing): finished now. */
async function withoutStale(deps: OrderDeps, open: UnfinishedEntry[], now = Date.now()): Promise<UnfinishedEntry[]> {
  const { runState } = deps;
  if (!runState) return open;
  const kept: UnfinishedEntry[] = [];
  for (const entry of open) {
    const old = entry.handedAt !== undefined && now - Date.parse(entry.handedAt) > STALE_ENTRY_MS;
    const state = old ? await runState(entry.workflowId) : 'running';
    if (state === 'running') kept.push(entry);
    else await releaseOrder(deps, entry.workflowId, state === 'closed' ? 'cancelled' : 'refused');
  }
  return kept;
}

/**
 * Marks this run finished in the order book and wakes who waits for it: attempts waiting in this worker at once, the
 * others by signal (sent without waiting for the answers: a lost signal is made up by the waiter's own recheck).
 */
export async function releaseOrder(deps: OrderDeps, self: string, outcome: OrderOutcome): Promise<number> {
  const waiters = await deps.orderBook.finish(self, outcome);
  const woken = deps.notifier.finished(self);
  for (const waiter of waiters) {
    if (woken.has(waiter)) continue;
    void deps.signals.release(waiter).catch(() => undefined);
  }
  return waiters.length;
}
