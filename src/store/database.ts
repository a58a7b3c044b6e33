import SQLite from 'better-sqlite3';
import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import { Kysely, Migrator, PostgresDialect, SqliteDialect, sql } from 'kysely';
import { Pool } from 'pg';
import { migrations } from './migrations';
import type { Database } from './schema';

export type Db = Kysely<Database>;

export interface DatabaseHandle {
  db: Db;
  kind: 'sqlite' | 'postgres';
  close(): Promise<void>;
}

/**
 * `DATABASE_URL` picks the store: `postgres://…` (production) or SQLite: `sqlite:<path>`, a bare path, or
 * `sqlite::memory:` (tests).
 */
export function openDatabase(url: string): DatabaseHandle {
  if (/^postgres(ql)?:\/\//.test(url)) {
    const db = new Kysely<Database>({
      dialect: new PostgresDialect({ pool: new Pool({ connectionString: url, max: 10 }) }),
    });
    return { db, kind: 'postgres', close: () => db.destroy() };
  }
  const path = url.replace(/^sqlite:(\/\/)?/, '') || ':memory:';
  if (path !== ':memory:') {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    // The store's owner alone may read it (integration config, the audit log). Created here first, because SQLite
    // gives the -wal and -shm files it makes the database file's mode.
    closeSync(openSync(path, 'a', 0o600));
    for (const file of [path, `${path}-wal`, `${path}-shm`]) if (existsSync(file)) chmodSync(file, 0o600);
  }
  const sqlite = new SQLite(path);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('busy_timeout = 5000');
  sqlite.pragma('foreign_keys = ON');
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });
  return { db, kind: 'sqlite', close: () => db.destroy() };
}

/**
 * Brings the schema up to date. Safe when several processes start at once (`npm run worker` and `npm run api` on one
 * SQLite file): Kysely locks PostgreSQL itself, but runs SQLite migrations unlocked and outside a transaction, so on
 * SQLite the whole run happens inside BEGIN IMMEDIATE: a second process waits, then finds nothing left to do.
 */
export async function migrateToLatest(handle: Pick<DatabaseHandle, 'db' | 'kind'>): Promise<void> {
  const { db } = handle;
  const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations } });
  if (handle.kind === 'sqlite') await sql`BEGIN IMMEDIATE`.execute(db);
  let outcome: Awaited<ReturnType<Migrator['migrateToLatest']>>;
  try {
    outcome = await migrator.migrateToLatest();
  } catch (err) {
    outcome = { error: err };
  }
  const failed = outcome.results?.find((r) => r.status === 'Error');
  if (handle.kind === 'sqlite') await sql.raw(outcome.error || failed ? 'ROLLBACK' : 'COMMIT').execute(db);
  if (outcome.error || failed) {
    throw new Error(
      `database migration ${failed?.migrationName ?? ''} failed: ${String((outcome.error as Error)?.message ?? outcome.error)}`,
    );
  }
}

/** Readiness: one trivial query. */
export async function pingDatabase(db: Db): Promise<void> {
  await sql`select 1`.execute(db);
}
