import { type DeliveryHarness, startDeliveryHarness } from '../support/delivery-harness';
import type { RecordedRequest } from '../support/fake-customerio';
import { httpClient, type HttpResult } from '../support/http';
import { scrape, total } from '../support/prometheus';
import { openSse } from '../support/sse';
import { eventually } from '../support/temporal';

const HOUR = 3_600_000;

/**
 * Issue 17, item 3: Customer.io starts campaigns only from events at most 72 hours old. An older event is still
 * delivered, and marked late (result, record, search attribute, metric, Live feed); an integration may instead refuse
 * events older than refuse_events_older_than_hours.
 */
describe('late deliveries', () => {
  let h: DeliveryHarness;
  const call = httpClient(() => h.baseUrl);
  const run = `late${Date.now()}`;
  const creds = { siteId: 'late-site', apiKey: 'late-track-key' };
  const strictCreds = { siteId: 'late-strict-site', apiKey: 'late-strict-track-key' };
  let integrationId: string;
  let strictId: string;

  beforeAll(async () => {
    h = await startDeliveryHarness({ api: true });
    h.us.acceptCredentials(creds, strictCreds);
    const installed = await h.installThroughApi({ name: `Late ${run}`, credentials: creds, appKey: 'late-app' });
    expect(installed.status).toBe(201);
    integrationId = installed.body.id;
    const strict = await h.installThroughApi({
      name: `Late strict ${run}`,
      credentials: strictCreds,
      appKey: 'late-strict-app',
      config: { refuse_events_older_than_hours: 48 },
    });
    expect(strict.status).toBe(201);
    expect(strict.body.config.refuse_events_older_than_hours).toBe(48);
    strictId = strict.body.id;
  });
  afterAll(() => h.close());

  const admin = (method: string, path: string, body?: unknown) =>
    call(method, path, { token: h.adminToken, ...(body !== undefined ? { body } : {}) });
  /** Sends one event to every integration; the workflow id of the delivery to `to`. */
  const send = async (to: string, event: Record<string, unknown>) => {
    const res = await call('POST', '/v1/events', { token: h.pipelineKey, body: event });
    expect(res.status).toBe(202);
    const delivery = (res.body.deliveries as { integration_id: string; workflow_id: string }[]).find(
      (d) => d.integration_id === to,
    );
    return delivery!.workflow_id;
  };
  const result = (workflowId: string) => h.client.workflow.getHandle(workflowId).result();
  const lateCount = async (id: string) =>
    total(await scrape(`${h.baseUrl}/metrics`), 'signal_deliveries_late_total', { integration_id: id });
  const listUntil = (query: string, ok: (res: HttpResult) => boolean) =>
    eventually(async () => {
      const res = await admin('GET', `/v1/admin/deliveries?${query}`);
      return ok(res) ? res : undefined;
    }, `deliveries?${query}`);
  const ids = (res: HttpResult) => (res.body.data as { workflow_id: string }[]).map((d) => d.workflow_id).sort();
  /** Track calls for `userId` made with these credentials (both integrations get every event, on the same fake). */
  const to = (key: typeof creds, userId: string) => {
    const authorization = `Basic ${Buffer.from(`${key.siteId}:${key.apiKey}`).toString('base64')}`;
    return (r: RecordedRequest) =>
      r.path === `/api/v1/customers/${userId}/events` && r.headers.authorization === authorization;
  };

  test('an event 80 hours old is delivered, and marked late in its result, record, list filter, metric and Live feed', async () => {
    const stream = await openSse(
      `${h.baseUrl}/v1/admin/live-events?integration_id=${integrationId}&token=${encodeURIComponent(h.adminToken)}`,
    );
    try {
      expect(stream.status).toBe(200);
      await stream.waitFor(/event: snapshot/);
      const oldAt = Date.now() - 80 * HOUR;
      const oldUser = `${run}-old`;
      const late = await send(integrationId, {
        type: 'track',
        event: 'Old Purchase',
        userId: oldUser,
        messageId: `${run}-old`,
        timestamp: new Date(oldAt).toISOString(),
      });
      const lateResult = await result(late);
      expect(lateResult).toMatchObject({ status: 'delivered', httpStatus: 200, late: { thresholdHours: 72 } });
      expect(lateResult.status === 'delivered' && lateResult.late!.ageHours).toBeGreaterThanOrEqual(80);
      expect(lateResult.status === 'delivered' && lateResult.late!.ageHours).toBeLessThan(81);
      // Customer.io got it, with the event's own (old) time.
      const [got] = h.us.requests.filter(to(creds, oldUser));
      expect(got!.json).toMatchObject({ name: 'Old Purchase', timestamp: Math.floor(oldAt / 1000) });

      const fresh = await send(integrationId, {
        type: 'track',
        event: 'New Purchase',
        userId: `${run}-new`,
        messageId: `${run}-new`,
      });
      const freshResult = await result(fresh);
      expect(freshResult).toMatchObject({ status: 'delivered', httpStatus: 200 });
      expect(freshResult).not.toHaveProperty('late');
      expect(await lateCount(integrationId)).toBe(1);

      const record = await admin('GET', `/v1/admin/deliveries/${encodeURIComponent(late)}`);
      expect(record.status).toBe(200);
      expect(record.body).toMatchObject({ status: 'delivered', late: { threshold_hours: 72 } });
      expect(record.body.late.age_hours).toBeGreaterThanOrEqual(80);
      expect(record.body.timeline.at(-1)).toMatchObject({
        what: 'delivered',
        detail: expect.stringMatching(
          /^late: the event was 80(\.\d)? h old, past Customer.io's 72-hour campaign window/,
        ),
      });
      const freshRecord = await admin('GET', `/v1/admin/deliveries/${encodeURIComponent(fresh)}`);
      expect(freshRecord.body.late).toBeNull();

      // The search attribute: late=true finds the late one alone, late=false the other.
      const onlyLate = await listUntil(`integration_id=${integrationId}&late=true`, (r) => r.body.data.length > 0);
      expect(ids(onlyLate)).toEqual([late]);
      expect(onlyLate.body.data[0].late).toEqual(record.body.late);
      const notLate = await listUntil(
        `integration_id=${integrationId}&late=false`,
        (r) => r.body.data.length > 0 && r.body.data.every((d: { closed_at: unknown }) => d.closed_at),
      );
      expect(ids(notLate)).toEqual([fresh]);
      expect((await admin('GET', '/v1/admin/deliveries?late=yes')).status).toBe(422);

      // The Live feed carries the marker (the page shows it from this field).
      for (const id of [late, fresh])
        await stream.waitFor(new RegExp(`"workflow_id":"${id}"[^\\n]*"status":"delivered"`), 20_000);
      const streamed = [...stream.text().matchAll(/^data: (.*)$/gm)].flatMap(
        (m) => JSON.parse(m[1]!) as { workflow_id: string; status: string; late: unknown }[],
      );
      expect(streamed.find((d) => d.workflow_id === late && d.status === 'delivered')?.late).toEqual(record.body.late);
      expect(streamed.find((d) => d.workflow_id === fresh && d.status === 'delivered')?.late).toBeNull();
    } finally {
      stream.abort();
    }
  });

  test('with refuse_events_older_than_hours at 48, an 80-hour-old event is not sent; a fresh one still goes, and the person is not held', async () => {
    const user = `${run}-strict`;
    const old = await send(strictId, {
      type: 'track',
      event: 'Stale Cart',
      userId: user,
      messageId: `${run}-stale`,
      timestamp: Math.floor((Date.now() - 80 * HOUR) / 1000),
    });
    // The same person's next event: per-person order is on by default, so it waits for the refused one to finish.
    const next = await send(strictId, { type: 'track', event: 'Fresh Cart', userId: user, messageId: `${run}-fresh` });
    const refused = await result(old);
    expect(refused).toMatchObject({
      status: 'filtered',
      reason: 'event_too_old',
      detail: expect.stringMatching(
        /^the event is 80(\.\d)? h old, older than this integration's refuse_events_older_than_hours \(48 h\): not sent to Customer.io$/,
      ),
      attempts: 1,
    });
    expect(await result(next)).toMatchObject({ status: 'delivered', httpStatus: 200 });
    const seen = h.us.requests.filter(to(strictCreds, user)).map((r) => (r.json as { name: string }).name);
    expect(seen).toEqual(['Fresh Cart']);
    const record = await admin('GET', `/v1/admin/deliveries/${encodeURIComponent(old)}`);
    expect(record.body).toMatchObject({
      status: 'filtered',
      late: null,
      outcome: { result: { reason: 'event_too_old' } },
    });
    expect(await lateCount(strictId)).toBe(0);
  });

  test('a bad refuse_events_older_than_hours is 422 naming the field, at install and on PATCH', async () => {
    for (const value of [-1, 1.5, 'a day', 24 * 365 + 1]) {
      const patched = await admin('PATCH', `/v1/admin/integrations/${strictId}`, {
        config: { refuse_events_older_than_hours: value },
      });
      expect(patched.status).toBe(422);
      expect(patched.body.error.code).toBe('VALIDATION_FAILED');
      expect(patched.body.error.details.map((d: { field: string }) => d.field)).toEqual([
        'config.refuse_events_older_than_hours',
      ]);
    }
    const installed = await h.installThroughApi({
      name: `Late bad ${run}`,
      credentials: strictCreds,
      appKey: 'late-bad-app',
      config: { refuse_events_older_than_hours: 0.5 },
    });
    expect(installed.status).toBe(422);
    expect(installed.body.error.details.map((d: { field: string }) => d.field)).toEqual([
      'config.refuse_events_older_than_hours',
    ]);
    // 0 turns it off again.
    const off = await admin('PATCH', `/v1/admin/integrations/${strictId}`, {
      config: { refuse_events_older_than_hours: 0 },
    });
    expect(off.status).toBe(200);
    expect(off.body.config.refuse_events_older_than_hours).toBe(0);
  });
});
