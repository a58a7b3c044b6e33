import { Authenticator } from '../../src/api/auth';
import { loadConfig } from '../../src/config';
import { AccessTokenStore, hashToken } from '../../src/store/access-tokens';
import { AuditLog } from '../../src/store/audit-log';
import { type DatabaseHandle, migrateToLatest, openDatabase } from '../../src/store/database';
import { testDatabases } from '../support/databases';

describe.each(testDatabases())('access tokens and audit log on %s', (_kind, url) => {
  let handle: DatabaseHandle;
  let tokens: AccessTokenStore;
  let audit: AuditLog;
  let clock = Date.parse('2026-11-29T10:00:00Z');
  beforeAll(async () => {
    handle = openDatabase(await url());
    await migrateToLatest(handle);
    tokens = new AccessTokenStore(handle.db, () => new Date(clock));
    audit = new AuditLog(handle.db, () => new Date((clock += 1000)));
  });
  afterAll(() => handle.close());

  test('a token is stored only as its hash, found while active, gone once revoked', async () => {
    const { token, view } = await tokens.issue({
      kind: 'api_token',
      name: 'ci',
      role: 'editor',
      createdBy: 'bootstrap-admin',
    });
    expect(token).toMatch(/^sio_[A-Za-z0-9_-]{32}$/);
    const rows = await handle.db.selectFrom('access_tokens').selectAll().where('id', '=', view.id).execute();
    expect(rows[0]!.token_hash).toBe(hashToken(token));
    expect(JSON.stringify(rows)).not.toContain(token);
    expect(await tokens.findActive('api_token', token)).toMatchObject({ id: view.id, role: 'editor' });
    expect(await tokens.findActive('pipeline_key', token)).toBeUndefined();
    expect(await tokens.revoke('api_token', view.id)).toMatchObject({ revoked_at: expect.any(String) });
    expect(await tokens.findActive('api_token', token)).toBeUndefined();
    expect(await tokens.revoke('api_token', view.id)).toBeUndefined();
  });

  test('pipeline keys list without their secret', async () => {
    const { token, view } = await tokens.issue({ kind: 'pipeline_key', name: 'web' });
    const listed = await tokens.list('pipeline_key', { limit: 100 });
    expect(listed.find((t) => t.id === view.id)).toMatchObject({ name: 'web', token_prefix: token.slice(0, 12) });
    expect(JSON.stringify(listed)).not.toContain(token);
  });

  test('audit entries come back newest first, filtered and paginated', async () => {
    for (const action of ['integration.created', 'integration.updated', 'integration.deleted']) {
      await audit.record({
        action,
        actor: { id: 'tok_1', name: 'ops', ip: '127.0.0.1' },
        resourceType: 'integration',
        resourceId: 'int_audit',
        changes: { enabled: { old: true, new: false } },
      });
    }
    const page1 = await audit.list({ limit: 2, resourceId: 'int_audit' });
    expect(page1.map((e) => e.action)).toEqual(['integration.deleted', 'integration.updated']);
    const last = page1[1]!;
    const page2 = await audit.list({
      limit: 2,
      resourceId: 'int_audit',
      before: { createdAt: last.timestamp, id: last.id },
    });
    expect(page2.map((e) => e.action)).toEqual(['integration.created']);
    expect(page2[0]).toMatchObject({
      actor: { id: 'tok_1', name: 'ops' },
      changes: { enabled: { old: true, new: false } },
      ip_address: '127.0.0.1',
    });
    expect((await audit.list({ limit: 10, action: 'integration.updated' })).map((e) => e.resource_id)).toEqual([
      'int_audit',
    ]);
  });

  test('a pipeline key revoked on one replica stops on every other within the cache bound (PIPELINE_KEY_CACHE_MS)', async () => {
    // The documented default (README: Hardening) is what the configuration gives.
    const bound = loadConfig({ ENCRYPTION_KEY: Buffer.alloc(32).toString('base64') }).PIPELINE_KEY_CACHE_MS;
    expect(bound).toBe(5_000);
    let now = 1_000_000;
    // Two API replicas over one store, each with its own cache.
    const replica = () => new Authenticator({ tokens, pipelineKeyCacheMs: bound, now: () => now });
    const [a, b] = [replica(), replica()];
    const { token, view } = await tokens.issue({ kind: 'pipeline_key', name: 'replicated' });
    expect(await a.pipeline(token)).toMatchObject({ id: view.id });
    expect(await b.pipeline(token)).toMatchObject({ id: view.id });

    // Revoked through replica A: A forgets it at once; B has it cached.
    await tokens.revoke('pipeline_key', view.id);
    a.forgetPipelineKeys();
    expect(await a.pipeline(token)).toBeUndefined();
    now += bound - 1;
    expect(await b.pipeline(token)).toMatchObject({ id: view.id }); // still inside the bound
    now += 1;
    expect(await b.pipeline(token)).toBeUndefined(); // the bound reached: B asks the store again
    now += 10 * bound;
    expect(await b.pipeline(token)).toBeUndefined(); // and a refusal is never cached as a pass
  });
});
