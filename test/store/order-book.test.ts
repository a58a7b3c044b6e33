import { type DatabaseHandle, migrateToLatest, openDatabase } from '../../src/store/database';
import { keyDigest, OrderBook } from '../../src/store/order-book';
import { testDatabases } from '../support/databases';

describe.each(testDatabases())('the order book on %s', (kind, url) => {
  let handles: DatabaseHandle[];
  let book: OrderBook;
  /** A second book on its own connection pool: another API replica. */
  let replica: OrderBook;
  beforeAll(async () => {
    const at = await url();
    handles = [openDatabase(at), openDatabase(kind === 'sqlite' ? at : at)];
    await migrateToLatest(handles[0]!);
    book = new OrderBook(handles[0]!.db);
    // SQLite in memory is one database per connection: the "replica" shares the first handle there.
    replica = kind === 'sqlite' ? book : new OrderBook(handles[1]!.db);
  });
  afterAll(() => Promise.all(handles.map((h) => h.close())));

  const ev = (workflowId: string, key = 'person:u-1', barrier = false) => ({ workflowId, key, barrier });
  const open = async (ids: string[]) =>
    (await book.unfinished(ids)).map(({ workflowId, barrier }) => ({ workflowId, barrier }));

  test('array order is handover order: each event waits for the one before it, until that one finishes', async () => {
    const places = await book.take('int_a', [ev('a1'), ev('a2'), ev('b1', 'person:u-2'), ev('a3')]);
    expect(places).toEqual([
      { seq: 1, waitFor: [] },
      { seq: 2, waitFor: ['a1'] },
      { seq: 1, waitFor: [] },
      { seq: 3, waitFor: ['a2'] },
    ]);
    // Only a run that said it waits for a signal is named: the others ask the book before they send.
    expect(await book.finish('a1', 'delivered')).toEqual([]);
    await book.waiting('a3');
    expect(await book.finish('a2', 'delivered')).toEqual(['a3']);
    // A later request's event waits for the tail, unless the tail has finished.
    expect(await book.take('int_a', [ev('a4')])).toEqual([{ seq: 4, waitFor: ['a3'] }]);
    await book.finish('a3', 'delivered');
    expect(await book.take('int_a', [ev('a5')])).toEqual([{ seq: 5, waitFor: ['a4'] }]);
    expect(await book.finish('b1', 'delivered')).toEqual([]);
    expect(await book.take('int_a', [ev('b2', 'person:u-2')])).toEqual([{ seq: 2, waitFor: [] }]);
    // Keys are per integration.
    expect(await book.take('int_b', [ev('other-a1')])).toEqual([{ seq: 1, waitFor: [] }]);
    expect(await open(['a1', 'a2', 'a3', 'a4', 'a5', 'gone'])).toEqual([
      { workflowId: 'a4', barrier: false },
      { workflowId: 'a5', barrier: false },
    ]);
  });

  test('a barrier waits for every unfinished earlier entry, even one a later event overtook', async () => {
    await book.take('int_c', [ev('c1'), ev('c2')]);
    // c2 overtook c1 (its wait ran out) and finished; c1 is still open.
    expect(await book.finish('c2', 'delivered')).toEqual([]);
    const [barrier, after] = await book.take('int_c', [ev('c3', 'person:u-1', true), ev('c4')]);
    expect(barrier).toEqual({ seq: 3, waitFor: ['c1'] });
    expect(after).toEqual({ seq: 4, waitFor: ['c3'] });
    // c1 finishing wakes the barrier (a later barrier of its key), which waits for it by signal.
    await book.waiting('c3');
    await book.waiting('c4');
    expect(await book.finish('c1', 'failed')).toEqual(['c3']);
    expect(await open(['c3'])).toEqual([{ workflowId: 'c3', barrier: true }]);
    expect(await book.finish('c3', 'delivered')).toEqual(['c4']);
    expect(await book.entry('c1')).toMatchObject({
      workflowId: 'c1',
      integrationId: 'int_c',
      seq: 1,
      barrier: false,
      outcome: 'failed',
      lastBarrier: { seq: 3, workflowId: 'c3' },
    });
    expect(await book.entry('nobody')).toBeUndefined();
  });

  test('a barrier in the same request as the events before it waits for all of them', async () => {
    const places = await book.take('int_d', [ev('d1'), ev('d2'), ev('d3', 'person:u-1', true)]);
    expect(places.map((p) => p.waitFor)).toEqual([[], ['d1'], ['d1', 'd2']]);
  });

  test('idempotent by workflow id: a retried request keeps its places, and finish keeps the first outcome', async () => {
    const first = await book.take('int_e', [ev('e1'), ev('e2')]);
    const again = await book.take('int_e', [ev('e1'), ev('e2'), ev('e3')]);
    expect(again).toEqual([...first, { seq: 3, waitFor: ['e2'] }]);
    await book.finish('e1', 'delivered');
    // Read afresh: e2's predecessor has finished since.
    expect(await book.take('int_e', [ev('e2')])).toEqual([{ seq: 2, waitFor: [] }]);
    await book.waiting('e3');
    expect(await book.finish('e2', 'failed')).toEqual(['e3']);
    expect(await book.finish('e2', 'delivered')).toEqual(['e3']);
    expect((await book.entry('e2'))?.outcome).toBe('failed');
    // The same delivery twice in one request is one place.
    expect(await book.take('int_e', [ev('e4'), ev('e4')])).toEqual([
      { seq: 4, waitFor: ['e3'] },
      { seq: 4, waitFor: ['e3'] },
    ]);
  });

  test('concurrent takers on one key (two replicas) get distinct, gap-free places and one consistent chain', async () => {
    const requests = Array.from({ length: 20 }, (_, r) =>
      Array.from({ length: 5 }, (_, i) => ev(`f-${r}-${i}`, 'person:busy')),
    );
    const results = await Promise.all(
      requests.map((events, r) => (r % 2 === 0 ? book : replica).take('int_f', events)),
    );
    const seqs = results.flat().map((p) => p.seq);
    expect([...seqs].sort((a, b) => a - b)).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
    for (const places of results) {
      // A request's events are consecutive, in array order.
      expect(places.map((p) => p.seq - places[0]!.seq)).toEqual([0, 1, 2, 3, 4]);
    }
    const db = handles[0]!.db;
    const rows = await db
      .selectFrom('order_entries')
      .select(['workflow_id', 'seq', 'predecessor_workflow_id'])
      .where('integration_id', '=', 'int_f')
      .orderBy('seq')
      .execute();
    expect(rows.map((r) => r.predecessor_workflow_id)).toEqual([null, ...rows.slice(0, -1).map((r) => r.workflow_id)]);
    const tail = await db
      .selectFrom('order_keys')
      .selectAll()
      .where('order_key', '=', keyDigest('person:busy'))
      .executeTakeFirstOrThrow();
    expect(tail).toMatchObject({ next_seq: 100, tail_workflow_id: rows[99]!.workflow_id });
    // Each place waits for exactly the entry before it (nothing has finished).
    const bySeq = new Map(rows.map((r) => [r.seq, r.workflow_id]));
    for (const place of results.flat()) {
      expect(place.waitFor).toEqual(place.seq === 1 ? [] : [bySeq.get(place.seq - 1)]);
    }
  });

  test('the book keeps digests of keys, not who a person is; prune forgets long-finished entries', async () => {
    await book.take('int_g', [ev('g1', 'person:ada@example.com'), ev('g2', 'person:ada@example.com')]);
    const keys = await handles[0]!.db.selectFrom('order_keys').select('order_key').execute();
    expect(keys.map((k) => k.order_key).join()).not.toContain('ada');
    await book.finish('g1', 'delivered', new Date('2026-01-01T00:00:00Z'));
    expect(await book.prune(new Date('2026-01-02T00:00:00Z'))).toBeGreaterThanOrEqual(1);
    expect(await book.entry('g1')).toBeUndefined();
    expect(await book.take('int_g', [ev('g3', 'person:ada@example.com')])).toEqual([{ seq: 3, waitFor: ['g2'] }]);
  });
});
