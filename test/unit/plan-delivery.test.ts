import { toDeliveryInput } from '../../src/client/start-delivery';
import { planDelivery } from '../../src/customerio/actions';
import { deliveryEventId } from '../../src/customerio/event-id';
import type { SignalEvent } from '../../src/shared/event';

const NOW = Date.parse('2026-03-01T00:00:00Z');
/** The planner as a delivery runs it: on the input settled when the delivery started. */
const plan = (event: SignalEvent, messageId = 'm-1') =>
  planDelivery(toDeliveryInput('int_1', { messageId, ...event }, { now: () => new Date(NOW) }));

describe('planDelivery', () => {
  test('identify: traits become attributes, reserved keys are mapped, not duplicated', () => {
    const result = plan({
      type: 'identify',
      userId: 'u-1',
      anonymousId: 'anon',
      timestamp: '2026-02-25T14:30:00Z',
      traits: { id: 'ignored', createdAt: '2024-01-02T03:04:05Z', name: 'Ada', email: 'ADA@x.io' },
    });
    expect(result).toEqual({
      ok: true,
      customerId: 'u-1',
      request: {
        operation: 'identify',
        method: 'PUT',
        path: '/api/v1/customers/u-1',
        body: { name: 'Ada', email: 'ADA@x.io', created_at: 1704164645, anonymous_id: 'anon', _timestamp: 1772029800 },
      },
    });
  });

  test('identify: a created_at that is not a time is kept under its own name, not guessed', () => {
    const result = plan({ type: 'identify', userId: 'u', traits: { createdAt: 'last tuesday' } });
    expect(result.ok && result.request.body).toEqual({ createdAt: 'last tuesday', _timestamp: NOW / 1000 });
  });

  test('identify falls back to context.traits when the event has no traits', () => {
    const result = plan({ type: 'identify', userId: 'u', context: { traits: { plan: 'pro' } } });
    expect(result.ok && result.request.body).toMatchObject({ plan: 'pro' });
  });

  test('track without a timestamp is stamped with the receive time, for both the id and the timestamp', () => {
    const result = plan({ type: 'track', event: 'Paid', userId: 'u' });
    expect(result.ok && result.request.body).toEqual({
      name: 'Paid',
      id: deliveryEventId('int_1', 'm-1', NOW),
      timestamp: NOW / 1000,
      data: {},
    });
  });

  test('page takes its URL from properties.url when the context has none', () => {
    const result = plan({ type: 'page', userId: 'u', properties: { url: 'https://a.example/x', title: 'X' } });
    expect(result.ok && result.request.body).toMatchObject({
      name: 'https://a.example/x',
      type: 'page',
      data: { url: 'https://a.example/x', title: 'X' },
    });
  });

  test.each<[string, SignalEvent, string, RegExp]>([
    ['page without a URL', { type: 'page', userId: 'u', name: 'Home' }, 'InvalidEvent', /needs its URL/],
    ['track without a name', { type: 'track', userId: 'u', event: '  ' }, 'InvalidEvent', /event name/],
    [
      'garbage timestamp',
      { type: 'track', event: 'x', userId: 'u', timestamp: 'soon' },
      'InvalidEvent',
      /Invalid timestamp/,
    ],
    [
      'no identifier',
      { type: 'track', event: 'x', anonymousId: 'a' },
      'MissingCustomerIdentifier',
      /Missing customer identifier/,
    ],
    [
      'event name over 100 bytes',
      { type: 'track', event: 'n'.repeat(101), userId: 'u' },
      'PayloadTooLarge',
      /event name is 101 bytes/,
    ],
    [
      'event data over 100 KB',
      { type: 'track', event: 'x', userId: 'u', properties: { blob: 'b'.repeat(100_000) } },
      'PayloadTooLarge',
      /properties is 100011 bytes/,
    ],
    [
      'attribute name over 150 bytes',
      { type: 'identify', userId: 'u', traits: { ['k'.repeat(151)]: 1 } },
      'PayloadTooLarge',
      /attribute name traits\.k+ is 151 bytes/,
    ],
    [
      'more than 300 attributes',
      {
        type: 'identify',
        userId: 'u',
        traits: Object.fromEntries(Array.from({ length: 301 }, (_, i) => [`a${i}`, i])),
      },
      'PayloadTooLarge',
      /traits has 301 attributes/,
    ],
  ])('%s is refused', (_name, event, type, message) => {
    const result = plan(event);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.failureType).toBe(type);
    expect(!result.ok && result.message).toMatch(message);
  });

  test('a long page URL is not held to the 100-byte event-name limit', () => {
    const url = `https://a.example/${'p'.repeat(300)}`;
    expect(plan({ type: 'page', userId: 'u', context: { page: { url } } }).ok).toBe(true);
  });
});
