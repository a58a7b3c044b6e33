import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Visibility page tokens, handed to clients as cursors: signed, and bound to the query they page through. A cursor
 * this API did not issue (or issued for other filters) is refused before Temporal sees it, which would otherwise
 * spend its time on a token it cannot read. Replicas sharing the key (derived from ENCRYPTION_KEY) accept each
 * other's cursors.
 */
export class CursorSeal {
  constructor(private readonly key: Buffer = randomBytes(32)) {}

  seal(query: string, pageToken: Uint8Array): string {
    const token = Buffer.from(pageToken).toString('base64url');
    return `${token}.${this.mac(query, token)}`;
  }

  /** The page token inside `cursor`, or undefined when it is not one this key sealed for `query`. */
  open(query: string, cursor: string): Uint8Array | undefined {
    const dot = cursor.lastIndexOf('.');
    if (dot <= 0) return undefined;
    const token = cursor.slice(0, dot);
    const given = Buffer.from(cursor.slice(dot + 1));
    const expected = Buffer.from(this.mac(query, token));
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
    return Buffer.from(token, 'base64url');
  }

  private mac(query: string, token: string): string {
    return createHmac('sha256', this.key).update(query).update('\n').update(token).digest('base64url');
  }
}
