import { type DatabaseHandle, migrateToLatest, openDatabase } from '../../src/store/database';
import { preparedQuery } from '../../src/store/prepared-query';
import { testDatabases } from '../support/databases';

describe.each(testDatabases())('a query compiled once and run with new arguments, on %s', (_, url) => {
  let handle: DatabaseHandle;
  beforeAll(async () => {
    handle = openDatabase(await url());
    await migrateToLatest(handle);
    await handle.db.deleteFrom('order_entries').where('integration_id', '=', 'int_prepared').execute();
    const entry = (workflow_id: string, seq: number, barrier: number) => ({
      workflow_id,
      integration_id: 'int_prepared',
      order_key: 'k',
      seq,
      predecessor_workflow_id: null,
      barrier,
      handed_at: '2026-12-07T00:00:00.000Z',
      waiting_since: null,
      finished_at: null,
      outcome: null,
    });
    await handle.db
      .insertInto('order_entries')
      .values([entry('p-1', 1, 0), entry('p-2', 2, 1), entry('p-3', 3, 1), entry('p-4', 4, 0)])
      .execute();
  });
  afterAll(() => handle.close());

  test('each run gets its own arguments, in their places; the query’s own constants stay', async () => {
    let built = 0;
    const { db } = handle;
    // Arguments in another order than their places in the SQL, and a constant (barrier = 1) among them.
    const barriersAfter = preparedQuery(db, 2, (seq: number, integrationId: string) => {
      built++;
      return db
        .selectFrom('order_entries')
        .select('workflow_id')
        .where('integration_id', '=', integrationId)
        .where('barrier', '=', 1)
        .where('seq', '>', seq)
        .orderBy('seq');
    });
    const ids = async (seq: number) => (await barriersAfter(seq, 'int_prepared')).rows.map((r) => r.workflow_id);
    expect(await ids(0)).toEqual(['p-2', 'p-3']);
    expect(await ids(2)).toEqual(['p-3']);
    expect(await ids(3)).toEqual([]);
    expect((await barriersAfter(0, 'int_other')).rows).toEqual([]);
    expect(built).toBe(1);
  });

  test('a builder that leaves an argument out is refused, not run with a wrong parameter', async () => {
    const { db } = handle;
    const careless = preparedQuery<{ seq: number }, [string, string]>(db, 2, (workflowId) =>
      db.selectFrom('order_entries').select('seq').where('workflow_id', '=', workflowId),
    );
    await expect(careless('p-1', 'unused')).rejects.toThrow(/placeholder 1 is not a parameter/);
  });
});
