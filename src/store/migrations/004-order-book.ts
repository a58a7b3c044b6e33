import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  // Per-person order (issue 16): one row per order key of an integration, the tail of its chain of handovers.
  await db.schema
    .createTable('order_keys')
    .addColumn('integration_id', 'varchar(64)', (c) => c.notNull())
    // A digest of the key (it names a person: their id or email is not kept here).
    .addColumn('order_key', 'varchar(64)', (c) => c.notNull())
    .addColumn('next_seq', 'integer', (c) => c.notNull())
    .addColumn('tail_workflow_id', 'text')
    .addColumn('last_barrier_seq', 'integer')
    .addColumn('last_barrier_workflow_id', 'text')
    .addColumn('last_barrier_at', 'varchar(32)')
    .addPrimaryKeyConstraint('order_keys_pk', ['integration_id', 'order_key'])
    .execute();
  // One row per handed-over delivery: its place in its key's chain, and once it has ended, how.
  await db.schema
    .createTable('order_entries')
    .addColumn('workflow_id', 'text', (c) => c.primaryKey())
    .addColumn('integration_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('order_key', 'varchar(64)', (c) => c.notNull())
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('predecessor_workflow_id', 'text')
    .addColumn('barrier', 'integer', (c) => c.notNull())
    .addColumn('handed_at', 'varchar(32)', (c) => c.notNull())
    // Set when the run waits for a signal to go on: only such runs are signalled when what they wait for finishes.
    .addColumn('waiting_since', 'varchar(32)')
    .addColumn('finished_at', 'varchar(32)')
    .addColumn('outcome', 'varchar(32)')
    .execute();
  await db.schema
    .createIndex('order_entries_key_seq')
    .on('order_entries')
    .columns(['integration_id', 'order_key', 'seq'])
    .execute();
  await db.schema
    .createIndex('order_entries_predecessor')
    .on('order_entries')
    .column('predecessor_workflow_id')
    .execute();
  await db.schema.createIndex('order_entries_finished').on('order_entries').column('finished_at').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('order_entries').execute();
  await db.schema.dropTable('order_keys').execute();
}
