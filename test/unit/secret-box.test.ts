import { randomBytes } from 'node:crypto';
import { SecretBox } from '../../src/store/secret-box';

describe('SecretBox', () => {
  const key = randomBytes(32);
  const box = SecretBox.fromKey(key.toString('base64'));

  test('round-trips, with a fresh IV each time', () => {
    const a = box.seal('{"api_key":"s3cret"}', 'rev_1');
    const b = box.seal('{"api_key":"s3cret"}', 'rev_1');
    expect(a).not.toBe(b);
    expect(a).not.toContain('s3cret');
    expect(box.open(a, 'rev_1')).toBe('{"api_key":"s3cret"}');
  });

  test('accepts the key as hex too', () => {
    expect(SecretBox.fromKey(key.toString('hex')).open(box.seal('x', 'r'), 'r')).toBe('x');
  });

  test('an envelope moved to another row, tampered with, or read with another key does not open', () => {
    const sealed = box.seal('x', 'rev_1');
    expect(() => box.open(sealed, 'rev_2')).toThrow(/ENCRYPTION_KEY/);
    const parts = sealed.split('.');
    // Flip a bit rather than write a fixed byte: a fixed byte equals the real ciphertext once in 256 runs.
    const data = Buffer.from(parts[3]!, 'base64url');
    data[0] = data[0]! ^ 1;
    parts[3] = data.toString('base64url');
    expect(() => box.open(parts.join('.'), 'rev_1')).toThrow();
    expect(() => SecretBox.fromKey(randomBytes(32).toString('base64')).open(sealed, 'rev_1')).toThrow(/ENCRYPTION_KEY/);
  });

  test('refuses keys that are not 32 bytes', () => {
    expect(() => SecretBox.fromKey('short')).toThrow(/32 bytes/);
  });
});
