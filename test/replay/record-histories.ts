/**
 * Records the workflow histories that test/replay/workflow-replay.test.ts replays: one real run of each kind of
 * delivery, on the dev server, through the real service. Not part of `npm test`; run it after a deliberate change to
 * the workflow's shape and commit the JSON it writes:
 *
 *   npm run fixtures:histories
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { type DeliveryHarness, startDeliveryHarness } from '../support/delivery-harness';
import { httpClient } from '../support/http';
import { eventually } from '../support/temporal';

/** Today's workflow version; earlier versions' folders are frozen (their runs must keep replaying). */
const OUT = join(__dirname, '../fixtures/histories/v2');

describe('record workflow histories for the replayer', () => {
  let h: DeliveryHarness;
  const call = httpClient(() => h.baseUrl);
  const admin = (method: string, path: string, body?: unknown) =>
    call(method, path, { token: h.adminToken, ...(body !== undefined ? { body } : {}) });
  let integrationId: string;
  const key = { siteId: 'fixture-site', apiKey: 'fixture-key-1' };
  const stamp = Date.now();

  beforeAll(async () => {
    h = await startDeliveryHarness({ api: true });
    h.us.acceptCredentials(key);
    integrationId = (await h.installThroughApi({ name: 'Fixtures', credentials: key, appKey: 'a' })).body.id;
  });
  afterAll(() => h.close());

  async function save(name: string, workflowId: string, runId?: string): Promise<void> {
    await h.client.workflow
      .getHandle(workflowId, runId)
      .result()
      .catch(() => undefined);
    const history = await h.client.workflow.getHandle(workflowId, runId).fetchHistory();
    writeFileSync(join(OUT, `${name}.json`), JSON.stringify(JSON.parse(historyToJSON(history)), null, 1) + '\n');
  }
  const send = async (event: Record<string, unknown>) =>
    (
      await call('POST', '/v1/events', {
        token: h.pipelineKey,
        body: { messageId: `fixture-${stamp}-${Math.random()}`, ...event },
      })
    ).body.deliveries[0].workflow_id as string;

  test('delivered', async () => {
    await save(
      'delivered',
      await send({ type: 'track', event: 'Order Completed', userId: 'u-1', properties: { total: 10 } }),
    );
  });

  test('retried then delivered', async () => {
    h.us.respondWith({ status: 500 }, { status: 503 });
    await save(
      'retried-then-delivered',
      await send({ type: 'identify', userId: 'u-2', traits: { email: 'u2@example.com' } }),
    );
  });

  test('invalid (no customer identifier)', async () => {
    await save(
      'invalid-missing-identifier',
      await send({ type: 'page', anonymousId: 'anon', context: { page: { url: 'https://a.example/' } } }),
    );
  });

  test('filtered (consent denied)', async () => {
    await save(
      'filtered-consent',
      await send({ type: 'track', event: 'x', userId: 'u-3', context: { consent: { marketing: false } } }),
    );
  });

  test('parked then resumed', async () => {
    const rotated = { siteId: key.siteId, apiKey: 'fixture-key-2' };
    h.us.acceptCredentials(rotated);
    const workflowId = await send({ type: 'track', event: 'Parked', userId: 'u-4' });
    await eventually(async () => {
      const res = await admin(
        'GET',
        `/v1/admin/deliveries?status=awaiting_credentials&integration_id=${integrationId}`,
      );
      return res.body.data.length > 0 ? true : undefined;
    }, 'parking');
    await admin('PATCH', `/v1/admin/integrations/${integrationId}`, { config: { tracking_api_key: rotated.apiKey } });
    await save('parked-then-resumed', workflowId);
  });

  test('parked then disabled', async () => {
    // An integration of its own, started directly: disabling the shared one would filter the runs recorded after it.
    const parkedKey = { siteId: 'fixture-site-3', apiKey: 'fixture-key-3' };
    const own = await h.createIntegration({ credentials: parkedKey });
    h.us.acceptCredentials(key, { siteId: key.siteId, apiKey: 'fixture-key-2' });
    const { workflowId } = await h.deliver(own.id, {
      type: 'track',
      event: 'Parked',
      userId: 'u-7',
      messageId: `fixture-${stamp}-disabled`,
    });
    await eventually(async () => {
      const res = await admin('GET', `/v1/admin/deliveries?status=awaiting_credentials&integration_id=${own.id}`);
      return res.body.data.length > 0 ? true : undefined;
    }, 'parking');
    await admin('PATCH', `/v1/admin/integrations/${own.id}`, { enabled: false });
    await save('parked-then-disabled', workflowId);
  });

  test('rate limited (attempts held back, then sent)', async () => {
    // The parked test rotated the fast integration's key; both keys work from here on.
    h.us.acceptCredentials(key, { siteId: key.siteId, apiKey: 'fixture-key-2' });
    const installed = await h.installThroughApi({
      name: 'Fixtures slow',
      credentials: key,
      appKey: 'a',
      config: { rate_limit_per_second: 0.2 },
    });
    expect(installed.status).toBe(201);
    const slow = installed.body.id as string;
    const sendTo = async (event: Record<string, unknown>) => {
      // Through the intake, like the others, but to the slow integration only: the fast one is disabled meanwhile.
      await admin('PATCH', `/v1/admin/integrations/${integrationId}`, { enabled: false });
      try {
        return await send(event);
      } finally {
        await admin('PATCH', `/v1/admin/integrations/${integrationId}`, { enabled: true });
      }
    };
    // One slot every 5 s: the second event waits for the first one's, longer than a local attempt may hold its task.
    await sendTo({ type: 'track', event: 'First', userId: 'u-6' });
    const workflowId = await sendTo({ type: 'track', event: 'Second', userId: 'u-6' });
    await save('rate-limited', workflowId);
    await admin('DELETE', `/v1/admin/integrations/${slow}`);
  });

  /**
   * Per-person order (issue 16): a person's identify parked for credentials, a track behind it; the track waits for
   * it (ordered-waited), or, with a short order_wait_minutes, goes ahead of it (ordered-overtook). Through the intake,
   * to an integration of their own (the shared one is disabled meanwhile).
   */
  async function ordered(name: string, config: Record<string, unknown>, expected: string): Promise<void> {
    const own = { siteId: `fixture-${name}`, apiKey: `${name}-key-1` };
    const rotated = { siteId: own.siteId, apiKey: `${name}-key-2` };
    h.us.acceptCredentials(key, own);
    const installed = await h.installThroughApi({ name, credentials: own, appKey: 'a', config });
    const id = installed.body.id as string;
    h.us.acceptCredentials(key, rotated);
    await admin('PATCH', `/v1/admin/integrations/${integrationId}`, { enabled: false });
    try {
      const head = await send({ type: 'identify', userId: `u-${name}` });
      const waiter = await send({ type: 'track', event: 'Behind', userId: `u-${name}` });
      await eventually(async () => {
        const res = await admin('GET', `/v1/admin/deliveries?status=awaiting_credentials&integration_id=${id}`);
        return res.body.data.some((d: { workflow_id: string }) => d.workflow_id === head) ? true : undefined;
      }, 'the head to park');
      // The waiter is held (or, with the short wait, has gone ahead and parked too).
      await eventually(async () => {
        const res = await admin('GET', `/v1/admin/deliveries/${encodeURIComponent(waiter)}`);
        return res.body.status === expected ? true : undefined;
      }, `the waiter to be ${expected}`);
      await admin('PATCH', `/v1/admin/integrations/${id}`, { config: { tracking_api_key: rotated.apiKey } });
      await save(name, waiter);
    } finally {
      await admin('PATCH', `/v1/admin/integrations/${integrationId}`, { enabled: true });
      await admin('DELETE', `/v1/admin/integrations/${id}`);
    }
  }

  test('ordered: waited for a parked predecessor', async () => {
    await ordered('ordered-waited', {}, 'waiting_for_order');
  });

  test('ordered: overtook a parked predecessor', async () => {
    await ordered('ordered-overtook', { order_wait_minutes: 0.02 }, 'awaiting_credentials');
  });

  test('replayed', async () => {
    h.us.respondWith({ status: 400 });
    const original = await send({ type: 'track', event: 'Replayed', userId: 'u-5' });
    await h.client.workflow
      .getHandle(original)
      .result()
      .catch(() => undefined);
    const replay = (await admin('POST', `/v1/admin/deliveries/${encodeURIComponent(original)}/replay`, {})).body;
    await save('rejected-400', original);
    await save('replayed', replay.workflow_id, replay.run_id);
  });
});
