import { deliveryEventId, ULID_PATTERN } from '../../src/customerio/event-id';

describe('deliveryEventId', () => {
  const t = Date.parse('2026-02-25T14:30:00.123Z');

  test('is a valid ULID whose time part is the event time', () => {
    const id = deliveryEventId('int_1', 'msg-1', t);
    expect(id).toMatch(ULID_PATTERN);
    const time = [...id.slice(0, 10)].reduce((acc, c) => acc * 32 + '0123456789ABCDEFGHJKMNPQRSTVWXYZ'.indexOf(c), 0);
    expect(time).toBe(t);
  });

  test('is deterministic per (integration, message) and differs otherwise', () => {
    expect(deliveryEventId('int_1', 'msg-1', t)).toBe(deliveryEventId('int_1', 'msg-1', t));
    expect(deliveryEventId('int_1', 'msg-1', t)).not.toBe(deliveryEventId('int_2', 'msg-1', t));
    expect(deliveryEventId('int_1', 'msg-1', t)).not.toBe(deliveryEventId('int_1', 'msg-2', t));
    expect(deliveryEventId('int_1', 'msg-1', t).slice(10)).toBe(deliveryEventId('int_1', 'msg-1', t + 5000).slice(10));
  });

  test('matches a reference SHA-256 derivation', () => {
    // Random part = first 80 bits of sha256("int_1\nmsg-1") in Crockford base32, computed with node:crypto.
    const { createHash } = jest.requireActual<typeof import('node:crypto')>('node:crypto');
    const digest = createHash('sha256').update('int_1\nmsg-1').digest();
    let bits = '';
    for (const byte of digest.subarray(0, 10)) bits += byte.toString(2).padStart(8, '0');
    const expected = bits
      .match(/.{5}/g)!
      .map((b) => '0123456789ABCDEFGHJKMNPQRSTVWXYZ'[parseInt(b, 2)])
      .join('');
    expect(deliveryEventId('int_1', 'msg-1', t).slice(10)).toBe(expected);
  });

  test('clamps times outside the ULID range', () => {
    expect(deliveryEventId('i', 'm', -1).slice(0, 10)).toBe('0000000000');
    expect(deliveryEventId('i', 'm', 2 ** 50).slice(0, 10)).toBe('7ZZZZZZZZZ');
  });
});
