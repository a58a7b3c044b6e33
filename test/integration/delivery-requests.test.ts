import { deliveryEventId } from '../../src/customerio/event-id';
import type { Region } from '../../src/customerio/regions';
import type { DeliveryResult } from '../../src/shared/delivery';
import { DeliveryStatusKey, HttpStatusKey, CustomerIdKey, EventNameKey } from '../../src/shared/search-attributes';
import { type DeliveryHarness, startDeliveryHarness } from '../support/delivery-harness';

/** Every event type × both regions: the request Customer.io receives, byte for byte where it matters. */
describe.each<Region>(['us', 'eu'])('delivery requests, region %s', (region) => {
  let h: DeliveryHarness;
  let integrationId: string;
  let basicAuth: string;
  beforeAll(async () => {
    h = await startDeliveryHarness();
    const created = await h.createIntegration({ region });
    integrationId = created.id;
    basicAuth =
      'Basic ' + Buffer.from(`${created.credentials.siteId}:${created.credentials.apiKey}`).toString('base64');
  });
  afterAll(() => h.close());
  beforeEach(() => {
    h.us.clear();
    h.eu.clear();
  });

  const here = () => (region === 'us' ? h.us : h.eu);
  const other = () => (region === 'us' ? h.eu : h.us);

  async function deliverAndWait(event: Parameters<DeliveryHarness['deliver']>[1]): Promise<DeliveryResult> {
    const started = await h.deliver(integrationId, event);
    expect(started.status).toBe('started');
    return h.client.workflow.getHandle(started.workflowId).result();
  }

  test('identify creates or updates the person with its traits', async () => {
    const result = await deliverAndWait({
      type: 'identify',
      userId: 'user-42',
      anonymousId: 'anon-7',
      messageId: `msg-identify-${region}`,
      timestamp: '2026-02-25T14:30:00.123Z',
      traits: { email: 'ada@example.com', name: 'Ada', plan: 'pro', createdAt: '2024-01-02T03:04:05Z' },
    });

    expect(result).toEqual({
      status: 'delivered',
      operation: 'identify',
      customerId: 'user-42',
      httpStatus: 200,
      attempts: 1,
    });
    expect(other().requests).toHaveLength(0);
    const [req] = here().requests;
    expect(here().requests).toHaveLength(1);
    expect(req!.method).toBe('PUT');
    expect(req!.path).toBe('/api/v1/customers/user-42');
    expect(req!.headers.authorization).toBe(basicAuth);
    expect(req!.headers['content-type']).toBe('application/json');
    expect(req!.json).toEqual({
      email: 'ada@example.com',
      name: 'Ada',
      plan: 'pro',
      created_at: 1704164645,
      anonymous_id: 'anon-7',
      _timestamp: 1772029800,
    });
  });

  test('identify by email alone addresses the person by email', async () => {
    const result = await deliverAndWait({
      type: 'identify',
      anonymousId: 'anon-8',
      messageId: `msg-identify-email-${region}`,
      timestamp: 1772029800,
      traits: { email: 'grace@example.com', created_at: 1704164645 },
    });
    expect(result).toMatchObject({ status: 'delivered', customerId: 'grace@example.com' });
    const [req] = here().requests;
    expect(req!.path).toBe('/api/v1/customers/grace%40example.com');
    // Keyed by email, the anonymous profile is still merged into the person.
    expect(req!.json).toEqual({
      email: 'grace@example.com',
      created_at: 1704164645,
      anonymous_id: 'anon-8',
      _timestamp: 1772029800,
    });
  });

  test('track sends a custom event with a deterministic ULID id and unix-second timestamp', async () => {
    const messageId = `msg-track-${region}`;
    const result = await deliverAndWait({
      type: 'track',
      event: '  Order Completed ',
      userId: 'user/42@shop',
      messageId,
      timestamp: '2026-02-25T14:30:00.6527521Z',
      properties: { order_id: 'ORD-1', total: 129.99, items: [{ sku: 'A' }] },
    });
    expect(result).toEqual({
      status: 'delivered',
      operation: 'track',
      customerId: 'user/42@shop',
      httpStatus: 200,
      attempts: 1,
      // Its timestamp is months old: delivered, and flagged as too late to start a campaign.
      late: { ageHours: expect.any(Number), thresholdHours: 72 },
    });
    expect((result as { late: { ageHours: number } }).late.ageHours).toBeGreaterThan(72);
    const [req] = here().requests;
    expect(req!.method).toBe('POST');
    expect(req!.path).toBe('/api/v1/customers/user%2F42%40shop/events');
    expect(req!.headers.authorization).toBe(basicAuth);
    expect(req!.json).toEqual({
      name: 'Order Completed',
      id: deliveryEventId(integrationId, messageId, Date.parse('2026-02-25T14:30:00.652Z')),
      timestamp: 1772029800,
      data: { order_id: 'ORD-1', total: 129.99, items: [{ sku: 'A' }] },
    });
    expect((req!.json as { id: string }).id).toMatch(/^[0-7][0-9A-HJKMNP-TV-Z]{25}$/);
  });

  test('page sends a page event named by URL with title, referrer, path and search', async () => {
    const messageId = `msg-page-${region}`;
    const result = await deliverAndWait({
      type: 'page',
      name: 'Checkout',
      user_id: 'user-42',
      message_id: messageId,
      timestamp: '2026-02-25T15:30:00+01:00',
      context: {
        page: {
          url: 'https://shop.example.com/checkout?step=2',
          title: 'Checkout | Shop',
          referrer: 'https://shop.example.com/cart',
          path: '/checkout',
          search: '?step=2',
        },
      },
      properties: { variant: 'b' },
    });
    expect(result).toMatchObject({ status: 'delivered', operation: 'page', customerId: 'user-42', httpStatus: 200 });
    const [req] = here().requests;
    expect(req!.method).toBe('POST');
    expect(req!.path).toBe('/api/v1/customers/user-42/events');
    expect(req!.json).toEqual({
      name: 'https://shop.example.com/checkout?step=2',
      type: 'page',
      id: deliveryEventId(integrationId, messageId, Date.parse('2026-02-25T14:30:00Z')),
      timestamp: 1772029800,
      data: {
        title: 'Checkout | Shop',
        referrer: 'https://shop.example.com/cart',
        path: '/checkout',
        search: '?step=2',
        variant: 'b',
        // The URL the page is named by, so name and data never disagree.
        url: 'https://shop.example.com/checkout?step=2',
      },
    });
  });

  test('search attributes label the run for the Temporal UI', async () => {
    const started = await h.deliver(integrationId, {
      type: 'track',
      event: 'Signed Up',
      userId: 'user-sa',
      messageId: `msg-sa-${region}`,
    });
    await h.client.workflow.getHandle(started.workflowId).result();
    const description = await h.client.workflow.getHandle(started.workflowId).describe();
    const sa = description.typedSearchAttributes;
    expect(sa.get(DeliveryStatusKey)).toBe('delivered');
    expect(sa.get(HttpStatusKey)).toBe(200);
    expect(sa.get(CustomerIdKey)).toBe('user-sa');
    expect(sa.get(EventNameKey)).toBe('Signed Up');
  });

  describe('every other Customer.io action, through a real delivery', () => {
    const T = 1772029800;
    const cases: [
      string,
      Parameters<DeliveryHarness['deliver']>[1],
      { method: string; path: string; body?: unknown },
    ][] = [
      [
        'screen',
        { type: 'screen', userId: 'user-9', name: 'Settings', properties: { tab: 'privacy' }, timestamp: T },
        {
          method: 'POST',
          path: '/api/v1/customers/user-9/events',
          body: { name: 'Settings', type: 'screen', timestamp: T, data: { tab: 'privacy' } },
        },
      ],
      [
        'group (object)',
        { type: 'group', userId: 'user-9', groupId: 'acme', traits: { name: 'Acme' }, timestamp: T },
        {
          method: 'POST',
          path: '/api/v2/entity',
          body: {
            type: 'object',
            action: 'identify',
            identifiers: { object_type_id: '1', object_id: 'acme' },
            attributes: { name: 'Acme' },
            cio_relationships: [{ identifiers: { id: 'user-9' } }],
          },
        },
      ],
      [
        'alias (merge)',
        { type: 'alias', userId: 'user-9', previousId: 'guest-1', timestamp: T },
        {
          method: 'POST',
          path: '/api/v1/merge_customers',
          body: { primary: { id: 'user-9' }, secondary: { id: 'guest-1' } },
        },
      ],
      [
        'device add',
        {
          type: 'track',
          event: 'Application Installed',
          userId: 'user-9',
          context: { device: { token: 'push-1', type: 'android' } },
          timestamp: T,
        },
        {
          method: 'PUT',
          path: '/api/v1/customers/user-9/devices',
          body: { device: { id: 'push-1', platform: 'android', last_used: T } },
        },
      ],
      [
        'device delete',
        {
          type: 'track',
          event: 'Application Uninstalled',
          userId: 'user-9',
          context: { device: { token: 'push-1' } },
          timestamp: T,
        },
        { method: 'DELETE', path: '/api/v1/customers/user-9/devices/push-1' },
      ],
      [
        'object delete',
        {
          type: 'track',
          event: 'Object Deleted',
          userId: 'user-9',
          timestamp: T,
          properties: { objectId: 'acme', objectTypeId: '2' },
        },
        {
          method: 'POST',
          path: '/api/v2/entity',
          body: { type: 'object', action: 'delete', identifiers: { object_type_id: '2', object_id: 'acme' } },
        },
      ],
      [
        'person delete',
        { type: 'track', event: 'User Deleted', userId: 'user-9', timestamp: T },
        { method: 'DELETE', path: '/api/v1/customers/user-9' },
      ],
      [
        'suppress',
        { type: 'track', event: 'User Suppressed', userId: 'user-9', timestamp: T },
        { method: 'POST', path: '/api/v1/customers/user-9/suppress' },
      ],
      [
        'unsuppress',
        { type: 'track', event: 'User Unsuppressed', userId: 'user-9', timestamp: T },
        { method: 'POST', path: '/api/v1/customers/user-9/unsuppress' },
      ],
    ];

    test.each(cases)('%s', async (name, event, expected) => {
      const messageId = `msg-${name.replace(/\W+/g, '-')}-${region}`;
      const result = await deliverAndWait({ ...event, messageId });
      expect(result).toMatchObject({ status: 'delivered', httpStatus: 200, attempts: 1 });
      const [req] = here().requests;
      expect(here().requests).toHaveLength(1);
      expect(other().requests).toHaveLength(0);
      expect(req).toMatchObject({ method: expected.method, path: expected.path, authorized: true });
      expect(req!.headers.authorization).toBe(basicAuth);
      if (expected.body === undefined) expect(req!.body).toBe('');
      else expect(req!.json).toMatchObject(expected.body as object);
    });

    test('an anonymous event, when the integration sends them', async () => {
      const started = await h.deliver(
        integrationId,
        {
          type: 'track',
          event: 'Viewed Pricing',
          anonymousId: 'anon-42',
          messageId: `msg-anon-${region}`,
          timestamp: T,
        },
        { config: { anonymous_events: true } },
      );
      const result = await h.client.workflow.getHandle(started.workflowId).result();
      expect(result).toMatchObject({ status: 'delivered', operation: 'anonymous_event', customerId: 'anon-42' });
      const [req] = here().requests;
      expect(req).toMatchObject({ method: 'POST', path: '/api/v1/events', authorized: true });
      expect(req!.json).toMatchObject({ name: 'Viewed Pricing', anonymous_id: 'anon-42', timestamp: T });
    });

    test('a Customer.io 400 on a v2 object call fails with Customer.io’s own words', async () => {
      here().respondWith({
        status: 400,
        body: { errors: [{ reason: 'invalid', field: 'identifiers.object_id', message: 'too long' }] },
      });
      const started = await h.deliver(integrationId, {
        type: 'group',
        userId: 'user-9',
        groupId: 'g-400',
        messageId: `msg-g400-${region}`,
      });
      const failure = await h.client.workflow
        .getHandle(started.workflowId)
        .result()
        .catch((e: { cause?: { type?: string; message?: string } }) => e.cause);
      expect(failure).toMatchObject({
        type: 'CustomerIoRejected',
        message: expect.stringContaining('identifiers.object_id: too long'),
      });
    });
  });
});
