import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../src/temporal/dev-server';
import { FakeCustomerIo } from '../support/fake-customerio';
import { httpClient } from '../support/http';
import { exitWithin, runNode } from '../support/processes';
import { temporalAddress } from '../support/temporal';

/** `npm run worker` and `npm run api` as separate processes against one Temporal server and one database. */
describe('worker and API as separate processes', () => {
  let dir: string;
  let fake: FakeCustomerIo;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'signal-split-'));
    fake = await FakeCustomerIo.start({ region: 'us', credentials: [{ siteId: 'split-site', apiKey: 'split-key' }] });
  });
  afterAll(async () => {
    await fake.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('deliver an event end to end, then both stop cleanly on SIGTERM', async () => {
    const port = await freePort();
    const env = {
      TEMPORAL_ADDRESS: temporalAddress(),
      TEMPORAL_TASK_QUEUE: `split-${randomUUID()}`,
      DATABASE_URL: `sqlite:${join(dir, 'signal.db')}`,
      ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      SIGNAL_ADMIN_TOKEN: 'split-admin-token',
      SIGNAL_PIPELINE_KEY: 'split-pipeline-key',
      CUSTOMERIO_TRACK_URL_US: fake.url,
      PORT: String(port),
      LOG_LEVEL: 'info',
    };
    const worker = runNode('worker/main', env);
    const api = runNode('api/main', env);
    try {
      await worker.waitFor(/delivery worker running/);
      await api.waitFor(/Server listening/);
      const call = httpClient(() => `http://127.0.0.1:${port}`);
      const installed = await call('POST', '/v1/admin/integration-catalog/customer_io/install', {
        token: 'split-admin-token',
        body: {
          name: 'Split',
          config: { site_id: 'split-site', api_key: 'a', tracking_api_key: 'split-key', region: 'us' },
        },
      });
      expect(installed.status).toBe(201);
      const sent = await call('POST', '/v1/events', {
        token: 'split-pipeline-key',
        body: { type: 'track', event: 'Split', userId: 'u-split' },
      });
      expect(sent.status).toBe(202);
      await fake.waitForRequests(1, { match: (r) => r.path === '/api/v1/customers/u-split/events' });
    } finally {
      worker.child.kill('SIGTERM');
      api.child.kill('SIGTERM');
    }
    expect(await exitWithin(worker, 30_000)).toBe(0);
    expect(await exitWithin(api, 30_000)).toBe(0);
    expect(worker.output()).toContain('delivery worker stopped');
    for (const text of [worker.output(), api.output()]) {
      for (const secret of ['split-key', 'split-admin-token', 'split-pipeline-key', env.ENCRYPTION_KEY])
        expect(text).not.toContain(secret);
    }
  });
});
