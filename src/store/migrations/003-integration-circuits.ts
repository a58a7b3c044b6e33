import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  // Each worker's circuit per integration, as it last changed: the API runs in its own process and reads it here.
  await db.schema
    .createTable('integration_circuits')
    .addColumn('integration_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('worker', 'varchar(200)', (c) => c.notNull())
    .addColumn('state', 'varchar(16)', (c) => c.notNull())
    .addColumn('consecutive_failures', 'integer', (c) => c.notNull())
    .addColumn('opened_at', 'varchar(32)')
    .addColumn('next_probe_at', 'varchar(32)')
    .addColumn('updated_at', 'varchar(32)', (c) => c.notNull())
    .addPrimaryKeyConstraint('integration_circuits_pk', ['integration_id', 'worker'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('integration_circuits').execute();
}
