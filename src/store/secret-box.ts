import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

const VERSION = 'v1';

/**
 * AES-256-GCM for integration secrets at rest. Each envelope is bound (as associated data) to the row it
 * belongs to, so a ciphertext copied onto another integration does not decrypt.
 */
export class SecretBox {
  private constructor(private readonly key: Buffer) {}

  /** `ENCRYPTION_KEY`: 32 bytes as 64 hex characters or as base64. */
  static fromKey(value: string): SecretBox {
    const text = value.trim();
    const key = /^[0-9a-fA-F]{64}$/.test(text) ? Buffer.from(text, 'hex') : Buffer.from(text, 'base64');
    if (key.length !== 32) {
      throw new Error(
        'ENCRYPTION_KEY must be 32 bytes, given as 64 hex characters or base64 (openssl rand -base64 32)',
      );
    }
    return new SecretBox(key);
  }

  /** A key for another purpose (signing, say), derived from this one: the encryption key itself never leaves. */
  deriveKey(purpose: string): Buffer {
    return Buffer.from(hkdfSync('sha256', this.key, Buffer.alloc(0), `signal-customerio ${purpose}`, 32));
  }

  seal(plaintext: string, boundTo: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(Buffer.from(boundTo));
    const data = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return [
      VERSION,
      iv.toString('base64url'),
      cipher.getAuthTag().toString('base64url'),
      data.toString('base64url'),
    ].join('.');
  }

  open(envelope: string, boundTo: string): string {
    const [version, iv, tag, data] = envelope.split('.');
    if (version !== VERSION || !iv || !tag || data === undefined) throw new Error('unreadable secret envelope');
    const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64url'));
    decipher.setAAD(Buffer.from(boundTo));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    try {
      return Buffer.concat([decipher.update(Buffer.from(data, 'base64url')), decipher.final()]).toString('utf8');
    } catch {
      throw new Error('cannot decrypt integration secrets: ENCRYPTION_KEY differs from the one they were stored with');
    }
  }
}
