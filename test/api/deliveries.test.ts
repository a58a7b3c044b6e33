import { deliveryEventId } from '../../src/customerio/event-id';
import { type DeliveryHarness, startDeliveryHarness } from '../support/delivery-harness';
import { httpClient, type HttpResult } from '../support/http';
import { eventually } from '../support/temporal';

/** Deliveries read back from Temporal through the API, and replays of them. */
describe('deliveries API', () => {
  let h: DeliveryHarness;
  const call = httpClient(() => h.baseUrl);
  let integrationId: string;
  const creds = { siteId: 'dl-site', apiKey: 'dl-track-key' };
  const runTag = `t${Date.now()}`;
  let n = 0;
  const messageId = (label: string) => `${runTag}-${label}-${++n}`;

  beforeAll(async () => {
    h = await startDeliveryHarness({ api: true });
    h.us.acceptCredentials(creds);
    const installed = await h.installThroughApi({ name: 'Deliveries', credentials: creds, appKey: 'dl-app-key' });
    integrationId = installed.body.id;
  });
  afterAll(() => h.close());
  beforeEach(() => h.us.clear());

  const admin = (method: string, path: string, body?: unknown) =>
    call(method, path, { token: h.adminToken, ...(body !== undefined ? { body } : {}) });
  const send = async (event: Record<string, unknown>) => {
    const res = await call('POST', '/v1/events', { token: h.pipelineKey, body: event });
    expect(res.status).toBe(202);
    return res.body.deliveries[0].workflow_id as string;
  };
  const settle = (workflowId: string) =>
    h.client.workflow
      .getHandle(workflowId)
      .result()
      .catch(() => undefined);
  /** Visibility is eventually consistent: poll the list until it says what we expect. */
  const listUntil = (query: string, ok: (res: HttpResult) => boolean) =>
    eventually(async () => {
      const res = await admin('GET', `/v1/admin/deliveries?${query}`);
      return ok(res) ? res : undefined;
    }, `deliveries?${query}`);

  test('lists and filters deliveries by status, type, name, customer and message id', async () => {
    const delivered = await send({
      type: 'track',
      event: 'Listed Event',
      userId: 'list-user',
      messageId: messageId('ok'),
    });
    await settle(delivered);
    h.us.respondWith({ status: 400, body: { meta: { errors: ['bad attribute'] } } });
    const failed = await send({
      type: 'identify',
      userId: 'list-user-2',
      messageId: messageId('bad'),
      traits: { plan: 'x' },
    });
    await settle(failed);

    const byType = await listUntil(`integration_id=${integrationId}&event_type=track&event_name=Listed%20Event`, (r) =>
      r.body.data.some((d: { workflow_id: string }) => d.workflow_id === delivered),
    );
    expect(byType.body.data.find((d: { workflow_id: string }) => d.workflow_id === delivered)).toMatchObject({
      integration_id: integrationId,
      status: 'delivered',
      execution_status: 'completed',
      event_type: 'track',
      event_name: 'Listed Event',
      customer_id: 'list-user',
      http_status: 200,
      attempts: 1,
      last_error: null,
      temporal_ui_url: expect.stringMatching(
        /^http:\/\/localhost:8233\/namespaces\/default\/workflows\/customer_io%3A/,
      ),
    });
    const failedRows = await listUntil(`status=failed&customer_id=list-user-2`, (r) => r.body.data.length === 1);
    expect(failedRows.body.data[0]).toMatchObject({
      workflow_id: failed,
      status: 'failed',
      http_status: 400,
      last_error: { type: 'CustomerIoRejected', message: expect.stringContaining('bad attribute') },
    });
    const byMessage = await admin('GET', `/v1/admin/deliveries?message_id=${encodeURIComponent(`${runTag}-ok-1`)}`);
    expect(byMessage.body.data.map((d: { workflow_id: string }) => d.workflow_id)).toEqual([delivered]);
    const future = await admin(
      'GET',
      `/v1/admin/deliveries?since=${encodeURIComponent(new Date(Date.now() + 3600_000).toISOString())}`,
    );
    expect(future.body.data).toEqual([]);
  });

  test('paginates with a cursor and validates its filters', async () => {
    for (let i = 0; i < 3; i++)
      await settle(await send({ type: 'track', event: 'Paged', userId: `p-${i}`, messageId: messageId('page') }));
    const first = await listUntil('event_name=Paged&limit=2', (r) => r.body.data.length === 2 && r.body.has_more);
    const second = await admin('GET', `/v1/admin/deliveries?event_name=Paged&limit=2&cursor=${first.body.next_cursor}`);
    expect(second.body.data.length).toBeGreaterThanOrEqual(1);
    const ids = [...first.body.data, ...second.body.data].map((d: { workflow_id: string }) => d.workflow_id);
    expect(new Set(ids).size).toBe(ids.length);
    const bad = await admin('GET', '/v1/admin/deliveries?status=lost&since=yesterday&colour=red');
    expect(bad.status).toBe(422);
    expect(bad.body.error.details.map((d: { field: string }) => d.field).sort()).toEqual(['colour', 'since', 'status']);
  });

  test('the record of a 500, 500, 200 delivery holds every attempt', async () => {
    h.us.respondWith({ status: 500, body: 'first failure' }, { status: 500, body: 'second failure' });
    const id = messageId('retry');
    const workflowId = await send({
      type: 'track',
      event: 'Retried',
      userId: 'r-user',
      messageId: id,
      timestamp: '2026-11-29T10:00:00Z',
      properties: { email: 'r@example.com' },
    });
    await settle(workflowId);
    const record = await admin('GET', `/v1/admin/deliveries/${encodeURIComponent(workflowId)}`);
    expect(record.status).toBe(200);
    expect(record.body).toMatchObject({
      workflow_id: workflowId,
      status: 'delivered',
      attempts: 3,
      event: { type: 'track', event: 'Retried', userId: 'r-user', properties: { email: 'r@example.com' } },
      outcome: { status: 'delivered', result: { status: 'delivered', attempts: 3, httpStatus: 200 } },
    });
    const attempts = record.body.attempts_detail;
    expect(
      attempts.map((a: { attempt: number; response: { status: number } }) => [a.attempt, a.response.status]),
    ).toEqual([
      [1, 500],
      [2, 500],
      [3, 200],
    ]);
    expect(attempts[0]).toMatchObject({
      outcome: 'failed',
      request: {
        method: 'POST',
        url: `${h.us.url}/api/v1/customers/r-user/events`,
        body: { name: 'Retried', id: deliveryEventId(integrationId, id, Date.parse('2026-11-29T10:00:00Z')) },
      },
      response: { body_excerpt: 'first failure' },
      error: { type: 'CustomerIoRetryableError', message: expect.stringContaining('500') },
      credentials_revision: 1,
    });
    for (const a of attempts) {
      expect(a.duration_ms).toEqual(expect.any(Number));
      expect(Date.parse(a.finished_at)).toBeGreaterThanOrEqual(Date.parse(a.scheduled_at));
    }
    expect(record.body.timeline.map((t: { what: string }) => t.what)).toEqual([
      'received',
      'attempt',
      'backing off',
      'attempt',
      'backing off',
      'attempt',
      'delivered',
    ]);
    expect(record.text).not.toContain(creds.apiKey);
    expect(record.text).not.toMatch(/authorization/i);
    expect((await admin('GET', '/v1/admin/deliveries/customer_io%3Anope%3Anope')).status).toBe(404);
  });

  test('hash_pii shows personal fields hashed in the record', async () => {
    const other = { siteId: 'pii-site', apiKey: 'pii-key' };
    h.us.acceptCredentials(creds, other);
    const installed = await h.installThroughApi({
      name: 'Hashed',
      credentials: other,
      appKey: 'x',
      config: { hash_pii: true },
    });
    const started = await h.deliver(installed.body.id, {
      type: 'identify',
      userId: 'pii-user',
      messageId: messageId('pii'),
      traits: { email: 'Secret@Example.com', plan: 'pro' },
    });
    await settle(started.workflowId);
    const record = await admin('GET', `/v1/admin/deliveries/${encodeURIComponent(started.workflowId)}`);
    expect(record.text).not.toContain('Secret@Example.com');
    expect(record.body.event.traits).toEqual({ email: expect.stringMatching(/^sha256:[0-9a-f]{64}$/), plan: 'pro' });
    expect(record.body.attempts_detail[0].request.body.email).toBe(record.body.event.traits.email);
    await admin('DELETE', `/v1/admin/integrations/${installed.body.id}`);
  });

  test('replay of a failed delivery after its cause is fixed: same event id, current credentials, linked both ways', async () => {
    h.us.respondWith({ status: 400, body: { meta: { errors: ['name too long'] } } });
    const workflowId = await send({
      type: 'track',
      event: 'Replayed',
      userId: 'rp-user',
      messageId: messageId('replay'),
    });
    await settle(workflowId);
    const original = h.us.requests[0]!;
    h.us.clear();

    const replay = await admin('POST', `/v1/admin/deliveries/${encodeURIComponent(workflowId)}/replay`, {});
    expect(replay.status).toBe(202);
    expect(replay.body).toMatchObject({
      replay_of: workflowId,
      workflow_id: `replay:${workflowId}`,
      run_id: expect.any(String),
    });
    const again = await admin('POST', `/v1/admin/deliveries/${encodeURIComponent(workflowId)}/replay`, {});
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('REPLAY_IN_PROGRESS');

    expect(await h.client.workflow.getHandle(replay.body.workflow_id, replay.body.run_id).result()).toMatchObject({
      status: 'delivered',
    });
    expect(h.us.requests).toHaveLength(1);
    expect(h.us.requests[0]!.body).toBe(original.body); // same Customer.io event id: deduplicated if it had landed

    const record = await admin('GET', `/v1/admin/deliveries/${encodeURIComponent(replay.body.workflow_id)}`);
    expect(record.body).toMatchObject({ replay_of: workflowId, status: 'delivered' });
    const originalRecord = await eventually(async () => {
      const r = await admin('GET', `/v1/admin/deliveries/${encodeURIComponent(workflowId)}`);
      return r.body.replays.length > 0 ? r : undefined;
    }, 'the replay to be listed on the original');
    expect(originalRecord.body.replays[0]).toMatchObject({
      workflow_id: replay.body.workflow_id,
      replay_of: workflowId,
      status: 'delivered',
    });

    const delivered = await admin('POST', `/v1/admin/deliveries/${encodeURIComponent(workflowId)}/replay`, {});
    expect(delivered.status).toBe(409);
    expect(delivered.body.error.code).toBe('ALREADY_DELIVERED');
    const forced = await admin('POST', `/v1/admin/deliveries/${encodeURIComponent(workflowId)}/replay`, {
      include_delivered: true,
    });
    expect(forced.status).toBe(202);
    await h.client.workflow.getHandle(forced.body.workflow_id, forced.body.run_id).result();
    const audit = await admin(
      'GET',
      `/v1/admin/audit-logs?action=delivery.replayed&resource_id=${encodeURIComponent(workflowId)}`,
    );
    expect(audit.body.data).toHaveLength(2);
  });

  test('bulk replay: dry run first, then every failed delivery of the filter, each once', async () => {
    const since = new Date().toISOString();
    const tag = `Bulk ${runTag}`;
    h.us.respondWith({ status: 400 }, { status: 400 });
    const failed = [
      await send({ type: 'track', event: tag, userId: 'b1', messageId: messageId('bulk') }),
      await send({ type: 'track', event: tag, userId: 'b2', messageId: messageId('bulk') }),
    ];
    await Promise.all(failed.map(settle));
    await listUntil(`status=failed&event_name=${encodeURIComponent(tag)}`, (r) => r.body.data.length === 2);
    h.us.clear();

    const dry = await admin('POST', '/v1/admin/deliveries/replay', {
      status: 'failed',
      integration_id: integrationId,
      since,
      dry_run: true,
    });
    expect(dry.status).toBe(200);
    expect(dry.body).toMatchObject({ dry_run: true, skipped: [] });
    expect(dry.body.would_replay.sort()).toEqual([...failed].sort());
    expect(h.us.requests).toHaveLength(0);

    const bulk = await admin('POST', '/v1/admin/deliveries/replay', { integration_id: integrationId, since });
    expect(bulk.body.replayed.map((r: { replay_of: string }) => r.replay_of).sort()).toEqual([...failed].sort());
    await Promise.all(
      bulk.body.replayed.map((r: { workflow_id: string; run_id: string }) =>
        h.client.workflow.getHandle(r.workflow_id, r.run_id).result(),
      ),
    );
    expect(h.us.requests.map((r) => r.path).sort()).toEqual([
      '/api/v1/customers/b1/events',
      '/api/v1/customers/b2/events',
    ]);

    const second = await admin('POST', '/v1/admin/deliveries/replay', { integration_id: integrationId, since });
    expect(second.body.replayed).toEqual([]);
    expect(second.body.skipped.map((s: { reason: string }) => s.reason)).toEqual([
      'already_delivered',
      'already_delivered',
    ]);
  });

  test('bulk replay with a limit moves on past deliveries its earlier runs already replayed', async () => {
    const since = new Date().toISOString();
    const tag = `Limited ${runTag}`;
    h.us.respondWith({ status: 400 }, { status: 400 });
    const failed = [
      await send({ type: 'track', event: tag, userId: 'l1', messageId: messageId('lim') }),
      await send({ type: 'track', event: tag, userId: 'l2', messageId: messageId('lim') }),
    ];
    await Promise.all(failed.map(settle));
    await listUntil(`status=failed&event_name=${encodeURIComponent(tag)}`, (r) => r.body.data.length === 2);
    const replayedOf: string[] = [];
    for (let run = 0; run < 2; run++) {
      const bulk = await admin('POST', '/v1/admin/deliveries/replay', {
        integration_id: integrationId,
        since,
        limit: 1,
      });
      expect(bulk.body.replayed).toHaveLength(1);
      replayedOf.push(bulk.body.replayed[0].replay_of);
      await h.client.workflow.getHandle(bulk.body.replayed[0].workflow_id, bulk.body.replayed[0].run_id).result();
    }
    expect(replayedOf.sort()).toEqual([...failed].sort());
  });

  test('a viewer may read deliveries but not replay them', async () => {
    const viewer = (await admin('POST', '/v1/admin/tokens', { name: 'reader', role: 'viewer' })).body.token;
    expect((await call('GET', '/v1/admin/deliveries', { token: viewer })).status).toBe(200);
    expect((await call('POST', '/v1/admin/deliveries/replay', { token: viewer, body: { dry_run: true } })).status).toBe(
      403,
    );
  });
});
