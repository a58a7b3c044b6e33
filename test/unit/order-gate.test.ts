import { checkOrder, OrderNotifier, releaseOrder } from '../../src/activities/order-gate';
import type { RunSignals } from '../../src/activities/run-signals';
import { type DatabaseHandle, migrateToLatest, openDatabase } from '../../src/store/database';
import { OrderBook } from '../../src/store/order-book';

/** The order check an ordered attempt makes in its local activity, over a real (in-memory SQLite) order book. */
describe('the order gate of an attempt', () => {
  let handle: DatabaseHandle;
  let book: OrderBook;
  let notifier: OrderNotifier;
  let signalled: string[];
  const signals: RunSignals = {
    async signal(workflowId) {
      signalled.push(workflowId);
      return 'signalled';
    },
  };
  const deps = () => ({ orderBook: book, signals, notifier });
  beforeEach(async () => {
    handle = openDatabase('sqlite::memory:');
    await migrateToLatest(handle);
    book = new OrderBook(handle.db);
    notifier = new OrderNotifier();
    signalled = [];
  });
  afterEach(() => handle.close());
  const take = (...ids: string[]) =>
    book.take(
      'int',
      ids.map((workflowId) => ({ workflowId, key: 'person:u', barrier: false })),
    );

  test('a run already delivered (its result lost with a worker) is not sent again, and its waiters are told', async () => {
    await take('a', 'b');
    await book.waiting('b');
    await book.finish('a', 'delivered');
    signalled = [];
    expect(await checkOrder(deps(), 'a', { waitFor: [] })).toEqual({ go: false, alreadyDelivered: true });
    expect(signalled).toEqual(['b']);
  });

  test('a predecessor that has finished: go at once, nothing recorded', async () => {
    await take('a', 'b');
    await book.finish('a', 'failed');
    expect(await checkOrder(deps(), 'b', { waitFor: ['a'], gateMs: 1_000 })).toEqual({ go: true });
  });

  test('a predecessor running in this worker: wait here, woken by its finish without a signal', async () => {
    await take('a', 'b');
    notifier.enter('a');
    const checked = checkOrder(deps(), 'b', { waitFor: ['a'], gateMs: 5_000 });
    await new Promise((r) => setImmediate(r));
    expect(await releaseOrder(deps(), 'a', 'delivered')).toBe(0);
    const result = await checked;
    expect(result).toMatchObject({ go: true, gated: { for: 'a' } });
    expect(result.go && result.gated!.ms).toBeLessThan(5_000);
    expect(signalled).toEqual([]);
  });

  test('a predecessor not running here: the wait goes to the workflow, which its finish then signals', async () => {
    await take('a', 'b');
    expect(await checkOrder(deps(), 'b', { waitFor: ['a'], gateMs: 1_000 })).toEqual({
      go: false,
      waitingFor: { workflowId: 'a', barrier: false },
    });
    await releaseOrder(deps(), 'a', 'delivered');
    expect(signalled).toEqual(['b']);
    expect(await checkOrder(deps(), 'b', { waitFor: ['a'] })).toEqual({ go: true });
  });

  test('an overtaking attempt goes without looking; a predecessor that fails here leaves its waiter to the workflow', async () => {
    await take('a', 'b');
    expect(await checkOrder(deps(), 'b', { waitFor: ['a'], overtake: true })).toEqual({ go: true });
    notifier.enter('a');
    const checked = checkOrder(deps(), 'b', { waitFor: ['a'], gateMs: 5_000 });
    await new Promise((r) => setImmediate(r));
    notifier.leave('a'); // its attempt failed (a 500): not finished, and no longer running here
    expect(await checked).toMatchObject({ go: false, waitingFor: { workflowId: 'a' } });
  });
});
