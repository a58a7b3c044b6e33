import { ORDER_ENTRY_KEEP_MS, pruneOrderBookEvery } from '../../src/worker/order-book-pruning';
import { type DatabaseHandle, migrateToLatest, openDatabase } from '../../src/store/database';
import { OrderBook } from '../../src/store/order-book';

/** Each worker forgets finished order-book entries once their runs' histories are gone (retention + a day). */
describe('the order book’s pruning', () => {
  let handle: DatabaseHandle;
  let book: OrderBook;
  beforeEach(async () => {
    handle = openDatabase('sqlite::memory:');
    await migrateToLatest(handle);
    book = new OrderBook(handle.db);
  });
  afterEach(() => handle.close());

  /** One round, run at once; resolves with what it reported. */
  function oneRound(target: Pick<OrderBook, 'prune'>, now: number) {
    return new Promise<{ pruned: number } | { error: unknown }>((resolve) => {
      const stop = pruneOrderBookEvery(
        target,
        (outcome) => {
          stop();
          resolve(outcome);
        },
        { firstAfterMs: 0, everyMs: 3_600_000, now: () => now },
      );
    });
  }

  test('entries finished before the horizon go; newer ones and unfinished ones stay, and the key goes on', async () => {
    const now = Date.parse('2026-12-07T12:00:00Z');
    const ev = (workflowId: string) => ({ workflowId, key: 'person:u', barrier: false });
    await book.take('int', [ev('old'), ev('recent'), ev('open')], new Date(now - ORDER_ENTRY_KEEP_MS - 60_000));
    await book.finish('old', 'delivered', new Date(now - ORDER_ENTRY_KEEP_MS - 1_000));
    await book.finish('recent', 'delivered', new Date(now - ORDER_ENTRY_KEEP_MS + 60_000));

    expect(await oneRound(book, now)).toEqual({ pruned: 1 });
    expect(await book.entry('old')).toBeUndefined();
    expect(await book.entry('recent')).toMatchObject({ outcome: 'delivered' });
    expect((await book.unfinished(['open'])).map((e) => e.workflowId)).toEqual(['open']);
    // The key's sequence is kept: the next event of the person follows the open one.
    const [next] = await book.take('int', [ev('next')], new Date(now));
    expect(next).toEqual({ seq: 4, waitFor: ['open'] });
  });

  test('a round that fails is reported, not thrown', async () => {
    let calls = 0;
    const failing = {
      async prune(): Promise<number> {
        calls++;
        throw new Error('Connection terminated unexpectedly');
      },
    };
    const outcome = await oneRound(failing, Date.now());
    expect(outcome).toMatchObject({
      error: expect.objectContaining({ message: 'Connection terminated unexpectedly' }),
    });
    expect(calls).toBe(1);
  });
});
