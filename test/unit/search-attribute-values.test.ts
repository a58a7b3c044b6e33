import { toDeliveryInput } from '../../src/client/start-delivery';
import { initialSearchAttributes } from '../../src/customerio/labels';
import { isWellFormed } from '../../src/shared/json-shape';
import { EventNameKey, keywordValue } from '../../src/shared/search-attributes';

/** What PostgreSQL's visibility store (jsonb, VARCHAR(255) keyword columns) refuses: the run would never be listed. */
function storable(value: string): boolean {
  return !value.includes('\u0000') && isWellFormed(value) && value.length <= 255;
}

describe('keyword search attribute values', () => {
  test.each([
    ['a NUL', 'a\u0000b', 'ab'],
    ['only a NUL', '\u0000', ''],
    ['a lone high surrogate', 'x\ud800y', 'x\ufffdy'],
    ['a lone low surrogate', 'x\udfffy', 'x\ufffdy'],
    ['a whole pair', 'x😀y', 'x😀y'],
    ['other control characters', 'bell\u0007', 'bell\u0007'],
  ])('%s', (_label, value, expected) => {
    expect(keywordValue(value)).toBe(expected);
    expect(storable(keywordValue(value))).toBe(true);
  });

  test('at most 255 characters, never cut inside a surrogate pair', () => {
    expect(keywordValue('n'.repeat(300))).toBe('n'.repeat(255));
    const emoji = keywordValue('😀'.repeat(200));
    expect(storable(emoji)).toBe(true);
    expect(emoji).toBe('😀'.repeat(127));
  });

  test("a track event's name with a NUL labels its run with what visibility can store", () => {
    const pairs = initialSearchAttributes(
      toDeliveryInput('int_1', { type: 'track', event: 'Order\u0000 Completed', userId: 'u1', messageId: 'm1' }),
    );
    const name = pairs.find((p) => p.key.name === EventNameKey.name)?.value;
    expect(name).toBe('Order Completed');
    for (const p of pairs) if (typeof p.value === 'string') expect(storable(p.value)).toBe(true);
  });
});
