import { CircuitStore } from '../../src/store/circuits';
import { type DatabaseHandle, migrateToLatest, openDatabase } from '../../src/store/database';
import { testDatabases } from '../support/databases';

describe.each(testDatabases())('the workers’ circuits on %s', (_kind, url) => {
  let handle: DatabaseHandle;
  let circuits: CircuitStore;
  const now = Date.parse('2026-12-07T10:00:00Z');
  const at = (offsetMs: number) => new Date(now + offsetMs).toISOString();
  beforeAll(async () => {
    handle = openDatabase(await url());
    await migrateToLatest(handle);
    circuits = new CircuitStore(handle.db);
  });
  afterAll(() => handle.close());

  const row = (worker: string, state: 'closed' | 'open' | 'probing', nextProbeMs?: number) => ({
    worker,
    state,
    consecutive_failures: state === 'closed' ? 0 : 5,
    opened_at: state === 'closed' ? null : at(-10_000),
    next_probe_at: nextProbeMs === undefined ? null : at(nextProbeMs),
    updated_at: at(0),
  });

  test('one row per worker, the last change winning; open while any live worker holds it open', async () => {
    await circuits.record('int_a', row('1@a', 'open', 5_000));
    await circuits.record('int_a', row('2@b', 'open', 5_000));
    await circuits.record('int_a', row('2@b', 'closed'));
    await circuits.record('int_b', row('1@a', 'probing', 1_000));
    const views = await circuits.views({ staleMs: 60_000, now });
    expect(views.get('int_a')).toMatchObject({
      state: 'open',
      workers: [
        { worker: '1@a', state: 'open', consecutive_failures: 5 },
        { worker: '2@b', state: 'closed', consecutive_failures: 0 },
      ],
    });
    expect(views.get('int_b')!.state).toBe('probing');
    expect([...(await circuits.views({ integrationIds: ['int_b'], staleMs: 60_000, now })).keys()]).toEqual(['int_b']);
  });

  test('a worker whose probe is long overdue is gone: its open row no longer counts', async () => {
    await circuits.record('int_c', row('9@gone', 'open', -120_000));
    expect((await circuits.views({ integrationIds: ['int_c'], staleMs: 60_000, now })).get('int_c')).toBeUndefined();
  });
});
