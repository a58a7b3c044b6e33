import { randomBytes } from 'node:crypto';
import { type CustomerIoConfig, CustomerIoConfigSchema } from '../../src/customerio/config';
import { type DatabaseHandle, migrateToLatest, openDatabase } from '../../src/store/database';
import { DuplicateNameError, IntegrationStore } from '../../src/store/integrations';
import { SecretBox } from '../../src/store/secret-box';
import { testDatabases } from '../support/databases';

const config = (over: Partial<CustomerIoConfig> = {}): CustomerIoConfig =>
  CustomerIoConfigSchema.parse({
    site_id: 'site-1',
    api_key: 'app-secret-1',
    tracking_api_key: 'track-secret-1',
    region: 'us',
    ...over,
  });

describe.each(testDatabases())('integration store on %s', (_kind, url) => {
  let handle: DatabaseHandle;
  let store: IntegrationStore;
  beforeAll(async () => {
    handle = openDatabase(await url());
    await migrateToLatest(handle);
    await migrateToLatest(handle); // idempotent
    store = new IntegrationStore(handle.db, SecretBox.fromKey(randomBytes(32).toString('hex')));
  });
  afterAll(() => handle.close());

  const name = () => `Customer.io ${randomBytes(4).toString('hex')}`;
  const create = (n = name(), c = config()) =>
    store.create({ name: n, vendor: 'customer_io', variant: 'default', deliveryMode: 'server_side', config: c });

  test('creates an integration with revision 1 and never returns its secrets', async () => {
    const view = await create();
    expect(view).toMatchObject({ vendor: 'customer_io', enabled: true, revision: { revision_number: 1 } });
    // The public part of the config, defaults included; the two keys are stored apart.
    const { api_key: _a, tracking_api_key: _t, ...publicPart } = config();
    expect(view.config).toEqual(publicPart);
    expect(view.config).toMatchObject({
      site_id: 'site-1',
      region: 'us',
      consent_categories: ['marketing'],
      retry_window_hours: 24,
    });
    expect(JSON.stringify(await store.get(view.id))).not.toMatch(/secret-1/);
  });

  test('stores secrets encrypted at rest', async () => {
    const view = await create();
    const rows = await handle.db
      .selectFrom('integration_revisions')
      .selectAll()
      .where('integration_id', '=', view.id)
      .execute();
    expect(rows).toHaveLength(1);
    expect(JSON.stringify(rows)).not.toMatch(/secret-1/);
    expect(await store.currentSecrets(view.id)).toEqual({
      api_key: 'app-secret-1',
      tracking_api_key: 'track-secret-1',
    });
  });

  test('a duplicate live name is refused; a deleted one frees its name', async () => {
    const n = name();
    const first = await create(n);
    await expect(create(n)).rejects.toBeInstanceOf(DuplicateNameError);
    expect(await store.delete(first.id)).toBe(true);
    expect(await store.get(first.id)).toBeUndefined();
    expect((await create(n)).name).toBe(n);
  });

  test('a config change makes a new immutable revision the delivery target follows', async () => {
    const view = await create();
    const before = await store.deliveryTarget(view.id);
    const updated = await store.update(view.id, {
      config: config({ tracking_api_key: 'track-secret-2', region: 'eu' }),
      changeSummary: 'rotate key',
      updatedBy: 'tok_1',
    });
    expect(updated!.revision).toMatchObject({ revision_number: 2, change_summary: 'rotate key', created_by: 'tok_1' });
    const after = await store.deliveryTarget(view.id);
    expect(after).toMatchObject({ revisionNumber: 2, region: 'eu', trackingApiKey: 'track-secret-2' });
    expect(after!.revisionId).not.toBe(before!.revisionId);
    expect((await store.revisions(view.id)).map((r) => r.revision_number)).toEqual([2, 1]);
    expect(await store.revisionMarker(view.id)).toEqual({
      revisionId: after!.revisionId,
      revisionNumber: 2,
      enabled: true,
      deleted: false,
    });
  });

  test('enable/disable and rename do not make a revision', async () => {
    const view = await create();
    const updated = await store.update(view.id, { enabled: false, name: `${view.name} (paused)` });
    expect(updated).toMatchObject({ enabled: false, name: `${view.name} (paused)`, revision: { revision_number: 1 } });
    expect((await store.deliveryTarget(view.id))!.enabled).toBe(false);
  });

  test('a deleted integration still resolves for in-flight deliveries, marked deleted', async () => {
    const view = await create();
    await store.delete(view.id);
    expect(await store.deliveryTarget(view.id)).toMatchObject({ deleted: true, enabled: false });
    expect(await store.update(view.id, { enabled: true })).toBeUndefined();
  });

  test('lists live integrations with keyset pagination', async () => {
    const made = [await create(), await create(), await create()];
    const all: string[] = [];
    let after: { createdAt: string; id: string } | undefined;
    for (;;) {
      const page = await store.list({ limit: 2, ...(after ? { after } : {}) });
      all.push(...page.map((p) => p.id));
      if (page.length < 2) break;
      const last = page[page.length - 1]!;
      after = { createdAt: last.created_at, id: last.id };
    }
    for (const m of made) expect(all).toContain(m.id);
    expect(new Set(all).size).toBe(all.length);
  });
});
