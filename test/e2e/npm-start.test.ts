import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { PRODUCT_PAGE_INSTALL } from '../../src/api/schemas/integrations';
import { freePort } from '../../src/temporal/dev-server';
import { FakeCustomerIo } from '../support/fake-customerio';
import { httpClient } from '../support/http';
import { exitWithin, runNode } from '../support/processes';
import { scrape, total } from '../support/prometheus';
import { eventually } from '../support/temporal';

/** The data directory and every file in it are their owner's alone; returns what the directory holds. */
function expectPrivate(dir: string): string[] {
  expect((statSync(dir).mode & 0o777).toString(8)).toBe('700');
  const files = readdirSync(dir, { withFileTypes: true }).filter((e) => e.isFile());
  for (const file of files) {
    expect([file.name, (statSync(join(dir, file.name)).mode & 0o777).toString(8)]).toEqual([file.name, '600']);
  }
  return files.map((f) => f.name).sort();
}

/**
 * What a new user does: `npm start` (here: its compiled entry, as scripts/run execs it) with nothing configured,
 * install with the product page's body, send a test event, see it delivered, Ctrl-C.
 */
describe('npm start', () => {
  let dataDir: string;
  let fake: FakeCustomerIo;
  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'signal-start-'));
    fake = await FakeCustomerIo.start({
      region: 'us',
      credentials: [{ siteId: 'abc123def456', apiKey: 'xxxxxxxxxxxxxxxxxxxx' }],
    });
  });
  afterAll(async () => {
    await fake.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('runs Temporal, the worker and the API in one process, delivers an event, and stops cleanly on Ctrl-C', async () => {
    const [port, temporalPort, uiPort, sdkMetricsPort] = [
      await freePort(),
      await freePort(),
      await freePort(),
      await freePort(),
    ];
    const service = runNode('main', {
      SIGNAL_DATA_DIR: dataDir,
      PORT: String(port),
      TEMPORAL_DEV_PORT: String(temporalPort),
      TEMPORAL_UI_PORT: String(uiPort),
      CUSTOMERIO_TRACK_URL_US: fake.url,
      TEMPORAL_METRICS_PORT: String(sdkMetricsPort),
      LOG_LEVEL: 'warn',
    });
    try {
      await service.waitFor(/signal-customerio is running/, 90_000);
      const adminToken = (await service.waitFor(/Admin token\s+(\S+)/))[1]!;
      const pipelineKey = (await service.waitFor(/Pipeline key\s+(\S+)/))[1]!;
      expect(service.output()).toContain(`Temporal UI   http://localhost:${uiPort}`);
      expect(statSync(join(dataDir, 'local-secrets.json')).mode & 0o777).toBe(0o600);
      expect(statSync(join(dataDir, 'signal.db')).isFile()).toBe(true);
      expect(statSync(join(dataDir, 'temporal.db')).isFile()).toBe(true);
      expect(expectPrivate(dataDir)).toEqual(
        expect.arrayContaining(['local-secrets.json', 'signal.db', 'temporal.db']),
      );

      const call = httpClient(() => `http://127.0.0.1:${port}`);
      const installed = await call('POST', '/v1/admin/integration-catalog/customer_io/install', {
        token: adminToken,
        body: PRODUCT_PAGE_INSTALL,
      });
      expect(installed.status).toBe(201);
      const sent = await call('POST', '/v1/events', {
        token: pipelineKey,
        body: { type: 'identify', userId: 'first-user', traits: { email: 'first@example.com' } },
      });
      expect(sent.status).toBe(202);
      const [delivered] = await fake.waitForRequests(1, { match: (r) => r.method === 'PUT', timeoutMs: 30_000 });
      expect(delivered).toMatchObject({ path: '/api/v1/customers/first-user', authorized: true });
      expect(delivered!.json).toMatchObject({ email: 'first@example.com' });

      // One process: the API's /metrics holds the intake's figures and the worker's alike.
      const metrics = await eventually(async () => {
        const samples = await scrape(`http://127.0.0.1:${port}/metrics`);
        return total(samples, 'signal_deliveries_finished_total', { status: 'delivered' }) === 1 ? samples : undefined;
      }, 'the delivery to be counted as finished');
      expect(total(metrics, 'signal_intake_events_total', { outcome: 'accepted' })).toBe(1);
      expect(total(metrics, 'signal_deliveries_started_total', { event_type: 'identify' })).toBe(1);
      expect(total(metrics, 'signal_customerio_attempts_total', { status_class: '2xx' })).toBe(1);
      expect(service.output()).toContain(`Temporal SDK: http://127.0.0.1:${sdkMetricsPort}/metrics`);
      const sdk = await scrape(`http://127.0.0.1:${sdkMetricsPort}/metrics`);
      expect(total(sdk, 'temporal_workflow_completed_total')).toBe(1);

      // The workflow thread runs with the SDK's stack traces off (scripts/run's preload): the query, answered by
      // replaying the finished run on this worker, says so.
      const connection = await Connection.connect({ address: `127.0.0.1:${temporalPort}` });
      try {
        const handle = new Client({ connection }).workflow.getHandle(sent.body.deliveries[0].workflow_id);
        await expect(handle.query('__stack_trace')).rejects.toThrow(/stack traces are not enabled/);
      } finally {
        await connection.close();
      }

      const ui = await fetch(`http://127.0.0.1:${uiPort}/`);
      expect(ui.status).toBe(200);
      expect((await call('GET', '/readyz')).body).toEqual({
        status: 'ready',
        checks: { database: 'ok', temporal: 'ok' },
      });
    } finally {
      service.child.kill('SIGINT');
    }
    expect(await exitWithin(service, 30_000)).toBe(0);
    expect(service.output()).toContain('stopped');
    // Temporal went down with it: its port is free again.
    await expect(fetch(`http://127.0.0.1:${uiPort}/`)).rejects.toThrow();
  });

  test('with every secret in the environment and no data directory yet: creates it private, and Ctrl-C exits at once with live streams open and abandoned', async () => {
    const parent = mkdtempSync(join(tmpdir(), 'signal-fresh-'));
    const freshDir = join(parent, 'not', 'yet', 'data');
    const [port, temporalPort, uiPort] = [await freePort(), await freePort(), await freePort()];
    const adminToken = `sio_admin_${randomBytes(16).toString('hex')}`;
    const service = runNode('main', {
      SIGNAL_DATA_DIR: freshDir,
      ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      SIGNAL_ADMIN_TOKEN: adminToken,
      SIGNAL_PIPELINE_KEY: `dk_live_${randomBytes(16).toString('hex')}`,
      PORT: String(port),
      TEMPORAL_DEV_PORT: String(temporalPort),
      TEMPORAL_UI_PORT: String(uiPort),
      CUSTOMERIO_TRACK_URL_US: fake.url,
      LOG_LEVEL: 'warn',
    });
    let stopped = false;
    try {
      await service.waitFor(/signal-customerio is running/, 90_000);
      expect(service.output()).toContain('Admin token   (from $SIGNAL_ADMIN_TOKEN)');
      // Nothing was generated, so no secrets file; the stores are there, private.
      expect(existsSync(join(freshDir, 'local-secrets.json'))).toBe(false);
      expect(expectPrivate(freshDir)).toEqual(expect.arrayContaining(['signal.db', 'temporal.db']));

      const url = `http://127.0.0.1:${port}/v1/admin/live-events?token=${adminToken}`;
      // Clients that leave before their answer starts, and clients that leave after their snapshot; one stays.
      const leaveAtOnce = Array.from({ length: 2 }, async () => {
        const controller = new AbortController();
        const request = fetch(url, { signal: controller.signal }).catch((e: Error) => e);
        controller.abort();
        expect(await request).toMatchObject({ name: 'AbortError' });
      });
      const leaveAfterSnapshot = Array.from({ length: 3 }, async () => {
        const controller = new AbortController();
        const res = await fetch(url, { signal: controller.signal });
        expect(res.status).toBe(200);
        await res.body!.getReader().read();
        controller.abort();
      });
      await Promise.all([...leaveAtOnce, ...leaveAfterSnapshot]);
      // Every place given back (the token may hold 5): the gauge the service exports says none is open.
      await eventually(
        async () => {
          const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
          return /^signal_api_live_streams 0$/m.test(text) || undefined;
        },
        'the abandoned streams closed',
        10_000,
        20,
      );
      const open = await fetch(url);
      expect(open.status).toBe(200);
      const reader = open.body!.getReader();
      expect(new TextDecoder().decode((await reader.read()).value)).toContain('event: snapshot');

      const started = Date.now();
      service.child.kill('SIGINT');
      stopped = true;
      expect(await exitWithin(service, 15_000)).toBe(0);
      expect(service.output()).toContain('stopped');
      expect(Date.now() - started).toBeLessThan(15_000);
      // The stream was ended by the server, not left hanging.
      await expect(reader.read()).resolves.toMatchObject({ done: true });
    } finally {
      if (!stopped) service.child.kill('SIGINT');
      await exitWithin(service, 30_000).catch(() => undefined);
      rmSync(parent, { recursive: true, force: true });
    }
  });
});
