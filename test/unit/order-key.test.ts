import { settleEvent } from '../../src/client/start-delivery';
import { orderKeyOf } from '../../src/customerio/order-key';
import type { SignalEvent } from '../../src/shared/event';

/** The key a delivery of `event` is ordered under, as the intake settles it. */
const keyOf = (event: SignalEvent, options: Parameters<typeof settleEvent>[2] = {}) => {
  const { input, action } = settleEvent('int_1', { messageId: 'm-1', ...event }, options);
  return orderKeyOf(input, action);
};

describe('orderKeyOf', () => {
  test('a person’s events are keyed by the customer id they resolve to, whichever field names it', () => {
    expect(keyOf({ type: 'identify', userId: 'u-1', anonymousId: 'a-1' })).toEqual({
      key: 'person:u-1',
      barrier: false,
    });
    expect(keyOf({ type: 'track', event: 'Bought', userId: 'u-1' })).toEqual({ key: 'person:u-1', barrier: false });
    expect(keyOf({ type: 'track', event: 'Bought', traits: { email: 'ada@x.io' } })).toEqual({
      key: 'person:ada@x.io',
      barrier: false,
    });
    expect(keyOf({ type: 'page', name: 'Home', context: { traits: { userId: 'u-1' } } })).toEqual({
      key: 'person:u-1',
      barrier: false,
    });
  });

  test('deletion, suppression and unsuppression of a person are barriers on the person’s key', () => {
    for (const name of ['User Deleted', 'User Suppressed', 'User Unsuppressed']) {
      expect(keyOf({ type: 'track', event: name, userId: 'u-1' })).toEqual({ key: 'person:u-1', barrier: true });
    }
  });

  test('anonymous events are keyed by their anonymousId, apart from the person they are merged into later', () => {
    const config = { anonymous_events: true } as const;
    expect(keyOf({ type: 'track', event: 'Viewed', anonymousId: 'a-1' }, { config })).toEqual({
      key: 'anon:a-1',
      barrier: false,
    });
  });

  test('objects alone are keyed by type and id; a group event that relates a person is keyed by the person', () => {
    expect(keyOf({ type: 'group', groupId: 'acme' })).toEqual({ key: 'object:1:acme', barrier: false });
    expect(keyOf({ type: 'group', groupId: 'acme', traits: { object_type_id: '2' } })).toEqual({
      key: 'object:2:acme',
      barrier: false,
    });
    expect(keyOf({ type: 'group', groupId: 'acme', userId: 'u-1' })).toEqual({ key: 'person:u-1', barrier: false });
    expect(keyOf({ type: 'group', groupId: 'acme', userId: 'u-1', traits: { action: 'add_relationships' } })).toEqual({
      key: 'person:u-1',
      barrier: false,
    });
  });

  test('deleting an object is a barrier on the object’s key', () => {
    expect(
      keyOf({
        type: 'track',
        event: 'Object Deleted',
        userId: 'u-1',
        properties: { objectId: 'acme', objectTypeId: 3 },
      }),
    ).toEqual({ key: 'object:3:acme', barrier: true });
    expect(keyOf({ type: 'group', groupId: 'acme', traits: { action: 'delete' } })).toEqual({
      key: 'object:1:acme',
      barrier: true,
    });
  });

  test('an alias is keyed by the person it merges into', () => {
    expect(keyOf({ type: 'alias', userId: 'u-2', previousId: 'u-1' })).toEqual({ key: 'person:u-2', barrier: false });
  });

  test('nothing to send, or no one to address: not ordered', () => {
    expect(keyOf({ type: 'track', event: 'Bought', userId: 'u-1' }, { filter: { reason: 'consent_denied' } })).toBe(
      undefined,
    );
    expect(keyOf({ type: 'track', event: 'Bought' })).toBe(undefined);
    expect(keyOf({ type: 'track', event: 'Object Deleted', userId: 'u-1' })).toBe(undefined);
  });
});
