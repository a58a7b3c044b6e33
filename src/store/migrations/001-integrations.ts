import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('integrations')
    .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('name', 'varchar(200)', (c) => c.notNull())
    .addColumn('vendor', 'varchar(64)', (c) => c.notNull())
    .addColumn('variant', 'varchar(64)', (c) => c.notNull())
    .addColumn('delivery_mode', 'varchar(32)', (c) => c.notNull())
    .addColumn('enabled', 'integer', (c) => c.notNull())
    .addColumn('current_revision_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('current_revision_number', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
    .addColumn('updated_at', 'varchar(32)', (c) => c.notNull())
    .addColumn('deleted_at', 'varchar(32)')
    .execute();
  // Names are unique among live integrations; a deleted one frees its name.
  await sql`CREATE UNIQUE INDEX integrations_live_name ON integrations (name) WHERE deleted_at IS NULL`.execute(db);

  await db.schema
    .createTable('integration_revisions')
    .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('integration_id', 'varchar(64)', (c) => c.notNull().references('integrations.id'))
    .addColumn('revision_number', 'integer', (c) => c.notNull())
    .addColumn('config', 'text', (c) => c.notNull())
    .addColumn('secrets', 'text', (c) => c.notNull())
    .addColumn('change_summary', 'text')
    .addColumn('created_by', 'varchar(200)')
    .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
    .addUniqueConstraint('integration_revisions_number', ['integration_id', 'revision_number'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('integration_revisions').execute();
  await db.schema.dropTable('integrations').execute();
}
