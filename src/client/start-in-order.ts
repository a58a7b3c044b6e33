import type { SettledDelivery } from '../customerio/delivery-input';
import type { ChainedBehind } from './start-delivery';
import { chainedBehind } from '../shared/delivery';
import { deliveryRunWorkflowId } from '../shared/names';
import type { OrderBook } from '../store/order-book';
import { attemptWaits, ORDERED_TASK_TIMEOUT_MS } from '../shared/attempt-timing';

/**
 * How long a delivery chained behind an earlier one of the same request waits to begin when nothing releases it: its
 * predecessor releases it as it finishes (signal-with-start), so this is only the bound for a release that was lost
 * (a worker gone between the finish and the signal); the run then asks the order book itself.
 */
export const CHAINED_START_DELAY_MS = 60_000;

/**
 * Which deliveries must wait for an earlier delivery of their person that had not finished when they took their
 * place: in a batch of a person's events, every one after the first, and a first one whose predecessor (from an
 * earlier request) is still under way. They are started first, with their first workflow task delayed, and marked
 * waiting in the order book; the others start after them (eagerly where they can). So each waiting event begins only
 * when its predecessor releases it, one workflow task, instead of starting at once only to find its predecessor
 * unfinished and wait by signal, a second task (and, while waiting, holding a slot of the worker its predecessor
 * needs).
 */
export function chained(deliveries: SettledDelivery[]): boolean[] {
  return deliveries.map(({ input }) => input.order !== undefined && input.order.waitFor.length > 0);
}

/**
 * The worker in this process, when the starts are eager (`npm start`): told which ordered runs are on their way to
 * it, so a later event of the person waits for an earlier one there, woken in-process (src/activities/order-gate.ts).
 */
export interface LocalWaits {
  /**
   * Resolves true once they are expected there; false when that worker had no room for them within `roomWithinMs`
   * (they are then chained, as without it).
   */
  expect(workflowIds: string[], forMs: number, roomWithinMs?: number): Promise<boolean>;
}

/**
 * How long a request's starts wait for room in this process's worker (WORKER_MAX_ORDERED_RUNS) before its later events
 * are chained instead. Room comes back at the delivery rate (a batch of 500 in about 6 s at this machine's 90
 * deliveries/s), while a chained event costs the server a delayed start and a signal more: under a backlog, a slower
 * answer is the cheaper way to hold the intake back (npm run bench: no event chained at 5,000 events over 50 people).
 */
export const LOCAL_ROOM_WAIT_MS = 10_000;

/** How a request's chained deliveries are marked waiting, and released when what they wait for finished meanwhile. */
export interface ChainRelease {
  orderBook: Pick<OrderBook, 'waiting' | 'unfinished'>;
  release(workflowId: string): Promise<unknown>;
}

/**
 * Starts a request's deliveries (`start(i, startDelayMs)`) at most `limit` at once. With `local` (eager starts into a
 * worker of this process) all of them start at once, in order, the ordered ones expected by that worker, where the
 * later ones wait. Else, with `chain`: the chained ones first, delayed, then marks them waiting, releases those whose
 * predecessors finished before the mark (a predecessor from an earlier request, or a run of a retried request, may
 * have; one that finishes after it releases them itself: OrderBook.finish), then starts the rest. Results come back in
 * the deliveries' order. Once a start fails no new one begins (the caller answers the whole request as failed) and the
 * first failure is thrown; what it had started stays correct, and the retried request finds it started.
 */
export async function startInRequestOrder<T>(
  deliveries: SettledDelivery[],
  start: (index: number, chainedBehind: ChainedBehind | undefined) => Promise<T>,
  options: { limit: number; chain?: ChainRelease | undefined; local?: LocalWaits | undefined },
): Promise<T[]> {
  const { local, chain } = options;
  const waits = chain || local ? chained(deliveries) : deliveries.map(() => false);
  const later = deliveries.flatMap((_, i) => (waits[i] ? [i] : []));
  const orders = new Map(later.map((i) => [i, deliveries[i]!.input.order!]));
  const awaited = [...new Set([...orders.values()].flatMap((o) => o.waitFor))];
  // Whether each awaited delivery is a deletion, for the runs' listing ("waiting for a deletion").
  const barriersOf = async () => {
    const known = later.length > 0 && chain ? await chain.orderBook.unfinished(awaited) : [];
    const barriers = new Map(known.map((e) => [e.workflowId, e.barrier]));
    for (const { input } of deliveries)
      if (input.order) barriers.set(deliveryRunWorkflowId(input), input.order.barrier);
    return barriers;
  };
  /** What a later delivery is started behind: the latest of what it waits for, and whether that is a deletion. */
  const behindOf = (i: number, barriers: Map<string, boolean>, delayMs: number): ChainedBehind => {
    const workflowId = chainedBehind(orders.get(i)!)!;
    return { workflowId, barrier: barriers.get(workflowId) ?? false, delayMs };
  };
  const ordered = deliveries.flatMap(({ input }) => (input.order ? [deliveryRunWorkflowId(input)] : []));
  // A waiter gives up on an expected run after its longest wait in the worker anyway.
  if (local && (await local.expect(ordered, attemptWaits(ORDERED_TASK_TIMEOUT_MS).gateMs, LOCAL_ROOM_WAIT_MS))) {
    const barriers = await barriersOf();
    return runLimited(
      deliveries.map((_, i) => () => start(i, orders.has(i) ? behindOf(i, barriers, 0) : undefined)),
      options.limit,
    );
  }
  const results = new Array<T>(deliveries.length);
  const phase = async (indices: number[], behind: (i: number) => ChainedBehind | undefined) => {
    const out = await runLimited(
      indices.map((i) => () => start(i, behind(i))),
      options.limit,
    );
    indices.forEach((i, k) => (results[i] = out[k]!));
  };
  if (chain && later.length > 0) {
    const barriers = await barriersOf();
    await phase(later, (i) => {
      const order = orders.get(i)!;
      // Never longer than it may be held before it goes ahead (order_wait_minutes), so an overtake is not late.
      return behindOf(
        i,
        barriers,
        order.barrier ? CHAINED_START_DELAY_MS : Math.min(CHAINED_START_DELAY_MS, order.waitLimitMs),
      );
    });
    await chain.orderBook.waiting(later.map((i) => deliveryRunWorkflowId(deliveries[i]!.input)));
    const open = new Set((await chain.orderBook.unfinished(awaited)).map((e) => e.workflowId));
    const free = later.filter((i) => !orders.get(i)!.waitFor.some((id) => open.has(id)));
    // A release that fails is made up by the start delay's end, after which the run asks the order book itself.
    await Promise.all(
      free.map((i) => chain.release(deliveryRunWorkflowId(deliveries[i]!.input)).catch(() => undefined)),
    );
  }
  await phase(
    deliveries.flatMap((_, i) => (chain && waits[i] ? [] : [i])),
    () => undefined,
  );
  return results;
}

async function runLimited<T>(jobs: (() => Promise<T>)[], limit: number): Promise<T[]> {
  const results = new Array<T>(jobs.length);
  let next = 0;
  let failed = false;
  const lane = async () => {
    while (next < jobs.length && !failed) {
      const i = next++;
      try {
        results[i] = await jobs[i]!();
      } catch (err) {
        failed = true;
        throw err;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, jobs.length) }, lane));
  return results;
}
