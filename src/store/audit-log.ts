import type { Db } from './database';
import { newId } from './ids';

export type Changes = Record<string, { old?: unknown; new?: unknown }>;

interface AuditEntry {
  id: string;
  action: string;
  actor: { id: string | null; name: string | null };
  resource_type: string;
  resource_id: string | null;
  changes: Changes | null;
  ip_address: string | null;
  user_agent: string | null;
  timestamp: string;
}

interface AuditInput {
  action: string;
  /** Who, and from where. */
  actor: { id: string; name: string; ip?: string; userAgent?: string };
  resourceType: string;
  resourceId?: string;
  /** Must already have secrets redacted (configChanges in integrations/service.ts does). */
  changes?: Changes;
}

/** Who did what to which resource, when. Append-only. */
export class AuditLog {
  constructor(
    private readonly db: Db,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async record(input: AuditInput): Promise<void> {
    await this.db
      .insertInto('audit_logs')
      .values({
        id: newId('log'),
        action: input.action,
        actor_id: input.actor.id,
        actor_name: input.actor.name,
        resource_type: input.resourceType,
        resource_id: input.resourceId ?? null,
        changes: input.changes ? JSON.stringify(input.changes) : null,
        ip_address: input.actor.ip ?? null,
        user_agent: input.actor.userAgent?.slice(0, 300) ?? null,
        created_at: this.now().toISOString(),
      })
      .execute();
  }

  /** Newest first, keyset-paginated on (created_at, id). */
  async list(opts: {
    limit: number;
    before?: { createdAt: string; id: string };
    action?: string;
    resourceId?: string;
  }): Promise<AuditEntry[]> {
    let q = this.db.selectFrom('audit_logs').selectAll();
    if (opts.action) q = q.where('action', '=', opts.action);
    if (opts.resourceId) q = q.where('resource_id', '=', opts.resourceId);
    if (opts.before) {
      const { createdAt, id } = opts.before;
      q = q.where((eb) =>
        eb.or([eb('created_at', '<', createdAt), eb.and([eb('created_at', '=', createdAt), eb('id', '<', id)])]),
      );
    }
    const rows = await q.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(opts.limit).execute();
    return rows.map((r) => ({
      id: r.id,
      action: r.action,
      actor: { id: r.actor_id, name: r.actor_name },
      resource_type: r.resource_type,
      resource_id: r.resource_id,
      changes: r.changes ? (JSON.parse(r.changes) as Changes) : null,
      ip_address: r.ip_address,
      user_agent: r.user_agent,
      timestamp: r.created_at,
    }));
  }
}
