import { randomBytes, randomUUID } from 'node:crypto';
import { freePort } from '../../src/temporal/dev-server';
import { FakeCustomerIo } from '../support/fake-customerio';
import { httpClient, type HttpResult } from '../support/http';
import { exitWithin, type Running, runNode } from '../support/processes';
import { temporalAddress } from '../support/temporal';
import { postgresBinDir, ThrowawayPostgres } from '../support/throwaway-postgres';
import { deadline } from '../support/wait';

/**
 * PostgreSQL going away under `npm run api` and `npm run worker`, on a cluster of this test's own: down at start,
 * idle connections terminated, stopped and started again under load. No process may die, intake answers 503 with
 * Retry-After (never a refused connection) while the store is out of reach, and every event accepted is delivered.
 *
 * Needs PostgreSQL's server binaries; .ci/run provides them (TEST_POSTGRES_REQUIRED=1), so under CI a missing one
 * fails the suite instead of skipping it.
 */
const BIN = postgresBinDir();
const REQUIRED = process.env.CI === '1' || process.env.TEST_POSTGRES_REQUIRED === '1';
const suite = BIN || REQUIRED ? describe : describe.skip;

const ADMIN = 'outage-admin-token';
const PIPELINE = 'outage-pipeline-key';
const CREDENTIALS = { siteId: 'outage-site', apiKey: 'outage-key' };

suite('PostgreSQL out of reach', () => {
  let pg: ThrowawayPostgres;
  let fake: FakeCustomerIo;
  let api: Running;
  let worker: Running;
  let port: number;
  const call = httpClient(() => `http://127.0.0.1:${port}`);

  beforeAll(async () => {
    if (!BIN) throw new Error('PostgreSQL server binaries not found under /usr/lib/postgresql (.ci/run installs them)');
    pg = await ThrowawayPostgres.create(BIN);
    fake = await FakeCustomerIo.start({ region: 'us', credentials: [CREDENTIALS] });
    port = await freePort();
  });
  afterAll(async () => {
    for (const p of [api, worker]) if (p && p.child.exitCode === null) p.child.kill('SIGKILL');
    await fake?.close();
    await pg?.destroy();
  });

  /** Every intake answer while the store may be out of reach: accepted, or 503 in the envelope with Retry-After. */
  const accepted: string[] = [];
  const answers: Record<number, number> = {};
  async function sendEvent(label: string): Promise<HttpResult> {
    const userId = `u-${label}-${randomUUID()}`;
    // fetch rejects on a refused or reset connection: that fails the test, as it should.
    const res = await call('POST', '/v1/events', {
      token: PIPELINE,
      body: { type: 'track', event: 'Outage', userId, messageId: userId },
    });
    answers[res.status] = (answers[res.status] ?? 0) + 1;
    if (res.status === 202) accepted.push(userId);
    else {
      expect(res.status).toBe(503);
      expect(res.body).toMatchObject({ error: { code: 'STORE_UNAVAILABLE', message: expect.any(String) } });
      expect(Number(res.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    }
    return res;
  }

  /** Sends events one after another until `until` settles; the answers are checked as they come. */
  async function underLoad<T>(label: string, until: Promise<T>): Promise<T> {
    let done = false;
    const load = (async () => {
      for (let i = 0; !done; i++) {
        await sendEvent(`${label}${i}`);
        // Pacing, not synchronisation: about ten events a second keeps the shared dev server and the worker light.
        await new Promise((r) => setTimeout(r, 100));
      }
    })();
    try {
      return await until;
    } finally {
      done = true;
      await load;
    }
  }

  async function readiness(): Promise<HttpResult> {
    return call('GET', '/readyz');
  }

  async function until(what: string, probe: () => Promise<boolean>, ms = 60_000): Promise<void> {
    await deadline(
      (async () => {
        while (!(await probe())) await new Promise((r) => setTimeout(r, 200));
      })(),
      ms,
      () => `timed out waiting until ${what}`,
    );
  }

  async function connectedApps(): Promise<string[]> {
    const rows = await pg.query<{ app: string }>(
      `SELECT DISTINCT application_name AS app FROM pg_stat_activity WHERE application_name LIKE 'outage-%'`,
    );
    return rows.map((r) => r.app).sort();
  }

  function expectAlive(): void {
    for (const p of [api, worker]) {
      expect({ exitCode: p.child.exitCode, signal: p.child.signalCode }).toEqual({ exitCode: null, signal: null });
      expect(p.output()).not.toMatch(/Emitted 'error' event|Unhandled/);
    }
  }

  test('start-up waits for it, terminated connections and a restart under load kill nothing, nothing accepted is lost', async () => {
    const env = {
      TEMPORAL_ADDRESS: temporalAddress(),
      TEMPORAL_TASK_QUEUE: `outage-${randomUUID()}`,
      DATABASE_URL: pg.url,
      ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      SIGNAL_ADMIN_TOKEN: ADMIN,
      SIGNAL_PIPELINE_KEY: PIPELINE,
      CUSTOMERIO_TRACK_URL_US: fake.url,
      PORT: String(port),
      LOG_LEVEL: 'info',
    };

    // 1. PostgreSQL is not running yet: both start and wait; the API answers, and says the database is down.
    worker = runNode('worker/main', { ...env, PGAPPNAME: 'outage-worker' });
    api = runNode('api/main', { ...env, PGAPPNAME: 'outage-api' });
    await api.waitFor(/Server listening/);
    await worker.waitFor(/database out of reach at start/);
    expect((await call('GET', '/healthz')).status).toBe(200);
    const waiting = await readiness();
    expect(waiting.status).toBe(503);
    expect(waiting.body).toMatchObject({ status: 'not_ready', checks: { database: 'down' } });
    expect((await sendEvent('before-start')).status).toBe(503);
    const install = await call('GET', '/v1/admin/integrations', { token: ADMIN });
    expect(install.status).toBe(503);
    expect(install.body.error.code).toBe('STORE_UNAVAILABLE');

    await pg.start();
    await worker.waitFor(/delivery worker running/);
    await until('/readyz is ok', async () => (await readiness()).status === 200);
    const installed = await call('POST', '/v1/admin/integration-catalog/customer_io/install', {
      token: ADMIN,
      body: {
        name: 'Outage',
        config: { site_id: CREDENTIALS.siteId, api_key: 'a', tracking_api_key: CREDENTIALS.apiKey, region: 'us' },
      },
    });
    expect(installed.status).toBe(201);
    // A first delivery fills the worker's credentials cache.
    expect((await sendEvent('warm')).status).toBe(202);
    await fake.waitForRequests(1, { timeoutMs: 30_000 });

    // 2. Up, but every pooled connection terminated (an idle timeout, a proxy, a failover), twice, under load.
    await underLoad(
      'terminated',
      (async () => {
        for (let i = 0; i < 2; i++) {
          // Each process names its connections (PGAPPNAME): wait until both hold one (the load keeps the worker's
          // credentials re-checks going; the admin list is the API's), then end them all.
          await until('both processes hold a database connection', async () => {
            await call('GET', '/v1/admin/integrations', { token: ADMIN });
            return (await connectedApps()).length === 2;
          });
          const ended = await pg.query<{ app: string }>(
            `SELECT application_name AS app FROM pg_stat_activity, pg_terminate_backend(pid) WHERE application_name LIKE 'outage-%'`,
          );
          expect(new Set(ended.map((e) => e.app))).toEqual(new Set(['outage-api', 'outage-worker']));
          await until(
            'intake has accepted events again',
            async () => (await sendEvent(`after-kill${i}`)).status === 202,
          );
        }
      })(),
    );
    expectAlive();

    // 3. Stopped under load: intake answers 503 + Retry-After once its cache of integrations runs out, /readyz is
    // down; then started again.
    await underLoad(
      'restart',
      (async () => {
        await pg.stop('fast');
        await until('/readyz says the database is down', async () => {
          const res = await readiness();
          return res.status === 503 && res.body?.checks?.database === 'down';
        });
        // Down long enough that several events meet the outage.
        await until('intake has answered 503 five times', async () => {
          await sendEvent('down');
          return (answers[503] ?? 0) >= 6;
        });
        expectAlive();
        await pg.start();
        await until('/readyz is ok again', async () => (await readiness()).status === 200);
        await until('intake accepts again', async () => (await sendEvent('back')).status === 202, 30_000);
      })(),
    );
    expectAlive();
    expect(answers[503]).toBeGreaterThan(0);

    // Every accepted event arrives, exactly the events that were accepted.
    const paths = new Set(accepted.map((id) => `/api/v1/customers/${id}/events`));
    await fake.waitForRequests(paths.size, { timeoutMs: 90_000, match: (r) => paths.has(r.path) });
    const delivered = new Set(fake.requests.filter((r) => paths.has(r.path)).map((r) => r.path));
    expect(delivered.size).toBe(paths.size);
    expectAlive();
    expect(worker.output()).toMatch(/a database connection was lost/);

    api.child.kill('SIGTERM');
    worker.child.kill('SIGTERM');
    expect(await exitWithin(api, 30_000)).toBe(0);
    expect(await exitWithin(worker, 30_000)).toBe(0);
    process.stdout.write(
      `intake answers during the outages: ${JSON.stringify(answers)}, delivered ${delivered.size}\n`,
    );
  }, 240_000);
});
