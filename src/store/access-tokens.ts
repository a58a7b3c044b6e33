import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Db } from './database';
import { newId } from './ids';
import type { AccessTokensTable } from './schema';

export const ROLES = ['viewer', 'editor', 'admin'] as const;
export type Role = (typeof ROLES)[number];
export type TokenKind = 'api_token' | 'pipeline_key';

/** A token as listed: never the token itself, only a prefix to recognise it by. */
export interface AccessTokenView {
  id: string;
  kind: TokenKind;
  name: string;
  role: Role | null;
  token_prefix: string;
  created_by: string | null;
  created_at: string;
  revoked_at: string | null;
}

const TOKEN_PREFIX: Record<TokenKind, string> = { api_token: 'sio_', pipeline_key: 'dk_live_' };

/** A new bearer secret: its kind's prefix (so leaked ones are recognisable), an optional tag, 192 random bits. */
export function generateToken(kind: TokenKind, tag = ''): string {
  return TOKEN_PREFIX[kind] + tag + randomBytes(24).toString('base64url');
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** Constant-time comparison of two secrets of any length (compares their hashes). */
export function secretsEqual(a: string, b: string): boolean {
  return timingSafeEqual(createHash('sha256').update(a).digest(), createHash('sha256').update(b).digest());
}

/** Management API tokens and pipeline keys. Only SHA-256 hashes are stored; a token is shown once, when issued. */
export class AccessTokenStore {
  constructor(
    private readonly db: Db,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async issue(input: {
    kind: TokenKind;
    name: string;
    role?: Role;
    createdBy?: string;
  }): Promise<{ token: string; view: AccessTokenView }> {
    const token = generateToken(input.kind);
    const row: AccessTokensTable = {
      id: newId(input.kind === 'api_token' ? 'tok' : 'pk'),
      kind: input.kind,
      name: input.name,
      role: input.role ?? null,
      token_hash: hashToken(token),
      token_prefix: token.slice(0, TOKEN_PREFIX[input.kind].length + 4),
      created_by: input.createdBy ?? null,
      created_at: this.now().toISOString(),
      revoked_at: null,
    };
    await this.db.insertInto('access_tokens').values(row).execute();
    return { token, view: toView(row) };
  }

  async findActive(kind: TokenKind, token: string): Promise<AccessTokenView | undefined> {
    const hash = hashToken(token);
    const row = await this.db
      .selectFrom('access_tokens')
      .selectAll()
      .where('token_hash', '=', hash)
      .where('kind', '=', kind)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    // The index lookup found it by hash; confirm without an early-exit string compare.
    return row && secretsEqual(row.token_hash, hash) ? toView(row) : undefined;
  }

  async list(
    kind: TokenKind,
    opts: { limit: number; after?: { createdAt: string; id: string } },
  ): Promise<AccessTokenView[]> {
    let q = this.db.selectFrom('access_tokens').selectAll().where('kind', '=', kind);
    if (opts.after) {
      const { createdAt, id } = opts.after;
      q = q.where((eb) =>
        eb.or([eb('created_at', '>', createdAt), eb.and([eb('created_at', '=', createdAt), eb('id', '>', id)])]),
      );
    }
    const rows = await q.orderBy('created_at').orderBy('id').limit(opts.limit).execute();
    return rows.map(toView);
  }

  async get(kind: TokenKind, id: string): Promise<AccessTokenView | undefined> {
    const row = await this.db
      .selectFrom('access_tokens')
      .selectAll()
      .where('id', '=', id)
      .where('kind', '=', kind)
      .executeTakeFirst();
    return row ? toView(row) : undefined;
  }

  async revoke(kind: TokenKind, id: string): Promise<AccessTokenView | undefined> {
    const at = this.now().toISOString();
    const result = await this.db
      .updateTable('access_tokens')
      .set({ revoked_at: at })
      .where('id', '=', id)
      .where('kind', '=', kind)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0 ? this.get(kind, id) : undefined;
  }
}

function toView(row: AccessTokensTable): AccessTokenView {
  return {
    id: row.id,
    kind: row.kind as TokenKind,
    name: row.name,
    role: (row.role as Role | null) ?? null,
    token_prefix: row.token_prefix,
    created_by: row.created_by,
    created_at: row.created_at,
    revoked_at: row.revoked_at,
  };
}
