import { canonicalize, canonicalizeAll, type TrackRequest } from './canonical';
import { diffOperations } from './compare';

const HOST = 'track.customer.io';
const v1 = (method: string, path: string, body?: unknown): TrackRequest => ({ host: HOST, method, path, body });
const entity = (body: Record<string, unknown>): TrackRequest => v1('POST', '/api/v2/entity', body);
const batch = (...ops: Record<string, unknown>[]): TrackRequest => v1('POST', '/api/v2/batch', { batch: ops });

const differences = (a: TrackRequest[], b: TrackRequest[]) => diffOperations(canonicalizeAll(a), canonicalizeAll(b));

describe('canonical form: the same intent in v1 and v2 compares equal', () => {
  test.each<[string, TrackRequest[], TrackRequest[]]>([
    [
      'identify: the v1 body is the attributes, `_timestamp` the v2 op timestamp',
      [v1('PUT', '/api/v1/customers/abc123', { plan: 'pro', anonymous_id: 'anon', _timestamp: 1700000000 })],
      [
        entity({
          type: 'person',
          action: 'identify',
          identifiers: { id: 'abc123' },
          attributes: { plan: 'pro', anonymous_id: 'anon' },
          timestamp: 1700000000,
        }),
      ],
    ],
    [
      'an email-shaped path segment (URL-encoded) is an email identifier',
      [v1('PUT', '/api/v1/customers/ada%40example.com', { plan: 'pro' })],
      [
        entity({
          type: 'person',
          action: 'identify',
          identifiers: { email: 'ada@example.com' },
          attributes: { plan: 'pro' },
        }),
      ],
    ],
    [
      'a cio_ path segment is a cio_id, prefix dropped',
      [v1('PUT', '/api/v1/customers/cio_03000001', { email: 'new@example.com' })],
      [
        entity({
          type: 'person',
          action: 'identify',
          identifiers: { cio_id: '03000001' },
          attributes: { email: 'new@example.com' },
        }),
      ],
    ],
    [
      'an id or email attribute that restates the identifier changes nothing',
      [v1('PUT', '/api/v1/customers/Ada%40Example.com', { email: 'ada@example.com', name: 'Ada' })],
      [
        entity({
          type: 'person',
          action: 'identify',
          identifiers: { email: 'Ada@Example.com' },
          attributes: { name: 'Ada' },
        }),
      ],
    ],
    [
      "RudderStack's v2 `_timestamp` attribute is the op timestamp",
      [v1('PUT', '/api/v1/customers/u1', { plan: 'pro', _timestamp: 1571043797 })],
      [
        entity({
          type: 'person',
          action: 'identify',
          identifiers: { id: 'u1' },
          attributes: { plan: 'pro', _timestamp: 1571043797 },
        }),
      ],
    ],
    [
      'numeric v2 identifiers are the same person as their path spelling',
      [v1('PUT', '/api/v1/customers/432', { plan: 'pro' })],
      [entity({ type: 'person', action: 'identify', identifiers: { id: 432 }, attributes: { plan: 'pro' } })],
    ],
    [
      'event: v1 data is v2 attributes; type "event" is the default',
      [
        v1('POST', '/api/v1/customers/u%2F1/events', {
          name: 'Paid',
          type: 'event',
          id: '01HZ',
          timestamp: 1,
          data: { total: 5 },
        }),
      ],
      [
        entity({
          type: 'person',
          action: 'event',
          identifiers: { id: 'u/1' },
          name: 'Paid',
          id: '01HZ',
          timestamp: 1,
          attributes: { total: 5 },
        }),
      ],
    ],
    [
      'page view: v1 type "page" is the v2 page action',
      [v1('POST', '/api/v1/customers/u1/events', { name: 'https://a.example/', type: 'page', data: { title: 'A' } })],
      [
        entity({
          type: 'person',
          action: 'page',
          identifiers: { id: 'u1' },
          name: 'https://a.example/',
          attributes: { title: 'A' },
        }),
      ],
    ],
    [
      'screen view',
      [v1('POST', '/api/v1/customers/u1/events', { name: 'Home', type: 'screen' })],
      [entity({ type: 'person', action: 'screen', identifiers: { id: 'u1' }, name: 'Home' })],
    ],
    [
      'anonymous event: POST /api/v1/events with anonymous_id is an event addressed by anonymous_id',
      [v1('POST', '/api/v1/events', { anonymous_id: 'a1', name: 'Viewed', data: { x: 1 }, timestamp: 2 })],
      [
        entity({
          type: 'person',
          action: 'event',
          identifiers: { anonymous_id: 'a1' },
          name: 'Viewed',
          attributes: { x: 1 },
          timestamp: 2,
        }),
      ],
    ],
    [
      'device add: the v1 device id is the v2 token; v1 extra device keys are its attributes',
      [
        v1('PUT', '/api/v1/customers/u1/devices', {
          device: {
            id: 'tok',
            platform: 'ios',
            last_used: 3,
            app_version: '1.0',
            attributes: { push_enabled: 'true' },
          },
        }),
      ],
      [
        entity({
          type: 'person',
          action: 'add_device',
          identifiers: { id: 'u1' },
          device: {
            token: 'tok',
            platform: 'ios',
            last_used: 3,
            attributes: { app_version: '1.0', push_enabled: 'true' },
          },
        }),
      ],
    ],
    [
      'device delete',
      [v1('DELETE', '/api/v1/customers/u1/devices/tok%2F1')],
      [entity({ type: 'person', action: 'delete_device', identifiers: { id: 'u1' }, device: { token: 'tok/1' } })],
    ],
    [
      'merge',
      [v1('POST', '/api/v1/merge_customers', { primary: { id: 'new' }, secondary: { email: 'old@example.com' } })],
      [entity({ type: 'person', action: 'merge', primary: { id: 'new' }, secondary: { email: 'old@example.com' } })],
    ],
    [
      'delete, suppress, unsuppress',
      [
        v1('DELETE', '/api/v1/customers/u1'),
        v1('POST', '/api/v1/customers/u2/suppress'),
        v1('POST', '/api/v1/customers/u3/unsuppress'),
      ],
      [
        batch(
          { type: 'person', action: 'delete', identifiers: { id: 'u1' } },
          { type: 'person', action: 'suppress', identifiers: { id: 'u2' } },
          { type: 'person', action: 'unsuppress', identifiers: { id: 'u3' } },
        ),
      ],
    ],
    [
      'a relationship on a v1 identify (object form) is the v2 identify with cio_relationships',
      [
        v1('PUT', '/api/v1/customers/u1', {
          plan: 'pro',
          cio_relationships: {
            action: 'add_relationships',
            relationships: [
              { identifiers: { object_type_id: '1', object_id: 'acme' }, relationship_attributes: { role: 'admin' } },
            ],
          },
        }),
      ],
      [
        entity({
          type: 'person',
          action: 'identify',
          identifiers: { id: 'u1' },
          attributes: { plan: 'pro' },
          cio_relationships: [
            { identifiers: { object_type_id: '1', object_id: 'acme' }, relationship_attributes: { role: 'admin' } },
          ],
        }),
      ],
    ],
    [
      'an object identify relating a person is the object identify plus that person adding the relationship',
      [
        entity({
          type: 'object',
          action: 'identify',
          identifiers: { object_type_id: '1', object_id: 'acme' },
          attributes: { name: 'Acme' },
          cio_relationships: [{ identifiers: { id: 'u1' } }],
        }),
      ],
      [
        batch(
          {
            type: 'object',
            action: 'identify',
            identifiers: { object_type_id: 1, object_id: 'acme' },
            attributes: { name: 'Acme' },
          },
          {
            type: 'person',
            action: 'add_relationships',
            identifiers: { id: 'u1' },
            cio_relationships: [{ identifiers: { object_type_id: '1', object_id: 'acme' } }],
          },
        ),
      ],
    ],
    [
      'a batch is its operations, in any order; a fixture batch item stands for a batch of one',
      [
        v1('POST', '/api/v2/batch', {
          type: 'person',
          action: 'event',
          identifiers: { id: 'u1' },
          name: 'A',
        }),
        entity({ type: 'person', action: 'event', identifiers: { id: 'u2' }, name: 'B' }),
      ],
      [
        batch(
          { type: 'person', action: 'event', identifiers: { id: 'u2' }, name: 'B' },
          { type: 'person', action: 'event', identifiers: { id: 'u1' }, name: 'A' },
        ),
      ],
    ],
    [
      'object delete ignores attributes and relationships sent along',
      [entity({ type: 'object', action: 'delete', identifiers: { object_type_id: '1', object_id: 'acme' } })],
      [
        entity({
          type: 'object',
          action: 'delete',
          identifiers: { object_type_id: '1', object_id: 'acme' },
          attributes: { name: 'Acme' },
          cio_relationships: [{ identifiers: { id: 'u1' } }],
        }),
      ],
    ],
  ])('%s', (_title, a, b) => {
    expect(differences(a, b)).toEqual([]);
  });
});

describe('canonical form: different intent compares different', () => {
  test.each<[string, TrackRequest[], TrackRequest[], string]>([
    [
      'another attribute value',
      [v1('PUT', '/api/v1/customers/u1', { plan: 'pro' })],
      [entity({ type: 'person', action: 'identify', identifiers: { id: 'u1' }, attributes: { plan: 'free' } })],
      'identify.attributes.plan',
    ],
    [
      'a date left as text against unix seconds',
      [v1('PUT', '/api/v1/customers/u1', { person: { birthdate: '1990-01-01T00:00:00.000Z' } })],
      [
        entity({
          type: 'person',
          action: 'identify',
          identifiers: { id: 'u1' },
          attributes: { person: { birthdate: 631152000 } },
        }),
      ],
      'identify.attributes.person.birthdate',
    ],
    [
      'a cio_ id in a v1 path against the same text as a v2 id',
      [v1('PUT', '/api/v1/customers/cio_u1', {})],
      [entity({ type: 'person', action: 'identify', identifiers: { id: 'cio_u1' } })],
      'identify.person',
    ],
    [
      'an email-shaped id named as a v2 id is not the email',
      [v1('PUT', '/api/v1/customers/ada%40example.com', {})],
      [entity({ type: 'person', action: 'identify', identifiers: { id: 'ada@example.com' } })],
      'identify.person',
    ],
    [
      'an id attribute that differs from the identifier changes the id',
      [v1('PUT', '/api/v1/customers/cio_1', {})],
      [v1('PUT', '/api/v1/customers/cio_1', { id: 'new-id' })],
      'identify.attributes.id',
    ],
    [
      'a page against an event of the same name',
      [v1('POST', '/api/v1/customers/u1/events', { name: 'https://a.example/', type: 'page' })],
      [entity({ type: 'person', action: 'event', identifiers: { id: 'u1' }, name: 'https://a.example/' })],
      'page',
    ],
    [
      'a timestamp as ISO text against unix seconds',
      [v1('POST', '/api/v1/customers/u1/events', { name: 'A', timestamp: 1520190536 })],
      [
        entity({
          type: 'person',
          action: 'event',
          identifiers: { id: 'u1' },
          name: 'A',
          timestamp: '2018-03-04T12:08:56Z',
        }),
      ],
      'event.timestamp',
    ],
    [
      'another event id',
      [v1('POST', '/api/v1/customers/u1/events', { name: 'A', id: '01HZ' })],
      [entity({ type: 'person', action: 'event', identifiers: { id: 'u1' }, name: 'A', id: 'msg-1' })],
      'event.id',
    ],
    [
      'an identified event against an anonymous one',
      [v1('POST', '/api/v1/customers/u1/events', { name: 'A' })],
      [v1('POST', '/api/v1/events', { anonymous_id: 'u1', name: 'A' })],
      'event.person',
    ],
    [
      'adding a relationship against deleting it',
      [
        entity({
          type: 'person',
          action: 'add_relationships',
          identifiers: { id: 'u1' },
          cio_relationships: [{ identifiers: { object_type_id: '1', object_id: 'acme' } }],
        }),
      ],
      [
        entity({
          type: 'person',
          action: 'delete_relationships',
          identifiers: { id: 'u1' },
          cio_relationships: [{ identifiers: { object_type_id: '1', object_id: 'acme' } }],
        }),
      ],
      'relationship-add',
    ],
    [
      'another region',
      [v1('PUT', '/api/v1/customers/u1', {})],
      [{ ...v1('PUT', '/api/v1/customers/u1', {}), host: 'track-eu.customer.io' }],
      'identify.host',
    ],
    [
      'an id whose slash was not encoded is a different endpoint',
      [v1('POST', '/api/v1/customers/user%2Fwith/events', { name: 'A' })],
      [v1('POST', '/api/v1/customers/user/with/events', { name: 'A' })],
      'event',
    ],
    [
      'a body field the canonical form does not know is still compared',
      [v1('POST', '/api/v1/customers/u1/events', { name: 'A' })],
      [v1('POST', '/api/v1/customers/u1/events', { name: 'A', anonymous_id: 'x' })],
      'event.extra',
    ],
  ])('%s', (_title, a, b, field) => {
    expect(differences(a, b).map((d) => d.field)).toContain(field);
  });
});

describe('canonicalize', () => {
  test('spells out what a v1 identify with a relationship asks for', () => {
    expect(
      canonicalize(
        v1('PUT', '/api/v1/customers/u1', {
          plan: 'pro',
          _timestamp: 5,
          cio_relationships: {
            action: 'delete_relationships',
            relationships: [{ identifiers: { object_type_id: '1', object_id: 'acme' } }],
          },
        }),
      ),
    ).toEqual([
      { host: HOST, kind: 'identify', person: { id: 'u1' }, attributes: { plan: 'pro' }, timestamp: 5 },
      {
        host: HOST,
        kind: 'relationship-delete',
        person: { id: 'u1' },
        object: { object_type_id: '1', object_id: 'acme' },
        attributes: {},
      },
    ]);
  });

  test('keeps what it cannot read, so a comparison still sees it', () => {
    expect(canonicalize(v1('PATCH', '/api/v1/customers/u1', { a: 1 }))).toEqual([
      { host: HOST, kind: 'unrecognised', method: 'PATCH', path: '/api/v1/customers/u1', body: { a: 1 } },
    ]);
    expect(canonicalize(entity({ type: 'delivery', action: 'event', name: 'opened' }))).toEqual([
      {
        host: HOST,
        kind: 'unrecognised',
        method: 'POST',
        path: '/api/v2',
        body: { type: 'delivery', action: 'event', name: 'opened' },
      },
    ]);
    expect(canonicalize(v1('POST', '/api/v1/customers/u1/events', { name: 'A', type: 'purchase' }))).toEqual([
      { host: HOST, kind: 'event', person: { id: 'u1' }, name: 'A', data: {}, extra: { type: 'purchase' } },
    ]);
  });

  test('`user@1` (no dot in the domain) is an id, as the peers read it', () => {
    expect(canonicalize(v1('PUT', '/api/v1/customers/user%401', {}))[0]).toMatchObject({ person: { id: 'user@1' } });
  });
});
