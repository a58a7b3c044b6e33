import { toDeliveryInput } from '../../src/client/start-delivery';
import { planDelivery } from '../../src/customerio/actions';
import { CustomerIoConfigSchema, type PublicConfig } from '../../src/customerio/config';
import { deliveryEventId } from '../../src/customerio/event-id';
import type { SignalEvent } from '../../src/shared/event';

const NOW = Date.parse('2026-03-01T00:00:00Z');
const T = NOW / 1000;
const base = CustomerIoConfigSchema.parse({ site_id: 's', api_key: 'a', tracking_api_key: 't', region: 'us' });

/** The planner as a delivery runs it, for an integration with these settings. */
function plan(event: Omit<SignalEvent, 'messageId'>, settings: Partial<PublicConfig> = {}) {
  const input = toDeliveryInput('int_1', { messageId: 'm-1', ...event } as SignalEvent, {
    now: () => new Date(NOW),
    config: { ...base, ...settings },
  });
  return planDelivery(input);
}
const request = (event: Omit<SignalEvent, 'messageId'>, settings: Partial<PublicConfig> = {}) => {
  const planned = plan(event, settings);
  if (!planned.ok) throw new Error(`refused: ${planned.message}`);
  return planned.request;
};
const ID = deliveryEventId('int_1', 'm-1', NOW);

describe('one module per Customer.io action', () => {
  test('screen → a screen view named by the screen', () => {
    expect(request({ type: 'screen', userId: 'u', name: 'Home', properties: { tab: 'feed' } })).toEqual({
      operation: 'screen',
      method: 'POST',
      path: '/api/v1/customers/u/events',
      body: { name: 'Home', type: 'screen', id: ID, timestamp: T, data: { tab: 'feed' } },
    });
  });

  test('group → creates the object on v2 /entity, related to the person, with the integration object type', () => {
    expect(
      request(
        { type: 'group', userId: 'u@x.io', groupId: 'acme', traits: { name: 'Acme', founded: '2001-02-03' } },
        { object_type_id: '4' },
      ),
    ).toEqual({
      operation: 'object',
      method: 'POST',
      path: '/api/v2/entity',
      body: {
        type: 'object',
        action: 'identify',
        identifiers: { object_type_id: '4', object_id: 'acme' },
        attributes: { name: 'Acme', founded: 981158400 },
        cio_relationships: [{ identifiers: { email: 'u@x.io' } }],
      },
    });
  });

  test('group from an anonymous visitor identifies the object anonymously, related to that anonymous profile', () => {
    expect(
      request({
        type: 'group',
        anonymousId: 'anon-1',
        groupId: '7',
        traits: { objectAttributes: { plan: 'pro' }, object_type_id: '2' },
      }).body,
    ).toEqual({
      type: 'object',
      action: 'identify_anonymous',
      identifiers: { object_type_id: '2', object_id: '7' },
      attributes: { plan: 'pro' },
      cio_relationships: [{ identifiers: { anonymous_id: 'anon-1' } }],
    });
  });

  test.each(['add_relationships', 'delete_relationships'])(
    'group with traits.action %s changes only the relationship',
    (action) => {
      const req = request({
        type: 'group',
        userId: 'cio_abc',
        groupId: 'g',
        traits: { action, relationshipAttributes: { role: 'admin' } },
      });
      expect(req).toMatchObject({ operation: 'relationship', path: '/api/v2/entity' });
      expect(req.body).toMatchObject({
        action,
        cio_relationships: [{ identifiers: { cio_id: 'abc' }, relationship_attributes: { role: 'admin' } }],
      });
    },
  );

  test('identify with traits.objectId relates the person to that object', () => {
    expect(
      request({ type: 'identify', userId: 'u', traits: { objectId: 'g1', relationshipAttributes: { role: 'owner' } } })
        .body,
    ).toMatchObject({
      objectId: 'g1',
      cio_relationships: {
        action: 'add_relationships',
        relationships: [
          { identifiers: { object_type_id: '1', object_id: 'g1' }, relationship_attributes: { role: 'owner' } },
        ],
      },
    });
  });

  test('alias → merges previousId into userId', () => {
    expect(request({ type: 'alias', userId: 'new@x.io', previousId: 'old-1' })).toEqual({
      operation: 'merge',
      method: 'POST',
      path: '/api/v1/merge_customers',
      body: { primary: { email: 'new@x.io' }, secondary: { id: 'old-1' } },
    });
  });

  test('a device event with a token adds the device; without one it is an ordinary event', () => {
    const context = {
      device: { token: 'tok-1', type: 'iOS', model: 'iPhone15,2' },
      app: { version: '3.1.0' },
      os: { version: '17.2' },
    };
    expect(request({ type: 'track', event: 'Application Opened', userId: 'u', context })).toEqual({
      operation: 'device_add',
      method: 'PUT',
      path: '/api/v1/customers/u/devices',
      body: {
        device: {
          id: 'tok-1',
          last_used: T,
          platform: 'ios',
          attributes: { app_version: '3.1.0', device_model: 'iPhone15,2', device_os: '17.2' },
        },
      },
    });
    expect(request({ type: 'track', event: 'Application Opened', userId: 'u' }).operation).toBe('track');
  });

  test('device events are the integration’s own names when it sets them', () => {
    const context = { device: { token: 'tok-1', type: 'android' } };
    expect(
      request(
        { type: 'track', event: 'Push Token Registered', userId: 'u', context },
        { device_events: ['Push Token Registered'] },
      ).operation,
    ).toBe('device_add');
    expect(
      request(
        { type: 'track', event: 'Application Opened', userId: 'u', context },
        { device_events: ['Push Token Registered'] },
      ).operation,
    ).toBe('track');
  });

  test('device removal → DELETE …/devices/{token}; without a token it is refused', () => {
    expect(
      request({ type: 'track', event: 'Application Uninstalled', userId: 'u', context: { device: { token: 'a/b' } } }),
    ).toEqual({
      operation: 'device_delete',
      method: 'DELETE',
      path: '/api/v1/customers/u/devices/a%2Fb',
    });
    expect(plan({ type: 'track', event: 'Application Uninstalled', userId: 'u' })).toMatchObject({
      ok: false,
      failureType: 'InvalidEvent',
    });
  });

  test('a device event from someone not identified yet is their anonymous event when the integration sends those', () => {
    const event = {
      type: 'track' as const,
      event: 'Application Installed',
      anonymousId: 'anon-3',
      context: { device: { token: 'tok-9' } },
      properties: { from_background: false },
    };
    expect(request(event, { anonymous_events: true })).toEqual({
      operation: 'anonymous_event',
      method: 'POST',
      path: '/api/v1/events',
      body: {
        name: 'Application Installed',
        id: ID,
        timestamp: T,
        data: { from_background: false },
        anonymous_id: 'anon-3',
      },
    });
    expect(plan(event)).toMatchObject({ ok: false, failureType: 'MissingCustomerIdentifier' });
    // Removing a device needs its person: no anonymous fallback.
    expect(plan({ ...event, event: 'Application Uninstalled' }, { anonymous_events: true })).toMatchObject({
      ok: false,
      failureType: 'MissingCustomerIdentifier',
    });
  });

  test('an object deletion event deletes the object on v2 /entity, of its own type or the integration’s', () => {
    expect(
      request({
        type: 'track',
        event: 'Object Deleted',
        userId: 'u',
        properties: { objectId: 'acme', objectTypeId: '2' },
      }),
    ).toEqual({
      operation: 'object_delete',
      method: 'POST',
      path: '/api/v2/entity',
      body: { type: 'object', action: 'delete', identifiers: { object_type_id: '2', object_id: 'acme' } },
    });
    const other = request(
      { type: 'track', event: 'Company Removed', properties: { objectId: 7, objectTypeId: { no: 1 } } },
      { object_delete_events: ['Company Removed'], object_type_id: '4' },
    );
    expect(other.body).toEqual({
      type: 'object',
      action: 'delete',
      identifiers: { object_type_id: '4', object_id: '7' },
    });
    expect(plan({ type: 'track', event: 'Object Deleted', userId: 'u', properties: {} })).toMatchObject({
      ok: false,
      failureType: 'InvalidEvent',
      message: expect.stringContaining('properties.objectId'),
    });
  });

  test('an email needs a dot in its domain: `user@1` is addressed as an id, as both peers read it', () => {
    const group = (userId: string) =>
      request({ type: 'group', userId, groupId: 'g1' }).body?.cio_relationships as { identifiers: unknown }[];
    expect(group('user@1')[0]!.identifiers).toEqual({ id: 'user@1' });
    expect(group('ann@example.com')[0]!.identifiers).toEqual({ email: 'ann@example.com' });
    expect(plan({ type: 'track', event: 'x', traits: { email: 'not@mail' } })).toMatchObject({
      ok: false,
      failureType: 'MissingCustomerIdentifier',
    });
  });

  test.each([
    ['User Deleted', 'DELETE', '/api/v1/customers/u'],
    ['User Suppressed', 'POST', '/api/v1/customers/u/suppress'],
    ['User Unsuppressed', 'POST', '/api/v1/customers/u/unsuppress'],
  ])('%s → %s %s', (event, method, path) => {
    const req = request({ type: 'track', event, userId: 'u' });
    expect([req.method, req.path, req.body]).toEqual([method, path, undefined]);
  });

  test('an anonymous event goes to /api/v1/events with anonymous_id when the integration sends them; else it fails', () => {
    const event = {
      type: 'track' as const,
      event: 'Viewed Pricing',
      anonymousId: 'anon-9',
      properties: { plan: 'pro' },
    };
    expect(request(event, { anonymous_events: true })).toEqual({
      operation: 'anonymous_event',
      method: 'POST',
      path: '/api/v1/events',
      body: { name: 'Viewed Pricing', id: ID, timestamp: T, data: { plan: 'pro' }, anonymous_id: 'anon-9' },
    });
    expect(plan(event)).toMatchObject({ ok: false, failureType: 'MissingCustomerIdentifier' });
  });

  test.each([
    { type: 'track' as const, event: 'Viewed Pricing', properties: { plan: 'pro', at: '2026-01-01T00:00:00Z' } },
    { type: 'page' as const, properties: { url: `https://a.example/${'p'.repeat(120)}?q=1` }, context: { page: {} } },
    { type: 'screen' as const, name: 'Home', properties: { tab: 'feed' } },
  ])('an anonymous $type is the body its own action sends, plus anonymous_id', (event) => {
    const known = request({ ...event, userId: 'u' });
    const anonymous = request({ ...event, anonymousId: 'anon-9' }, { anonymous_events: true });
    expect(anonymous.body).toEqual({ ...known.body, anonymous_id: 'anon-9' });
    expect(JSON.stringify(anonymous.body)).toBe(JSON.stringify({ ...known.body, anonymous_id: 'anon-9' }));
  });
});

describe('mapping fixes the peers’ cases showed', () => {
  test('ISO dates in attributes and event data become unix seconds, at any depth, unless convert_timestamps is off', () => {
    const traits = {
      birthday: '1990-01-01T00:00:00.000Z',
      nested: { at: '2019-02-01' },
      phone: '4155551212',
      spoken: '25 Mar 2015',
    };
    expect(request({ type: 'identify', userId: 'u', traits }).body).toMatchObject({
      birthday: 631152000,
      nested: { at: 1548979200 },
      phone: '4155551212',
      spoken: '25 Mar 2015',
    });
    expect(request({ type: 'identify', userId: 'u', traits }, { convert_timestamps: false }).body).toMatchObject(
      traits,
    );
    expect(
      request({ type: 'track', event: 'E', userId: 'u', properties: { at: '2026-01-01T00:00:00Z' } }).body,
    ).toMatchObject({ data: { at: 1767225600 } });
  });

  test('an email-keyed identify still merges the anonymous profile', () => {
    expect(request({ type: 'identify', anonymousId: 'anon', traits: { email: 'g@x.io' } }).body).toMatchObject({
      email: 'g@x.io',
      anonymous_id: 'anon',
    });
  });

  test.each<[string, Record<string, unknown>, Record<string, unknown>]>([
    [
      'an unparseable created_at is kept under its own key',
      { created_at: 'last tuesday' },
      { created_at: 'last tuesday' },
    ],
    ['an unparseable createdAt is kept under its own key', { createdAt: 'soon' }, { createdAt: 'soon' }],
    ['an empty created_at is dropped', { created_at: '' }, {}],
    [
      'a valid createdAt becomes created_at in unix seconds',
      { createdAt: '2024-01-02T03:04:05Z' },
      { created_at: 1704164645 },
    ],
  ])('%s', (_name, traits, expected) => {
    const { _timestamp, ...body } = request({ type: 'identify', userId: 'u', traits }).body!;
    expect(body).toEqual(expected);
  });

  test('a page is named by properties.url, else context.page.url, and data.url always agrees', () => {
    const both = request({
      type: 'page',
      userId: 'u',
      properties: { url: 'https://a/p' },
      context: { page: { url: 'https://a/c' } },
    }).body!;
    expect([both.name, (both.data as { url: string }).url]).toEqual(['https://a/p', 'https://a/p']);
    const contextOnly = request({
      type: 'page',
      userId: 'u',
      context: { page: { url: 'https://a/c', title: 'C' } },
    }).body!;
    expect([contextOnly.name, contextOnly.data]).toEqual(['https://a/c', { title: 'C', url: 'https://a/c' }]);
  });

  test('the id trait goes along when the person is addressed by cio_ id or email, which is how an id is changed', () => {
    expect(request({ type: 'identify', userId: 'cio_123', traits: { id: 'new-id' } }).body).toMatchObject({
      id: 'new-id',
    });
    expect(request({ type: 'identify', userId: 'a@b.io', traits: { id: 'new-id' } }).body).toMatchObject({
      id: 'new-id',
      email: 'a@b.io',
    });
    expect(request({ type: 'identify', userId: 'plain', traits: { id: 'other' } }).body).not.toHaveProperty('id');
  });

  test.each<[string, Partial<SignalEvent>, string]>([
    ['traits.userId', { traits: { userId: 't-uid' } }, 't-uid'],
    ['traits.id', { traits: { id: 't-id' } }, 't-id'],
    ['context.traits.id', { context: { traits: { id: 'c-id' } } }, 'c-id'],
    [
      'context.externalId of type email',
      { context: { externalId: [{ id: 'x@y.io', identifierType: 'email', type: 'CUSTOMERIO-customers' }] } },
      'x@y.io',
    ],
    [
      'context.externalId of type userId',
      { context: { externalId: [{ id: 'ext-1', type: 'CUSTOMERIO-userId' }] } },
      'ext-1',
    ],
  ])('without a userId the customer id comes from %s', (_name, fields, expected) => {
    expect(plan({ type: 'track', event: 'E', ...fields })).toMatchObject({ ok: true, customerId: expected });
  });
});
