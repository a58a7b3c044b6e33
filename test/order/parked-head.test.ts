import { startDeliveries } from '../../src/client/start-delivery';
import { registry } from '../../src/observability/metrics';
import { DeliveryStatusKey } from '../../src/shared/search-attributes';
import { type DeliveryHarness, FAST_RETRY, startDeliveryHarness } from '../support/delivery-harness';
import { httpClient } from '../support/http';
import { eventually } from '../support/temporal';

/**
 * Per-person order (issue 16) with the service as it runs: events handed over through the API, a real worker, the
 * fake Customer.io. The head of a person's events parked for credentials (a 401) holds the events behind it until a
 * PATCH fixes the credentials; then Customer.io receives them in handover order.
 */
describe('a person’s events behind a head parked for credentials', () => {
  let h: DeliveryHarness;
  const call = httpClient(() => h.baseUrl);
  const admin = (method: string, path: string, body?: unknown) =>
    call(method, path, { token: h.adminToken, ...(body !== undefined ? { body } : {}) });
  beforeAll(async () => {
    h = await startDeliveryHarness({ api: true });
  });
  afterAll(() => h.close());
  // Every enabled integration gets every event: each test's integration is disabled after it.
  const installed: string[] = [];
  afterEach(async () => {
    for (const id of installed.splice(0)) await admin('PATCH', `/v1/admin/integrations/${id}`, { enabled: false });
  });

  /** An integration whose stored key Customer.io now refuses (someone rotated it), and the key that works. */
  async function rotatedIntegration(tag: string, config: Record<string, unknown> = {}) {
    const oldKey = { siteId: `${tag}-site`, apiKey: `${tag}-old-key` };
    const newKey = { siteId: `${tag}-site`, apiKey: `${tag}-new-key` };
    h.us.acceptCredentials(oldKey);
    const created = await h.installThroughApi({ name: tag, credentials: oldKey, appKey: `${tag}-app`, config });
    expect(created.status).toBe(201);
    installed.push(created.body.id as string);
    h.us.acceptCredentials(newKey);
    return { integrationId: created.body.id as string, newKey };
  }

  const batch = async (events: Record<string, unknown>[]) => {
    const sent = await call('POST', '/v1/batch', { token: h.pipelineKey, body: { batch: events } });
    expect(sent.status).toBe(202);
    return (sent.body.deliveries as { workflow_id: string }[]).map((d) => d.workflow_id);
  };
  const status = async (workflowId: string) =>
    (await h.client.workflow.getHandle(workflowId).describe()).typedSearchAttributes.get(DeliveryStatusKey);
  const requestsFor = (user: string) => h.us.requests.filter((r) => r.path.startsWith(`/api/v1/customers/${user}`));

  test('the tracks wait (waiting_for_order, nothing sent) while the identify is parked; after the PATCH Customer.io gets identify, then the tracks, in order', async () => {
    const { integrationId, newKey } = await rotatedIntegration('ph');
    const user = `ph-user-${Date.now()}`;
    const [identify, first, second] = await batch([
      { type: 'identify', userId: user, messageId: `${user}-1`, traits: { plan: 'pro' } },
      { type: 'track', userId: user, event: 'First', messageId: `${user}-2` },
      { type: 'track', userId: user, event: 'Second', messageId: `${user}-3` },
    ]);
    await eventually(
      async () =>
        (await status(identify!)) === 'awaiting_credentials' &&
        (await status(first!)) === 'waiting_for_order' &&
        (await status(second!)) === 'waiting_for_order'
          ? true
          : undefined,
      'the identify to be parked and both tracks waiting for order',
    );
    expect((await h.client.workflow.getHandle(second!).describe()).memo?.waitingFor).toEqual({
      workflowId: first,
      barrier: false,
    });
    const listed = await admin('GET', `/v1/admin/deliveries?integration_id=${integrationId}&status=waiting_for_order`);
    expect(listed.body.data.map((d: { workflow_id: string }) => d.workflow_id).sort()).toEqual([first, second].sort());
    // The list (and the Live page, which shows the same summaries) says what each waits for; so does the record.
    const waitingFor = Object.fromEntries(
      listed.body.data.map((d: { workflow_id: string; waiting_for: string }) => [d.workflow_id, d.waiting_for]),
    );
    expect(waitingFor).toEqual({ [first!]: identify, [second!]: first });
    const waiting = await admin('GET', `/v1/admin/deliveries/${encodeURIComponent(second!)}`);
    expect(waiting.body.order).toEqual({
      waited_ms: null,
      waited_for: first,
      overtook: false,
      summary: `waiting for ${first}`,
    });
    expect(waiting.body.timeline.map((t: { what: string }) => t.what)).toContain(
      'waiting for an earlier delivery of the same person',
    );
    // Only the identify reached Customer.io (refused); the tracks were never sent.
    expect(requestsFor(user).map((r) => `${r.method} ${r.path} ${r.authorized}`)).toEqual([
      `PUT /api/v1/customers/${user} false`,
    ]);

    const patched = await admin('PATCH', `/v1/admin/integrations/${integrationId}`, {
      config: { tracking_api_key: newKey.apiKey },
    });
    expect(patched.status).toBe(200);
    const results = await Promise.all([identify, first, second].map((id) => h.client.workflow.getHandle(id!).result()));
    expect(results[0]).toMatchObject({ status: 'delivered', httpStatus: 200, attempts: 2 });
    expect(results[0]!.orderWait).toBeUndefined();
    expect(results[1]).toMatchObject({ status: 'delivered', attempts: 1, orderWait: { waitedFor: identify } });
    expect(results[2]).toMatchObject({ status: 'delivered', attempts: 1, orderWait: { waitedFor: first } });
    expect(results[1]!.orderWait!.overtook).toBeUndefined();
    const accepted = requestsFor(user).filter((r) => r.authorized);
    expect(accepted.map((r) => `${r.method} ${r.path} ${(r.json as { name?: string }).name ?? ''}`)).toEqual([
      `PUT /api/v1/customers/${user} `,
      `POST /api/v1/customers/${user}/events First`,
      `POST /api/v1/customers/${user}/events Second`,
    ]);
    // The record says how long it waited and for which event; the wait is counted in the worker's metrics.
    const record = await admin('GET', `/v1/admin/deliveries/${encodeURIComponent(second!)}`);
    expect(record.body.order.summary).toBe(`waited ${results[2]!.orderWait!.waitedMs} ms for ${first}`);
    expect(record.body.order.waited_ms).toBeGreaterThan(0);
    expect(record.body.timeline.map((t: { what: string }) => t.what)).toContain(
      'an earlier delivery of the same person finished',
    );
    expect(record.body.attempts_detail.filter((a: { outcome: string }) => a.outcome === 'delivered')).toHaveLength(1);
    const waits = await registry.getSingleMetric('signal_order_waits_total')!.get();
    const counted = waits.values.find((v) => v.labels.integration_id === integrationId && v.labels.barrier === 'false');
    expect(counted?.value).toBeGreaterThanOrEqual(2);
  });

  test('with a short order_wait a track goes ahead of the parked identify, recorded as an overtake; a deletion waits for both, and what follows it waits for the deletion', async () => {
    const { integrationId, newKey } = await rotatedIntegration('ot', { order_wait_minutes: 0.02 });
    const user = `ot-user-${Date.now()}`;
    const [identify, track, deletion, after] = await batch([
      { type: 'identify', userId: user, messageId: `${user}-1` },
      { type: 'track', userId: user, event: 'Bought', messageId: `${user}-2` },
      { type: 'track', userId: user, event: 'User Deleted', messageId: `${user}-3` },
      { type: 'track', userId: user, event: 'After', messageId: `${user}-4` },
    ]);
    // The track overtakes after 1.2 s: it is sent (and refused too, so it parks as well).
    await eventually(
      async () => (requestsFor(user).some((r) => r.path.endsWith('/events')) ? true : undefined),
      'the track to go ahead of the parked identify',
    );
    await eventually(
      async () => ((await status(track!)) === 'awaiting_credentials' ? true : undefined),
      'the overtaking track to be parked',
    );
    const memo = (await h.client.workflow.getHandle(track!).describe()).memo;
    expect(memo?.orderOvertook).toMatchObject({ workflowId: identify, reason: 'order_wait_minutes' });
    // Nothing overtakes a deletion, and a deletion overtakes nothing, however long it waits.
    expect(await status(deletion!)).toBe('waiting_for_order');
    expect(await status(after!)).toBe('waiting_for_order');
    expect(requestsFor(user).filter((r) => r.method === 'DELETE' || r.path.endsWith('/events')).length).toBe(1);

    await admin('PATCH', `/v1/admin/integrations/${integrationId}`, { config: { tracking_api_key: newKey.apiKey } });
    const results = await Promise.all(
      [identify, track, deletion, after].map((id) => h.client.workflow.getHandle(id!).result()),
    );
    expect(results[1]).toMatchObject({
      status: 'delivered',
      orderWait: { waitedFor: identify, overtook: true },
    });
    expect(results[1]!.orderWait!.waitedMs).toBeGreaterThanOrEqual(1_200);
    const overtaker = await admin('GET', `/v1/admin/deliveries/${encodeURIComponent(track!)}`);
    expect(overtaker.body.order).toMatchObject({ overtook: true, waited_for: identify });
    expect(overtaker.body.order.summary).toMatch(
      /^went ahead of .* after waiting \d+ ms for it \(order_wait_minutes\)$/,
    );
    const overtakes = await registry.getSingleMetric('signal_order_overtakes_total')!.get();
    expect(overtakes.values.find((v) => v.labels.integration_id === integrationId)?.value).toBe(1);
    expect(results[2]).toMatchObject({ status: 'delivered', operation: 'delete_person' });
    expect(results[2]!.orderWait?.overtook).toBeUndefined();
    expect(results[3]).toMatchObject({ status: 'delivered', orderWait: { waitedFor: deletion } });
    const accepted = requestsFor(user)
      .filter((r) => r.authorized)
      .map((r) => `${r.method} ${(r.json as { name?: string } | undefined)?.name ?? r.path}`);
    // The identify and the track go once the credentials are fixed (in either order: the track overtook); then the
    // deletion, then what came after it.
    expect(accepted.slice(2)).toEqual([`DELETE /api/v1/customers/${user}`, 'POST After']);
    expect(accepted.slice(0, 2).sort()).toEqual([`POST Bought`, `PUT /api/v1/customers/${user}`].sort());
  });

  test('the typed client, given the order book, orders a batch the same way', async () => {
    const oldKey = { siteId: 'tc-site', apiKey: 'tc-old-key' };
    const newKey = { siteId: 'tc-site', apiKey: 'tc-new-key' };
    const { id: integrationId } = await h.createIntegration({ credentials: oldKey });
    installed.push(integrationId);
    h.us.acceptCredentials(newKey);
    const user = `tc-user-${Date.now()}`;
    const outcomes = await startDeliveries(
      h.client,
      integrationId,
      [
        { type: 'identify', userId: user, messageId: `${user}-1` },
        { type: 'track', userId: user, event: 'First', messageId: `${user}-2` },
      ],
      { taskQueue: h.taskQueue, orderBook: h.core.orderBook, retry: FAST_RETRY },
    );
    const [identify, track] = outcomes.map((o) => o.workflowId);
    await eventually(
      async () =>
        (await status(identify!)) === 'awaiting_credentials' && (await status(track!)) === 'waiting_for_order'
          ? true
          : undefined,
      'the identify to be parked and the track waiting for it',
    );
    expect(requestsFor(user).filter((r) => r.path.endsWith('/events'))).toEqual([]);
    await admin('PATCH', `/v1/admin/integrations/${integrationId}`, { config: { tracking_api_key: newKey.apiKey } });
    expect(await h.client.workflow.getHandle(track!).result()).toMatchObject({
      status: 'delivered',
      orderWait: { waitedFor: identify },
    });
    expect(
      requestsFor(user)
        .filter((r) => r.authorized)
        .map((r) => r.method),
    ).toEqual(['PUT', 'POST']);
  });

  test('order_wait_minutes 0: no ordering, today’s behaviour (the tracks are sent while the identify is parked)', async () => {
    const { integrationId, newKey } = await rotatedIntegration('off', { order_wait_minutes: 0 });
    const user = `off-user-${Date.now()}`;
    const ids = await batch([
      { type: 'identify', userId: user, messageId: `${user}-1` },
      { type: 'track', userId: user, event: 'First', messageId: `${user}-2` },
    ]);
    await eventually(
      async () => (requestsFor(user).filter((r) => !r.authorized).length === 2 ? true : undefined),
      'both to be sent (and refused) at once',
    );
    const started = await h.client.workflow.getHandle(ids[1]!).fetchHistory();
    const input = started.events![0]!.workflowExecutionStartedEventAttributes!.input!.payloads![0]!;
    expect(JSON.parse(Buffer.from(input.data!).toString('utf8')).order).toBeUndefined();
    await admin('PATCH', `/v1/admin/integrations/${integrationId}`, { config: { tracking_api_key: newKey.apiKey } });
    for (const id of ids) {
      const result = await h.client.workflow.getHandle(id).result();
      expect(result).toMatchObject({ status: 'delivered' });
      expect(result.orderWait).toBeUndefined();
    }
  });
});
