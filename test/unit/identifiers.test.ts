import { resolveCustomerId } from '../../src/customerio/identifiers';
import type { SignalEvent } from '../../src/shared/event';

const ev = (e: Partial<SignalEvent>): SignalEvent => ({ type: 'track', event: 'x', ...e });

describe('resolveCustomerId', () => {
  test.each<[string, Partial<SignalEvent>, string, string]>([
    ['userId wins over any email', { userId: 'u-1', traits: { email: 'a@x.io' } }, 'u-1', 'userId'],
    ['cio_ ids pass through untouched', { userId: 'cio_03000001' }, 'cio_03000001', 'userId'],
    ['userId is trimmed', { userId: '  u-2 ' }, 'u-2', 'userId'],
    ['traits.email', { traits: { email: 'a@x.io' } }, 'a@x.io', 'traits.email'],
    ['context.traits.email', { context: { traits: { email: 'b@x.io' } } }, 'b@x.io', 'context.traits.email'],
    ['properties.email', { properties: { email: 'c@x.io' } }, 'c@x.io', 'properties.email'],
    ['top-level email', { email: 'd@x.io' }, 'd@x.io', 'email'],
    [
      'first valid email in order',
      { traits: { email: 'nope' }, properties: { email: 'e@x.io' } },
      'e@x.io',
      'properties.email',
    ],
  ])('%s', (_name, event, id, source) => {
    const who = resolveCustomerId(ev(event));
    expect(who).toMatchObject({ ok: true, customerId: id, source });
  });

  test('the email rides along for identify even when the id is the userId', () => {
    expect(resolveCustomerId(ev({ userId: 'u', traits: { email: 'a@x.io' } }))).toMatchObject({ email: 'a@x.io' });
  });

  test('anonymousId alone is not an identifier', () => {
    const who = resolveCustomerId(ev({ anonymousId: 'anon-1' }));
    expect(who).toMatchObject({ ok: false, reason: 'missing' });
    expect(!who.ok && who.message).toContain('Missing customer identifier');
  });

  test('identifiers over 150 bytes are refused, counted in UTF-8 bytes', () => {
    expect(resolveCustomerId(ev({ userId: 'é'.repeat(75) }))).toMatchObject({ ok: true });
    const who = resolveCustomerId(ev({ userId: 'é'.repeat(76) }));
    expect(who).toMatchObject({ ok: false, reason: 'too_long' });
    expect(!who.ok && who.message).toContain('152 bytes');
  });
});
