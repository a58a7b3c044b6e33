import { type AddressInfo, createServer, type Socket } from 'node:net';
import { Client, Connection } from '@temporalio/client';
import { buildApi } from '../../src/api/build';
import { UNAVAILABLE_RETRY_AFTER_SECONDS } from '../../src/api/error-replies';
import { deliveryEventId } from '../../src/customerio/event-id';
import { type DeliveryHarness, startDeliveryHarness } from '../support/delivery-harness';
import { expectRateLimited, httpClient, untilRateLimited } from '../support/http';
import { captureLogs } from '../support/log-capture';

describe('event intake', () => {
  let h: DeliveryHarness;
  const responses: string[] = [];
  const call = httpClient(() => h.baseUrl, responses);
  let integrationId: string;
  const creds = { siteId: 'intake-site', apiKey: 'intake-track-key-1' };

  beforeAll(async () => {
    h = await startDeliveryHarness({ api: true });
    h.us.acceptCredentials(creds);
    const installed = await h.installThroughApi({ name: 'Customer.io', credentials: creds, appKey: 'intake-app-key' });
    responses.push(installed.text);
    expect(installed.status).toBe(201);
    integrationId = installed.body.id;
  });
  afterAll(() => h.close());
  beforeEach(() => h.us.clear());

  const result = (workflowId: string) => h.client.workflow.getHandle(workflowId).result();
  let n = 0;
  const messageId = () => `intake-${++n}-${Date.now()}`;

  test('a test event posted to /v1/events is delivered to Customer.io', async () => {
    const id = messageId();
    const res = await call('POST', '/v1/events', {
      token: h.pipelineKey,
      body: {
        type: 'track',
        event: 'Signal Test Event',
        userId: 'test-user',
        messageId: id,
        timestamp: '2026-11-29T10:00:00Z',
        properties: { source: 'readme' },
      },
    });
    expect(res.status).toBe(202);
    expect(res.body).toEqual({
      accepted: 1,
      duplicates: 0,
      deliveries: [
        {
          message_id: id,
          integration_id: integrationId,
          workflow_id: `customer_io:${integrationId}:${id}`,
          status: 'started',
        },
      ],
    });
    expect(await result(res.body.deliveries[0].workflow_id)).toMatchObject({
      status: 'delivered',
      httpStatus: 200,
      attempts: 1,
    });
    const [req] = h.us.requests;
    expect(req).toMatchObject({ method: 'POST', path: '/api/v1/customers/test-user/events', authorized: true });
    expect(req!.headers.authorization).toBe(
      `Basic ${Buffer.from(`${creds.siteId}:${creds.apiKey}`).toString('base64')}`,
    );
    expect(req!.json).toEqual({
      name: 'Signal Test Event',
      id: deliveryEventId(integrationId, id, Date.parse('2026-11-29T10:00:00Z')),
      timestamp: Date.parse('2026-11-29T10:00:00Z') / 1000,
      data: { source: 'readme' },
    });
  });

  test('an event without messageId gets one; one without identifier is accepted and fails in its delivery', async () => {
    const res = await call('POST', '/v1/events', {
      token: h.pipelineKey,
      body: { type: 'identify', anonymous_id: 'anon-1', traits: { plan: 'free' } },
    });
    expect(res.status).toBe(202);
    const delivery = res.body.deliveries[0];
    expect(delivery.message_id).toMatch(/^[0-9a-f-]{36}$/);
    await expect(result(delivery.workflow_id)).rejects.toThrow(/Workflow execution failed/);
    expect(h.us.requests).toHaveLength(0);
  });

  test('an invalid single event is 422 naming the field', async () => {
    const res = await call('POST', '/v1/events', { token: h.pipelineKey, body: { type: 'track', userId: 'u' } });
    expect(res.status).toBe(422);
    expect(res.body.error).toMatchObject({
      code: 'VALIDATION_FAILED',
      details: [{ field: 'event', message: expect.any(String) }],
    });
  });

  test('a batch with one bad event accepts the good ones and lists the bad one by index', async () => {
    const ids = [messageId(), messageId()];
    const res = await call('POST', '/v1/batch', {
      token: h.pipelineKey,
      body: {
        batch: [
          { type: 'identify', userId: 'b-1', messageId: ids[0], traits: { email: 'b1@example.com' } },
          { type: 'track', userId: 'b-2', messageId: 'bad-one', timestamp: 'not a time' },
          { type: 'page', userId: 'b-3', messageId: ids[1], context: { page: { url: 'https://a.example/' } } },
        ],
      },
    });
    expect(res.status).toBe(202);
    expect(res.body.accepted).toBe(2);
    expect(res.body.rejected).toEqual([
      {
        index: 1,
        errors: expect.arrayContaining([
          expect.objectContaining({ field: 'event' }),
          expect.objectContaining({ field: 'timestamp' }),
        ]),
      },
    ]);
    expect(res.body.deliveries.map((d: { message_id: string }) => d.message_id)).toEqual(ids);
    await Promise.all(res.body.deliveries.map((d: { workflow_id: string }) => result(d.workflow_id)));
    expect(h.us.requests.map((r) => `${r.method} ${r.path}`).sort()).toEqual([
      'POST /api/v1/customers/b-3/events',
      'PUT /api/v1/customers/b-1',
    ]);
  });

  test('batch limits: empty, over 500 events, over 500 KB', async () => {
    expect((await call('POST', '/v1/batch', { token: h.pipelineKey, body: { batch: [] } })).status).toBe(422);
    const many = await call('POST', '/v1/batch', {
      token: h.pipelineKey,
      body: { batch: Array.from({ length: 501 }, () => ({ type: 'page' })) },
    });
    expect(many.status).toBe(422);
    expect(many.body.error.details[0].message).toContain('at most 500');
    const big = await call('POST', '/v1/batch', {
      token: h.pipelineKey,
      body: { batch: [{ type: 'track', event: 'x', userId: 'u', properties: { blob: 'x'.repeat(520_000) } }] },
    });
    expect(big.status).toBe(413);
    expect(big.body.error.code).toBe('PAYLOAD_TOO_LARGE');
  });

  test('the same messageId twice makes one delivery', async () => {
    const event = { type: 'track', event: 'Paid', userId: 'dup-user', messageId: messageId() };
    const first = await call('POST', '/v1/events', { token: h.pipelineKey, body: event });
    const second = await call('POST', '/v1/events', { token: h.pipelineKey, body: event });
    expect(first.body).toMatchObject({ accepted: 1, duplicates: 0 });
    expect(second.body).toMatchObject({
      accepted: 1,
      duplicates: 1,
      deliveries: [{ status: 'duplicate', workflow_id: first.body.deliveries[0].workflow_id }],
    });
    await result(first.body.deliveries[0].workflow_id);
    expect(h.us.requests).toHaveLength(1);
  });

  test('denied consent is recorded as a filtered delivery, not sent and not dropped', async () => {
    const res = await call('POST', '/v1/events', {
      token: h.pipelineKey,
      body: {
        type: 'track',
        event: 'Paid',
        userId: 'no-consent',
        messageId: messageId(),
        context: { consent: { canonical: { marketing: false, analytics: true } } },
      },
    });
    expect(res.status).toBe(202);
    expect(res.body.deliveries[0]).toMatchObject({ status: 'started', filtered: 'consent_denied' });
    expect(await result(res.body.deliveries[0].workflow_id)).toMatchObject({
      status: 'filtered',
      reason: 'consent_denied',
      detail: 'consent for "marketing" is not granted',
    });
    const granted = await call('POST', '/v1/events', {
      token: h.pipelineKey,
      body: {
        type: 'track',
        event: 'Paid',
        userId: 'consent',
        messageId: messageId(),
        context: { consent: { marketing: true } },
      },
    });
    expect(await result(granted.body.deliveries[0].workflow_id)).toMatchObject({ status: 'delivered' });
    expect(h.us.requests.map((r) => r.path)).toEqual(['/api/v1/customers/consent/events']);
  });

  test('PATCHing new credentials makes a new revision, and later deliveries use them', async () => {
    const rotated = { siteId: creds.siteId, apiKey: 'intake-track-key-2' };
    h.us.acceptCredentials(creds, rotated);
    const patched = await call('PATCH', `/v1/admin/integrations/${integrationId}`, {
      token: h.adminToken,
      body: { config: { tracking_api_key: rotated.apiKey } },
    });
    expect(patched.status).toBe(200);
    expect(patched.body.revision.revision_number).toBe(2);
    h.us.acceptCredentials(rotated); // the old key is now dead at Customer.io
    h.us.clear();
    const res = await call('POST', '/v1/events', {
      token: h.pipelineKey,
      body: { type: 'track', event: 'After Rotation', userId: 'u', messageId: messageId() },
    });
    expect(await result(res.body.deliveries[0].workflow_id)).toMatchObject({ status: 'delivered' });
    const track = h.us.requests.find((r) => r.path.endsWith('/events'));
    expect(track!.headers.authorization).toBe(
      `Basic ${Buffer.from(`${rotated.siteId}:${rotated.apiKey}`).toString('base64')}`,
    );
  });

  test('a disabled integration gets no new deliveries', async () => {
    const other = { siteId: 'other-site', apiKey: 'other-key' };
    h.us.acceptCredentials(...[{ siteId: creds.siteId, apiKey: 'intake-track-key-2' }, other]);
    const second = await h.installThroughApi({ name: 'Second', credentials: other, appKey: 'x' });
    responses.push(second.text);
    const both = await call('POST', '/v1/events', {
      token: h.pipelineKey,
      body: { type: 'page', userId: 'u', messageId: messageId(), context: { page: { url: 'https://a/' } } },
    });
    expect(both.body.deliveries.map((d: { integration_id: string }) => d.integration_id).sort()).toEqual(
      [integrationId, second.body.id].sort(),
    );
    await call('PATCH', `/v1/admin/integrations/${second.body.id}`, { token: h.adminToken, body: { enabled: false } });
    const one = await call('POST', '/v1/events', {
      token: h.pipelineKey,
      body: { type: 'page', userId: 'u', messageId: messageId(), context: { page: { url: 'https://a/' } } },
    });
    expect(one.body.deliveries.map((d: { integration_id: string }) => d.integration_id)).toEqual([integrationId]);
    await call('DELETE', `/v1/admin/integrations/${second.body.id}`, { token: h.adminToken });
  });

  test('intake needs a pipeline key: none, a wrong one, an admin token or a revoked key are 401', async () => {
    const event = { type: 'page', userId: 'u', context: { page: { url: 'https://a/' } } };
    expect((await call('POST', '/v1/events', { body: event })).status).toBe(401);
    expect((await call('POST', '/v1/events', { token: 'dk_live_wrong', body: event })).status).toBe(401);
    expect((await call('POST', '/v1/events', { token: h.adminToken, body: event })).status).toBe(401);
    const issued = await call('POST', '/v1/admin/pipeline-keys', { token: h.adminToken, body: { name: 'web' } });
    expect(issued.status).toBe(201);
    expect(issued.body.key).toMatch(/^dk_live_/);
    expect((await call('POST', '/v1/events', { token: issued.body.key, body: event })).status).toBe(202);
    expect((await call('DELETE', `/v1/admin/pipeline-keys/${issued.body.id}`, { token: h.adminToken })).status).toBe(
      204,
    );
    expect((await call('POST', '/v1/events', { token: issued.body.key, body: event })).status).toBe(401);
    const audit = await call('GET', '/v1/admin/audit-logs?action=pipeline_key.revoked', { token: h.adminToken });
    expect(audit.body.data[0]).toMatchObject({ resource_id: issued.body.id, actor: { id: 'bootstrap-admin' } });
    responses.push(issued.text.replace(issued.body.key, '<shown once>')); // the key is meant to be in its own 201
    responses.splice(responses.indexOf(issued.text), 1);
  });

  test('no secret appears in any response or log line', () => {
    const secrets = [
      creds.apiKey,
      'intake-track-key-2',
      'intake-app-key',
      'other-key',
      h.adminToken,
      h.pipelineKey,
      h.encryptionKey,
    ];
    for (const text of [...responses, ...h.logs]) for (const s of secrets) expect(text).not.toContain(s);
    expect(h.logs.some((l) => l.includes('"path":"/v1/events"'))).toBe(true);
  });
});

describe('event intake rate limit', () => {
  let h: DeliveryHarness;
  const call = httpClient(() => h.baseUrl);
  let otherKey: string;
  beforeAll(async () => {
    h = await startDeliveryHarness({ api: true, rateLimits: { intakePerSecond: 1 } });
    const issued = await call('POST', '/v1/admin/pipeline-keys', {
      token: h.adminToken,
      body: { name: 'second source' },
    });
    expect(issued.status).toBe(201);
    otherKey = issued.body.key;
  });
  afterAll(() => h.close());

  const event = () => ({
    type: 'track',
    event: 'Rate Test',
    userId: 'rate-user',
    messageId: `rate-${Date.now()}-${Math.random()}`,
  });

  test('a pipeline key over its rate gets 429 in the JSON envelope with Retry-After, on /v1/events and /v1/batch alike; another key is not held back', async () => {
    const { statuses, limited } = await untilRateLimited(() =>
      call('POST', '/v1/events', { token: h.pipelineKey, body: event() }),
    );
    expect(statuses[0]).toBe(202);
    expectRateLimited(limited);
    // One budget per key across both intake routes.
    expectRateLimited(await call('POST', '/v1/batch', { token: h.pipelineKey, body: { batch: [event()] } }));
    expect((await call('POST', '/v1/events', { token: otherKey, body: event() })).status).toBe(202);
  });
});

describe('event intake during a Temporal outage', () => {
  const TIMEOUT_MS = 1_000;
  let h: DeliveryHarness;
  const held = new Set<Socket>();
  const blackhole = createServer((socket) => held.add(socket));
  let refusedPort: number;

  beforeAll(async () => {
    h = await startDeliveryHarness({ api: true, noWorker: true });
    await h.createIntegration();
    await new Promise<void>((r) => blackhole.listen(0, '127.0.0.1', r));
    // A port nothing listens on any more: a stopped Temporal.
    const stopped = createServer();
    await new Promise<void>((r) => stopped.listen(0, '127.0.0.1', r));
    refusedPort = (stopped.address() as AddressInfo).port;
    await new Promise((r) => stopped.close(r));
  });
  afterAll(async () => {
    for (const socket of held) socket.destroy();
    await new Promise((r) => blackhole.close(r));
    await h.close();
  });

  test.each([
    ['accepts TCP but never answers', () => (blackhole.address() as AddressInfo).port],
    ['refuses connections', () => refusedPort],
  ])(
    'a Temporal that %s: 503 TEMPORAL_UNAVAILABLE with Retry-After within INTAKE_TEMPORAL_TIMEOUT_MS',
    async (_label, port) => {
      // The SDK's own connection, with its retries: what the API runs with.
      const connection = Connection.lazy({ address: `127.0.0.1:${port()}` });
      const api = buildApi(h.core, {
        config: { ...h.config, INTAKE_TEMPORAL_TIMEOUT_MS: TIMEOUT_MS },
        logger: captureLogs().logger,
        client: new Client({ connection, namespace: h.config.TEMPORAL_NAMESPACE }),
      });
      const call = httpClient(() => baseUrl);
      const baseUrl = await api.app.listen({ host: '127.0.0.1', port: 0 });
      try {
        const event = { type: 'track', event: 'Outage', userId: 'u-outage', messageId: `outage-${port()}` };
        for (const [path, body] of [
          ['/v1/events', event],
          ['/v1/batch', { batch: [event] }],
        ] as const) {
          const startedAt = Date.now();
          const res = await call('POST', path, { token: h.pipelineKey, body });
          // The deadline, and a loaded test machine; without it the SDK retries for about 20 s, or waits for ever.
          expect(Date.now() - startedAt).toBeLessThan(TIMEOUT_MS + 1_500);
          expect(res.status).toBe(503);
          expect(res.headers.get('retry-after')).toBe(String(UNAVAILABLE_RETRY_AFTER_SECONDS));
          expect(res.body).toEqual({
            error: { code: 'TEMPORAL_UNAVAILABLE', message: expect.stringContaining('retry the whole request') },
          });
        }
      } finally {
        await api.app.close();
        await connection.close();
      }
    },
  );
});
