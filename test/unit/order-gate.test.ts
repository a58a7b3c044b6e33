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
    async signal() {
      throw new Error('an order release goes by signal-with-start (release), not a plain signal');
    },
    async release(workflowId) {
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
  const ev = (workflowId: string) => ({ workflowId, key: 'person:u', barrier: false });
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

  test('a predecessor that begins here within the start grace is waited for as running; one that does not, by signal', async () => {
    await take('a', 'b', 'c');
    const checked = checkOrder(deps(), 'b', { waitFor: ['a'], gateMs: 5_000 });
    await new Promise((r) => setTimeout(r, 5));
    notifier.enter('a');
    await new Promise((r) => setImmediate(r));
    await releaseOrder(deps(), 'a', 'delivered');
    expect(await checked).toMatchObject({ go: true, gated: { for: 'a' } });
    expect(signalled).toEqual([]);

    const started = Date.now();
    expect(await checkOrder(deps(), 'c', { waitFor: ['b'], gateMs: 5_000 })).toMatchObject({ go: false });
    expect(Date.now() - started).toBeLessThan(1_000);
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
      waitingFor: expect.objectContaining({ workflowId: 'a', barrier: false }),
    });
    await releaseOrder(deps(), 'a', 'delivered');
    expect(signalled).toEqual(['b']);
    expect(await checkOrder(deps(), 'b', { waitFor: ['a'] })).toEqual({ go: true });
  });

  test('an entry handed over long ago whose run is not running (never started, or terminated) no longer holds anyone', async () => {
    const longAgo = new Date(Date.now() - 10 * 60_000);
    await book.take('int', [ev('never-started'), ev('terminated')], longAgo);
    await book.take('int', [ev('recent'), ev('b')]);
    await book.take('int', [{ workflowId: 'deletion', key: 'person:u', barrier: true }]);
    const states: Record<string, 'running' | 'closed' | 'not_found'> = {
      'never-started': 'not_found',
      terminated: 'closed',
      recent: 'not_found', // not looked up: too recent to tell from a start still under way
    };
    const asked: string[] = [];
    const withState = {
      ...deps(),
      runState: async (id: string) => {
        asked.push(id);
        return states[id] ?? 'running';
      },
    };
    expect(
      await checkOrder(withState, 'deletion', { waitFor: ['never-started', 'terminated', 'recent', 'b'] }),
    ).toEqual({
      go: false,
      waitingFor: expect.objectContaining({ workflowId: 'recent' }),
    });
    expect(asked.sort()).toEqual(['never-started', 'terminated']);
    expect((await book.entry('never-started'))?.outcome).toBe('refused');
    expect((await book.entry('terminated'))?.outcome).toBe('cancelled');
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

  test('a predecessor this process is starting eagerly is waited for past the start grace, and its finish needs no second look', async () => {
    await take('a', 'b');
    expect(await notifier.expect(['a'], 10_000)).toBe(true);
    let reads = 0;
    const counted = {
      ...deps(),
      orderBook: {
        finish: book.finish.bind(book),
        waiting: book.waiting.bind(book),
        standing: book.standing.bind(book),
        unfinished: (ids: string[]) => {
          reads++;
          return book.unfinished(ids);
        },
      },
    };
    const checked = checkOrder(counted, 'b', { waitFor: ['a'], gateMs: 5_000 });
    // Well past the 50 ms grace of a predecessor neither running nor expected here.
    await new Promise((r) => setTimeout(r, 200));
    notifier.enter('a');
    await new Promise((r) => setImmediate(r));
    expect(await releaseOrder(deps(), 'a', 'delivered')).toBe(0);
    const result = await checked;
    expect(result).toMatchObject({ go: true, gated: { for: 'a' } });
    expect(result.go && result.gated!.ms).toBeGreaterThanOrEqual(150);
    // Neither its start nor its finish made the waiter read the order book again.
    expect(reads).toBe(0);
    expect(signalled).toEqual([]);
  });

  test('no more runs are expected than its capacity; expectations that ran out make room', async () => {
    let now = 0;
    const small = new OrderNotifier({ capacity: 3, now: () => now });
    expect(await small.expect(['a', 'b'], 1_000)).toBe(true);
    expect(await small.expect(['c', 'd'], 1_000)).toBe(false);
    expect(small.anyHere(['c'])).toBe(false);
    small.enter('a'); // running now, still counted
    expect(await small.expect(['c'], 1_000)).toBe(true);
    expect(small.anyHere(['b', 'c'])).toBe(true);
    now = 1_001; // b and c were never started here
    expect(small.anyHere(['b'])).toBe(false);
    expect(await small.expect(['e', 'f'], 1_000)).toBe(true);
  });

  test('a request without room waits for attempts here to end, behind those that asked before, for a while at most', async () => {
    const small = new OrderNotifier({ capacity: 3 });
    expect(await small.expect(['a', 'b', 'c'], 10_000)).toBe(true);
    small.enter('a');
    small.enter('b');
    const admitted: string[] = [];
    const first = small.expect(['d', 'e'], 10_000, 5_000).then((ok) => ok && admitted.push('d,e'));
    // Would fit after one more ends, but asked after d and e: waits behind them.
    const second = small.expect(['f'], 10_000, 5_000).then((ok) => ok && admitted.push('f'));
    // More than the whole capacity: never fits, refused at once.
    expect(await small.expect(['g', 'h', 'i', 'j'], 10_000, 5_000)).toBe(false);
    small.leave('a');
    await new Promise((r) => setImmediate(r));
    expect(admitted).toEqual([]);
    small.leave('b');
    await first;
    expect(admitted).toEqual(['d,e']);
    expect(small.anyHere(['d', 'e'])).toBe(true);
    small.enter('c');
    small.leave('c');
    await second;
    expect(admitted).toEqual(['d,e', 'f']);
    // No room within the wait: refused, nothing expected.
    expect(await small.expect(['k'], 10_000, 50)).toBe(false);
    expect(small.anyHere(['k'])).toBe(false);
  });
});
