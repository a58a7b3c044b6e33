import { type DeliveryHarness, startDeliveryHarness } from '../support/delivery-harness';
import { httpClient } from '../support/http';

/**
 * Deletion is a barrier for replays too (issue 16): an event handed over before its person's `User Deleted` would,
 * replayed, land after the deletion and re-create the person. Refused with a reason; forced, it goes and the audit log
 * says who forced it past which deletion.
 */
describe('replaying an event handed over before its person was deleted', () => {
  let h: DeliveryHarness;
  const call = httpClient(() => h.baseUrl);
  const creds = { siteId: 'rd-site', apiKey: 'rd-track-key' };
  const tag = `rd${Date.now()}`;
  const admin = (method: string, path: string, body?: unknown) =>
    call(method, path, { token: h.adminToken, ...(body !== undefined ? { body } : {}) });
  const replayPath = (workflowId: string) => `/v1/admin/deliveries/${encodeURIComponent(workflowId)}/replay`;

  beforeAll(async () => {
    h = await startDeliveryHarness({ api: true });
    h.us.acceptCredentials(creds);
    await h.installThroughApi({ name: 'Replay after deletion', credentials: creds, appKey: 'rd-app' });
  });
  afterAll(() => h.close());

  test('is refused with ORDER_AFTER_DELETION; forced, it is sent and audited', async () => {
    const person = `rd-person-${tag}`;
    // The track is refused by Customer.io (400), so it ends failed: the kind of delivery an engineer replays.
    h.us.respondWith({ status: 200 }, { status: 400 });
    const res = await call('POST', '/v1/batch', {
      token: h.pipelineKey,
      body: {
        batch: [
          { type: 'identify', userId: person, traits: { plan: 'pro' }, messageId: `${tag}-identify` },
          { type: 'track', event: 'Order Completed', userId: person, messageId: `${tag}-track` },
          { type: 'track', event: 'User Deleted', userId: person, messageId: `${tag}-deleted` },
        ],
      },
    });
    expect(res.status).toBe(202);
    const [identify, track, deleted] = (res.body.deliveries as { workflow_id: string }[]).map((d) => d.workflow_id);
    const results = await Promise.all(
      [identify!, track!, deleted!].map((id) =>
        h.client.workflow
          .getHandle(id)
          .result()
          .then(
            (r) => r.status as string,
            () => 'failed',
          ),
      ),
    );
    expect(results).toEqual(['delivered', 'failed', 'delivered']);
    const paths = h.us.requests.map((r) => `${r.method} ${r.path}`);
    expect(paths.at(-1)).toBe(`DELETE /api/v1/customers/${person}`);
    const before = h.us.requests.length;

    const refused = await admin('POST', replayPath(track!), {});
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('ORDER_AFTER_DELETION');
    expect(refused.body.error.message).toContain(deleted);
    expect(refused.body.error.message).toContain('force=true');
    // A bulk replay of failed deliveries skips it with the same reason.
    const bulk = await admin('POST', '/v1/admin/deliveries/replay', { event_type: 'track', limit: 1000 });
    expect(bulk.status).toBe(200);
    expect(bulk.body.skipped).toContainEqual(
      expect.objectContaining({ workflow_id: track, reason: 'order_after_deletion' }),
    );
    expect(h.us.requests).toHaveLength(before);

    // An event handed over after the deletion is not held by it: the deletion's own replay is refused only because it
    // was delivered, not for order.
    const again = await admin('POST', replayPath(deleted!), {});
    expect(again.body.error.code).toBe('ALREADY_DELIVERED');

    const forced = await admin('POST', replayPath(track!), { force: true });
    expect(forced.status).toBe(202);
    expect(forced.body).toMatchObject({ replay_of: track, forced_past: { workflow_id: deleted } });
    h.us.respondWith({ status: 200 });
    const replayed = await h.client.workflow.getHandle(forced.body.workflow_id, forced.body.run_id).result();
    expect(replayed).toMatchObject({ status: 'delivered' });
    expect(h.us.requests.slice(before).map((r) => `${r.method} ${r.path}`)).toEqual([
      `POST /api/v1/customers/${person}/events`,
    ]);
    const audit = await admin(
      'GET',
      `/v1/admin/audit-logs?action=delivery.replay_forced_after_deletion&resource_id=${encodeURIComponent(track!)}`,
    );
    expect(audit.status).toBe(200);
    expect(audit.body.data).toHaveLength(1);
    expect(JSON.stringify(audit.body.data[0])).toContain(deleted);
  }, 120_000);
});
