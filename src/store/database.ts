import SQLite from 'better-sqlite3';
import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import { Kysely, Migrator, PostgresDialect, SqliteDialect, type SqliteDialectConfig, sql } from 'kysely';
import { Pool } from 'pg';
import { migrations } from './migrations';
import type { Database } from './schema';

export type Db = Kysely<Database>;

export interface DatabaseHandle {
  db: Db;
  kind: 'sqlite' | 'postgres';
  close(): Promise<void>;
}

interface DatabaseOptions {
  /** A pooled PostgreSQL connection was lost while no query used it; the pool has already dropped it. */
  onConnectionLost?: (err: Error) => void;
}

/** How long a query waits for a new PostgreSQL connection before it fails as the store being out of reach. */
const CONNECT_TIMEOUT_MS = 5_000;

/**
 * `DATABASE_URL` picks the store: `postgres://…` (production) or SQLite: `sqlite:<path>`, a bare path, or
 * `sqlite::memory:` (tests).
 */
export function openDatabase(url: string, options: DatabaseOptions = {}): DatabaseHandle {
  if (/^postgres(ql)?:\/\//.test(url)) {
    const pool = new Pool({ connectionString: url, max: 10, connectionTimeoutMillis: CONNECT_TIMEOUT_MS });
    // PostgreSQL ending a pooled connection (a restart, a failover, an idle timeout, a proxy) is an 'error' event,
    // on the pool for an idle connection, on the client for one a transaction holds between two queries: Node ends
    // the process on an 'error' event nobody listens to. The pool drops the connection either way, and the next query
    // opens a new one (or fails, as the store being out of reach, while PostgreSQL is down).
    const lost = (err: Error) => options.onConnectionLost?.(err);
    pool.on('error', lost);
    pool.on('connect', (client) => client.on('error', lost));
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
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
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(sqlite) }) });
  return { db, kind: 'sqlite', close: () => db.destroy() };
}

/** Distinct statements kept prepared; the store issues far fewer (an `IN` list's length makes its own text). */
const STATEMENT_CACHE_SIZE = 500;

/**
 * Kysely prepares every query again; preparing was the store's largest cost in a profile of the delivery path. A
 * better-sqlite3 statement can run again with new parameters (SQLite re-prepares it itself after a schema change),
 * and the store never streams (a statement busy iterating could not be shared), so each text is prepared once.
 */
function withStatementCache(sqlite: SQLite.Database): SqliteDialectConfig['database'] {
  const prepared = new Map<string, SQLite.Statement>();
  return {
    close: () => sqlite.close(),
    prepare(text: string) {
      let statement = prepared.get(text);
      if (!statement) {
        statement = sqlite.prepare(text);
        if (prepared.size >= STATEMENT_CACHE_SIZE) prepared.delete(prepared.keys().next().value!);
        prepared.set(text, statement);
      }
      return statement;
    },
  };
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
      { cause: outcome.error },
    );
  }
}

/** Readiness: one trivial query. */
export async function pingDatabase(db: Db): Promise<void> {
  await sql`select 1`.execute(db);
}

/** PostgreSQL's SQLSTATEs for a server that is going away or not taking connections yet (class 08: the connection). */
const UNREACHABLE_SQLSTATES = new Set(['57P01', '57P02', '57P03', '53300']);
/** Socket errors on the way to the server. */
const UNREACHABLE_SOCKET_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
]);
/** How node-postgres says a connection ended or never came (these errors carry no code). */
const UNREACHABLE_MESSAGES = [
  /^Connection terminated/,
  /^timeout exceeded when trying to connect/,
  /is not queryable$/,
  /^Client was closed/,
];

/**
 * Whether `err` (or what caused it) says the store is out of reach, as opposed to a query it refused: the one place
 * that tells "retry later" apart from a bug. Callers answer 503, serve what they cached, or try again later.
 */
export function isStoreUnreachable(err: unknown): boolean {
  for (let e = err, depth = 0; e && typeof e === 'object' && depth < 5; depth++) {
    const { code, message, errors } = e as { code?: unknown; message?: unknown; errors?: unknown };
    if (typeof code === 'string' && (UNREACHABLE_SQLSTATES.has(code) || code.startsWith('08'))) return true;
    if (typeof code === 'string' && UNREACHABLE_SOCKET_CODES.has(code)) return true;
    if (typeof message === 'string' && UNREACHABLE_MESSAGES.some((m) => m.test(message))) return true;
    // Node's connect tries every address of a name (localhost: ::1 and 127.0.0.1) and reports them together.
    if (Array.isArray(errors) && errors.some((x) => isStoreUnreachable(x))) return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}
