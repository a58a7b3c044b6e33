import {
  credentialsOf,
  type CustomerIoConfig,
  DEFAULT_RATE_PER_SECOND,
  type IntegrationSecrets,
  type PublicConfig,
  splitSecrets,
  type TrackCredentials,
} from '../customerio/config';
import type { Db } from './database';
import { newId } from './ids';
import type { SecretBox } from './secret-box';
import type { IntegrationRevisionsTable, IntegrationsTable } from './schema';

interface RevisionView {
  id: string;
  revision_number: number;
  change_summary: string | null;
  created_by: string | null;
  created_at: string;
}

/** An integration as the outside world may see it: no secret values, only the non-secret config. */
export interface IntegrationView {
  id: string;
  name: string;
  vendor: string;
  variant: string;
  delivery_mode: string;
  enabled: boolean;
  config: PublicConfig;
  revision: RevisionView;
  created_at: string;
  updated_at: string;
}

/** What a delivery needs at send time. Holds decrypted secrets: keep it in memory, never log or return it. */
export interface DeliveryTarget extends TrackCredentials {
  integrationId: string;
  revisionId: string;
  revisionNumber: number;
  enabled: boolean;
  deleted: boolean;
  /** Requests per second this integration may send to Customer.io, across all workers. */
  ratePerSecond: number;
  /** refuse_events_older_than_hours: events older than this are not sent (0 or absent: every event is sent). */
  refuseOlderThanHours?: number;
}

export interface RevisionMarker {
  revisionId: string;
  revisionNumber: number;
  enabled: boolean;
  deleted: boolean;
}

export class DuplicateNameError extends Error {
  constructor(readonly integrationName: string) {
    super(`an integration named "${integrationName}" already exists`);
  }
}

interface CreateIntegration {
  name: string;
  vendor: string;
  variant: string;
  deliveryMode: string;
  enabled?: boolean;
  config: CustomerIoConfig;
  createdBy?: string;
  changeSummary?: string;
}

interface UpdateIntegration {
  name?: string;
  enabled?: boolean;
  /** A complete new config: makes a new immutable revision. */
  config?: CustomerIoConfig;
  changeSummary?: string;
  updatedBy?: string;
}

type Row = IntegrationsTable &
  Pick<IntegrationRevisionsTable, 'config' | 'change_summary' | 'created_by'> & { revision_created_at: string };

export class IntegrationStore {
  constructor(
    private readonly db: Db,
    private readonly box: SecretBox,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async create(input: CreateIntegration): Promise<IntegrationView> {
    const at = this.now().toISOString();
    const id = newId('int');
    const revisionId = newId('rev');
    await this.assertNameFree(input.name);
    await this.db.transaction().execute(async (tx) => {
      await tx
        .insertInto('integrations')
        .values({
          id,
          name: input.name,
          vendor: input.vendor,
          variant: input.variant,
          delivery_mode: input.deliveryMode,
          enabled: input.enabled === false ? 0 : 1,
          current_revision_id: revisionId,
          current_revision_number: 1,
          created_at: at,
          updated_at: at,
          deleted_at: null,
        })
        .execute();
      await tx
        .insertInto('integration_revisions')
        .values(this.revisionRow(id, revisionId, 1, input.config, at, input))
        .execute();
    });
    return (await this.get(id))!;
  }

  async get(id: string): Promise<IntegrationView | undefined> {
    const row = await this.selectWithRevision()
      .where('i.id', '=', id)
      .where('i.deleted_at', 'is', null)
      .executeTakeFirst();
    return row ? toView(row as Row) : undefined;
  }

  async findByName(name: string): Promise<IntegrationView | undefined> {
    const row = await this.selectWithRevision()
      .where('i.name', '=', name)
      .where('i.deleted_at', 'is', null)
      .executeTakeFirst();
    return row ? toView(row as Row) : undefined;
  }

  /** Live integrations oldest first, keyset-paginated on (created_at, id). */
  async list(opts: {
    limit: number;
    after?: { createdAt: string; id: string };
    enabledOnly?: boolean;
    vendor?: string;
  }): Promise<IntegrationView[]> {
    let q = this.selectWithRevision().where('i.deleted_at', 'is', null);
    if (opts.enabledOnly) q = q.where('i.enabled', '=', 1);
    if (opts.vendor) q = q.where('i.vendor', '=', opts.vendor);
    if (opts.after) {
      const { createdAt, id } = opts.after;
      q = q.where((eb) =>
        eb.or([eb('i.created_at', '>', createdAt), eb.and([eb('i.created_at', '=', createdAt), eb('i.id', '>', id)])]),
      );
    }
    const rows = await q.orderBy('i.created_at').orderBy('i.id').limit(opts.limit).execute();
    return rows.map((r) => toView(r as Row));
  }

  async revisions(id: string): Promise<RevisionView[]> {
    const rows = await this.db
      .selectFrom('integration_revisions')
      .select(['id', 'revision_number', 'change_summary', 'created_by', 'created_at'])
      .where('integration_id', '=', id)
      .orderBy('revision_number', 'desc')
      .execute();
    return rows;
  }

  /** The stored secrets of the current revision, for merging a PATCH that sends masked values back. */
  async currentSecrets(id: string): Promise<IntegrationSecrets | undefined> {
    const row = await this.db
      .selectFrom('integrations as i')
      .innerJoin('integration_revisions as r', 'r.id', 'i.current_revision_id')
      .select(['r.id as revision_id', 'r.secrets'])
      .where('i.id', '=', id)
      .where('i.deleted_at', 'is', null)
      .executeTakeFirst();
    return row ? (JSON.parse(this.box.open(row.secrets, row.revision_id)) as IntegrationSecrets) : undefined;
  }

  async update(id: string, change: UpdateIntegration): Promise<IntegrationView | undefined> {
    const current = await this.db
      .selectFrom('integrations')
      .selectAll()
      .where('id', '=', id)
      .where('deleted_at', 'is', null)
      .executeTakeFirst();
    if (!current) return undefined;
    if (change.name !== undefined && change.name !== current.name) await this.assertNameFree(change.name);
    const at = this.now().toISOString();
    await this.db.transaction().execute(async (tx) => {
      const patch: Partial<IntegrationsTable> = { updated_at: at };
      if (change.name !== undefined) patch.name = change.name;
      if (change.enabled !== undefined) patch.enabled = change.enabled ? 1 : 0;
      if (change.config) {
        const revisionId = newId('rev');
        const number = current.current_revision_number + 1;
        await tx
          .insertInto('integration_revisions')
          .values(
            this.revisionRow(id, revisionId, number, change.config, at, {
              changeSummary: change.changeSummary,
              createdBy: change.updatedBy,
            }),
          )
          .execute();
        patch.current_revision_id = revisionId;
        patch.current_revision_number = number;
      }
      await tx.updateTable('integrations').set(patch).where('id', '=', id).execute();
    });
    return this.get(id);
  }

  /** Soft delete: revisions stay for the audit trail; deliveries still in flight see `deleted` and end filtered. */
  async delete(id: string): Promise<boolean> {
    const at = this.now().toISOString();
    const result = await this.db
      .updateTable('integrations')
      .set({ deleted_at: at, updated_at: at, enabled: 0 })
      .where('id', '=', id)
      .where('deleted_at', 'is', null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  /** One indexed row: lets a cache learn whether its copy of the credentials is still current. */
  async revisionMarker(id: string): Promise<RevisionMarker | undefined> {
    const row = await this.db
      .selectFrom('integrations')
      .select(['current_revision_id', 'current_revision_number', 'enabled', 'deleted_at'])
      .where('id', '=', id)
      .executeTakeFirst();
    return row
      ? {
          revisionId: row.current_revision_id,
          revisionNumber: row.current_revision_number,
          enabled: row.enabled === 1,
          deleted: row.deleted_at !== null,
        }
      : undefined;
  }

  async deliveryTarget(id: string): Promise<DeliveryTarget | undefined> {
    const row = await this.db
      .selectFrom('integrations as i')
      .innerJoin('integration_revisions as r', 'r.id', 'i.current_revision_id')
      .select([
        'i.id',
        'i.enabled',
        'i.deleted_at',
        'r.id as revision_id',
        'r.revision_number',
        'r.config',
        'r.secrets',
      ])
      .where('i.id', '=', id)
      .executeTakeFirst();
    if (!row) return undefined;
    const config = JSON.parse(row.config) as PublicConfig;
    const secrets = JSON.parse(this.box.open(row.secrets, row.revision_id)) as IntegrationSecrets;
    return {
      integrationId: row.id,
      revisionId: row.revision_id,
      revisionNumber: row.revision_number,
      enabled: row.enabled === 1,
      deleted: row.deleted_at !== null,
      ...credentialsOf(config, secrets),
      // Revisions saved before the setting existed get its default.
      ratePerSecond: config.rate_limit_per_second ?? DEFAULT_RATE_PER_SECOND,
      refuseOlderThanHours: config.refuse_events_older_than_hours ?? 0,
    };
  }

  private async assertNameFree(name: string): Promise<void> {
    const taken = await this.db
      .selectFrom('integrations')
      .select('id')
      .where('name', '=', name)
      .where('deleted_at', 'is', null)
      .executeTakeFirst();
    if (taken) throw new DuplicateNameError(name);
  }

  private revisionRow(
    integrationId: string,
    revisionId: string,
    number: number,
    config: CustomerIoConfig,
    at: string,
    meta: { changeSummary?: string | undefined; createdBy?: string | undefined },
  ): IntegrationRevisionsTable {
    const { publicConfig, secrets } = splitSecrets(config);
    return {
      id: revisionId,
      integration_id: integrationId,
      revision_number: number,
      config: JSON.stringify(publicConfig),
      secrets: this.box.seal(JSON.stringify(secrets), revisionId),
      change_summary: meta.changeSummary ?? null,
      created_by: meta.createdBy ?? null,
      created_at: at,
    };
  }

  private selectWithRevision() {
    return this.db
      .selectFrom('integrations as i')
      .innerJoin('integration_revisions as r', 'r.id', 'i.current_revision_id')
      .selectAll('i')
      .select(['r.config', 'r.change_summary', 'r.created_by', 'r.created_at as revision_created_at']);
  }
}

function toView(row: Row): IntegrationView {
  return {
    id: row.id,
    name: row.name,
    vendor: row.vendor,
    variant: row.variant,
    delivery_mode: row.delivery_mode,
    enabled: row.enabled === 1,
    config: JSON.parse(row.config) as PublicConfig,
    revision: {
      id: row.current_revision_id,
      revision_number: row.current_revision_number,
      change_summary: row.change_summary,
      created_by: row.created_by,
      created_at: row.revision_created_at,
    },
    created_at: row.created_at,
    updated_at: row.updated_at,
  };
}
