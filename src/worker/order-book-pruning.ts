import type { OrderBook } from '../store/order-book';
import { RETENTION_DAYS } from '../shared/compatibility';

const DAY_MS = 24 * 60 * 60_000;

/**
 * Entries kept this long after they finish: a day past the namespace's retention, after which their runs' histories
 * are gone, so nothing can replay them (the replay check reads the entry) or wait for them any more.
 */
export const ORDER_ENTRY_KEEP_MS = (RETENTION_DAYS + 1) * DAY_MS;

/** How often a worker forgets finished entries: each worker does, and a delete that finds nothing costs one query. */
export const ORDER_PRUNE_EVERY_MS = 60 * 60_000;

/**
 * Keeps the order book to what can still matter: every ORDER_PRUNE_EVERY_MS (and once soon after the start), the
 * entries finished more than ORDER_ENTRY_KEEP_MS ago go. A store out of reach skips a round; the next one catches up.
 * Returns `stop`.
 */
export function pruneOrderBookEvery(
  book: Pick<OrderBook, 'prune'>,
  report: (outcome: { pruned: number } | { error: unknown }) => void,
  options: { everyMs?: number; firstAfterMs?: number; now?: () => number } = {},
): () => void {
  const now = options.now ?? Date.now;
  let running: Promise<void> | undefined;
  const round = () => {
    // One round at a time: a slow delete on a big table is not stacked.
    running ??= book
      .prune(new Date(now() - ORDER_ENTRY_KEEP_MS))
      .then(
        (pruned) => report({ pruned }),
        (error: unknown) => report({ error }),
      )
      .finally(() => (running = undefined));
  };
  const first = setTimeout(round, options.firstAfterMs ?? 60_000);
  const every = setInterval(round, options.everyMs ?? ORDER_PRUNE_EVERY_MS);
  first.unref();
  every.unref();
  return () => {
    clearTimeout(first);
    clearInterval(every);
  };
}
