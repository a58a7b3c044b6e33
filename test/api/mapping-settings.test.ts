import { deliveryEventId } from '../../src/customerio/event-id';
import { type DeliveryHarness, startDeliveryHarness } from '../support/delivery-harness';
import { httpClient } from '../support/http';

/** The mapping settings (issue 10) through the management API: validated on install and PATCH, and obeyed by intake. */
describe('mapping settings', () => {
  let h: DeliveryHarness;
  const responses: string[] = [];
  const call = httpClient(() => h.baseUrl, responses);
  const creds = { siteId: 'mapping-site', apiKey: 'mapping-track-key-1' };
  let n = 0;

  beforeAll(async () => {
    h = await startDeliveryHarness({ api: true });
    h.us.acceptCredentials(creds);
  });
  afterAll(() => h.close());
  beforeEach(() => h.us.clear());

  const install = (config: Record<string, unknown>) =>
    h.installThroughApi({ name: `mapping ${++n}`, credentials: creds, appKey: 'mapping-app-key', config });

  test('install refuses malformed mapping settings with 422, each field named', async () => {
    const res = await install({
      object_type_id: 'companies',
      anonymous_events: 'yes',
      convert_timestamps: 1,
      device_events: 'Application Installed',
      object_delete_events: [''],
    });
    responses.push(res.text);
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('VALIDATION_FAILED');
    expect(res.body.error.details.map((d: { field: string }) => d.field)).toEqual(
      expect.arrayContaining([
        'config.object_type_id',
        'config.anonymous_events',
        'config.convert_timestamps',
        'config.device_events',
        'config.object_delete_events.0',
      ]),
    );
    expect(res.text).not.toContain(creds.apiKey);
  });

  test('settings given on install are stored as given; PATCH validates them and deliveries obey the new ones', async () => {
    const installed = await install({ object_type_id: 7, object_delete_events: ['Company Removed'] });
    responses.push(installed.text);
    expect(installed.status).toBe(201);
    expect(installed.body.config).toMatchObject({
      object_type_id: '7',
      object_delete_events: ['Company Removed'],
      anonymous_events: false,
    });
    const id: string = installed.body.id;

    const bad = await call('PATCH', `/v1/admin/integrations/${id}`, {
      token: h.adminToken,
      body: { config: { anonymous_events: 'on', object_type_id: 0 } },
    });
    expect(bad.status).toBe(422);
    expect(bad.body.error.details.map((d: { field: string }) => d.field)).toEqual(
      expect.arrayContaining(['config.anonymous_events', 'config.object_type_id']),
    );

    // An anonymous event fails for want of a person until the integration sends anonymous events.
    const anonymous = (messageId: string) => ({
      type: 'track',
      event: 'Viewed Pricing',
      anonymousId: 'anon-mapping',
      messageId,
      timestamp: '2026-11-29T10:00:00Z',
    });
    const first = await call('POST', '/v1/events', { token: h.pipelineKey, body: anonymous(`m-${n}-a`) });
    const firstRun = first.body.deliveries.find((d: { integration_id: string }) => d.integration_id === id);
    await expect(h.client.workflow.getHandle(firstRun.workflow_id).result()).rejects.toMatchObject({
      cause: { type: 'MissingCustomerIdentifier' },
    });

    const ok = await call('PATCH', `/v1/admin/integrations/${id}`, {
      token: h.adminToken,
      body: { config: { anonymous_events: true } },
    });
    expect(ok.status).toBe(200);
    expect(ok.body.config).toMatchObject({ anonymous_events: true, object_type_id: '7' });

    const messageId = `m-${n}-b`;
    const second = await call('POST', '/v1/events', { token: h.pipelineKey, body: anonymous(messageId) });
    const run = second.body.deliveries.find((d: { integration_id: string }) => d.integration_id === id);
    expect(await h.client.workflow.getHandle(run.workflow_id).result()).toMatchObject({ status: 'delivered' });
    const sent = h.us.requests.find((r) => r.path === '/api/v1/events');
    expect(sent?.json).toEqual({
      name: 'Viewed Pricing',
      id: deliveryEventId(id, messageId, Date.parse('2026-11-29T10:00:00Z')),
      timestamp: Date.parse('2026-11-29T10:00:00Z') / 1000,
      data: {},
      anonymous_id: 'anon-mapping',
    });

    // The integration's own object-deletion event name and object type.
    const removal = await call('POST', '/v1/events', {
      token: h.pipelineKey,
      body: { type: 'track', event: 'Company Removed', userId: 'u-1', properties: { objectId: 'acme' } },
    });
    const removalRun = removal.body.deliveries.find((d: { integration_id: string }) => d.integration_id === id);
    expect(await h.client.workflow.getHandle(removalRun.workflow_id).result()).toMatchObject({ status: 'delivered' });
    expect(h.us.requests.find((r) => r.path === '/api/v2/entity')?.json).toEqual({
      type: 'object',
      action: 'delete',
      identifiers: { object_type_id: '7', object_id: 'acme' },
    });
  });
});
