import { ApplicationFailure, WorkflowFailedError } from '@temporalio/client';
import { type DeliveryHarness, startDeliveryHarness } from '../support/delivery-harness';
import { httpClient } from '../support/http';
import { eventually } from '../support/temporal';
import { deadline } from '../support/wait';

const basic = (c: { siteId: string; apiKey: string }) =>
  `Basic ${Buffer.from(`${c.siteId}:${c.apiKey}`).toString('base64')}`;

/** A 401/403 parks the delivery until the integration gets new credentials, instead of failing it. */
describe('deliveries waiting for fixed credentials', () => {
  let h: DeliveryHarness;
  const call = httpClient(() => h.baseUrl);
  const admin = (method: string, path: string, body?: unknown) =>
    call(method, path, { token: h.adminToken, ...(body !== undefined ? { body } : {}) });
  beforeAll(async () => {
    h = await startDeliveryHarness({ api: true });
  });
  afterAll(() => h.close());
  /** The integration's one delivery waiting for credentials, once the delivery list shows it. */
  const parkedDelivery = (integrationId: string) =>
    eventually(async () => {
      const res = await admin(
        'GET',
        `/v1/admin/deliveries?integration_id=${integrationId}&status=awaiting_credentials`,
      );
      return res.body.data.length === 1 ? (res.body.data[0] as Record<string, unknown>) : undefined;
    }, 'the delivery to be parked');

  test('park on 401, PATCH new credentials, delivered with them', async () => {
    const oldKey = { siteId: 'cw-site', apiKey: 'cw-old-key' };
    const newKey = { siteId: 'cw-site', apiKey: 'cw-new-key' };
    h.us.acceptCredentials(oldKey);
    const installed = await h.installThroughApi({ name: 'Rotating', credentials: oldKey, appKey: 'cw-app' });
    expect(installed.status).toBe(201);
    const integrationId = installed.body.id as string;
    h.us.acceptCredentials(newKey); // someone rotated the key in Customer.io: the stored one is now refused
    h.us.clear();

    const sent = await call('POST', '/v1/events', {
      token: h.pipelineKey,
      body: { type: 'track', event: 'Parked', userId: 'cw-user', messageId: `cw-${Date.now()}` },
    });
    const workflowId = sent.body.deliveries[0].workflow_id as string;
    const parked = await eventually(async () => {
      const res = await admin(
        'GET',
        `/v1/admin/deliveries?integration_id=${integrationId}&status=awaiting_credentials`,
      );
      return res.body.data.length === 1 ? res.body.data[0] : undefined;
    }, 'the delivery to be parked');
    expect(parked).toMatchObject({
      workflow_id: workflowId,
      execution_status: 'running',
      http_status: 401,
      last_error: {
        type: 'CustomerIoUnauthorized',
        message: expect.stringContaining(
          'invalid Site ID or API key: verify the credentials in Customer.io Settings > API Credentials and update the integration config',
        ),
      },
    });
    expect((await admin('GET', `/v1/admin/integrations/${integrationId}`)).body.parked_deliveries).toBe(1);
    expect(h.us.requests.filter((r) => r.path.endsWith('/events'))).toHaveLength(1);

    const patched = await admin('PATCH', `/v1/admin/integrations/${integrationId}`, {
      config: { tracking_api_key: newKey.apiKey },
    });
    expect(patched.status).toBe(200);
    expect(patched.body.revision.revision_number).toBe(2);

    const result = await h.client.workflow.getHandle(workflowId).result();
    expect(result).toMatchObject({ status: 'delivered', httpStatus: 200, attempts: 2 });
    const attempts = h.us.requests.filter((r) => r.path === '/api/v1/customers/cw-user/events');
    expect(attempts.map((r) => r.headers.authorization)).toEqual([basic(oldKey), basic(newKey)]);
    expect(attempts[0]!.body).toBe(attempts[1]!.body);

    const record = await admin('GET', `/v1/admin/deliveries/${encodeURIComponent(workflowId)}`);
    expect(
      record.body.attempts_detail.map((a: { credentials_revision: number; response: { status: number } }) => [
        a.credentials_revision,
        a.response.status,
      ]),
    ).toEqual([
      [1, 401],
      [2, 200],
    ]);
    expect(record.body.timeline.map((t: { what: string }) => t.what)).toEqual(
      expect.arrayContaining([
        'attempt',
        'checked credentials',
        'waiting for credentials',
        'credentials updated',
        'delivered',
      ]),
    );
    await eventually(
      async () =>
        (await admin('GET', `/v1/admin/integrations/${integrationId}`)).body.parked_deliveries === 0 ? true : undefined,
      'no parked deliveries',
    );
  });

  test('a PATCH with a key Customer.io refuses is 422 and leaves parked deliveries parked; a good one wakes them', async () => {
    const oldKey = { siteId: 'cwbad-site', apiKey: 'cwbad-old-key' };
    const newKey = { siteId: 'cwbad-site', apiKey: 'cwbad-new-key' };
    const { id: integrationId } = await h.createIntegration({ credentials: oldKey });
    h.us.acceptCredentials(newKey);
    h.us.clear();
    const { workflowId } = await h.deliver(integrationId, {
      type: 'track',
      event: 'Parked',
      userId: 'cwbad-user',
      messageId: `cwbad-${Date.now()}`,
    });
    await parkedDelivery(integrationId);

    const refused = await admin('PATCH', `/v1/admin/integrations/${integrationId}`, {
      config: { tracking_api_key: 'cwbad-wrong-key' },
    });
    expect(refused.status).toBe(422);
    expect(refused.body.error.code).toBe('INVALID_CREDENTIALS');
    const check = h.us.requests.find((r) => r.path === '/api/v1/accounts/region');
    expect(check!.headers.authorization).toBe(basic({ siteId: oldKey.siteId, apiKey: 'cwbad-wrong-key' }));
    const after = await admin('GET', `/v1/admin/integrations/${integrationId}`);
    expect(after.body).toMatchObject({ revision: { revision_number: 1 }, parked_deliveries: 1 });

    const fixed = await admin('PATCH', `/v1/admin/integrations/${integrationId}`, {
      config: { tracking_api_key: newKey.apiKey },
    });
    expect(fixed.status).toBe(200);
    expect(fixed.body.revision.revision_number).toBe(2);
    expect(await h.client.workflow.getHandle(workflowId).result()).toMatchObject({ status: 'delivered', attempts: 2 });
    // No attempt with the refused key: the rejected PATCH stored nothing and woke nobody.
    const attempts = h.us.requests.filter((r) => r.path === '/api/v1/customers/cwbad-user/events');
    expect(attempts.map((r) => r.headers.authorization)).toEqual([basic(oldKey), basic(newKey)]);
  });

  describe.each([
    ['disabled', 'integration_disabled', { method: 'PATCH', body: { enabled: false } }],
    ['deleted', 'integration_deleted', { method: 'DELETE', body: undefined }],
  ] as const)('an integration %s while a delivery waits', (what, reason, change) => {
    test(`ends the parked delivery at once as filtered (${reason}), without another attempt`, async () => {
      const key = { siteId: `cw-${what}-site`, apiKey: `cw-${what}-key` };
      const { id: integrationId } = await h.createIntegration({ credentials: key });
      h.us.acceptCredentials({ siteId: key.siteId, apiKey: `cw-${what}-someone-elses-key` });
      h.us.clear();
      const userId = `cw-${what}-user`;
      const { workflowId } = await h.deliver(integrationId, {
        type: 'track',
        event: 'Parked',
        userId,
        messageId: `cw-${what}-${Date.now()}`,
      });
      await parkedDelivery(integrationId);

      const changed = await admin(change.method, `/v1/admin/integrations/${integrationId}`, change.body);
      expect(changed.status).toBe(change.method === 'DELETE' ? 204 : 200);
      // Well inside the hourly re-check a parked delivery would otherwise wait for.
      const result = await deadline(
        h.client.workflow.getHandle(workflowId).result(),
        20_000,
        () => `the parked delivery to end after its integration was ${what}`,
      );
      // The second attempt found the integration unusable and sent nothing.
      expect(result).toMatchObject({ status: 'filtered', reason, attempts: 2 });
      expect(h.us.requests.filter((r) => r.path === `/api/v1/customers/${userId}/events`)).toHaveLength(1);

      const record = await admin('GET', `/v1/admin/deliveries/${encodeURIComponent(workflowId)}`);
      expect(record.body.outcome).toMatchObject({ status: 'filtered', result: { reason } });
      expect(record.body.timeline.map((t: { what: string }) => t.what)).toEqual(
        expect.arrayContaining(['waiting for credentials', 'integration disabled or deleted', 'filtered']),
      );
      await eventually(async () => {
        const res = await admin('GET', `/v1/admin/deliveries?integration_id=${integrationId}&status=filtered`);
        return res.body.data.some((d: { workflow_id: string }) => d.workflow_id === workflowId) ? true : undefined;
      }, 'DeliveryStatus=filtered in the delivery list');
      if (what === 'deleted') return;

      // Nothing is held: fixing the key and re-enabling leaves nothing parked, and a replay delivers the event.
      const fixedKey = { siteId: key.siteId, apiKey: `cw-${what}-someone-elses-key` };
      const fixed = await admin('PATCH', `/v1/admin/integrations/${integrationId}`, {
        enabled: true,
        config: { tracking_api_key: fixedKey.apiKey },
      });
      expect(fixed.status).toBe(200);
      expect(fixed.body.enabled).toBe(true);
      expect((await admin('GET', `/v1/admin/integrations/${integrationId}`)).body.parked_deliveries).toBe(0);
      const replay = await admin('POST', `/v1/admin/deliveries/${encodeURIComponent(workflowId)}/replay`, {
        include_delivered: true,
      });
      expect(replay.status).toBe(202);
      expect(await h.client.workflow.getHandle(replay.body.workflow_id, replay.body.run_id).result()).toMatchObject({
        status: 'delivered',
      });
      const sent = h.us.requests.filter((r) => r.path === `/api/v1/customers/${userId}/events`);
      expect(sent.map((r) => r.headers.authorization)).toEqual([basic(key), basic(fixedKey)]);
    });
  });

  test('after the wait a parked delivery fails with the troubleshooting text, and stays replayable', async () => {
    const key = { siteId: 'cw2-site', apiKey: 'cw2-key' };
    const integration = await h.createIntegration({ region: 'us', credentials: key });
    h.us.acceptCredentials({ siteId: key.siteId, apiKey: 'cw2-someone-elses-key' });
    const started = await h.deliver(
      integration.id,
      { type: 'identify', userId: 'cw2-user', messageId: `cw2-${Date.now()}`, traits: { plan: 'x' } },
      { retry: { awaitCredentialsMs: 1_500 } },
    );
    const err = await h.client.workflow
      .getHandle(started.workflowId)
      .result()
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WorkflowFailedError);
    const failure = (err as WorkflowFailedError).cause as ApplicationFailure;
    expect(failure.type).toBe('CustomerIoUnauthorized');
    expect(failure.message).toContain(
      'verify the credentials in Customer.io Settings > API Credentials and update the integration config',
    );
    expect(failure.message).toContain('No new credentials arrived within');

    h.us.acceptCredentials(key); // fixed on Customer.io's side this time
    const replay = await eventually(async () => {
      const res = await admin('POST', `/v1/admin/deliveries/${encodeURIComponent(started.workflowId)}/replay`, {});
      return res.status === 202 ? res : undefined;
    }, 'the replay to start');
    expect(await h.client.workflow.getHandle(replay.body.workflow_id, replay.body.run_id).result()).toMatchObject({
      status: 'delivered',
    });
  });
});
