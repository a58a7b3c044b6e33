import { randomBytes } from 'node:crypto';
import { Client } from 'pg';

export type DatabaseUrlFactory = () => Promise<string>;

/**
 * The stores tests run against: SQLite always; PostgreSQL when TEST_POSTGRES_URL points at a server (.ci/run starts
 * one). Each call of the url factory for PostgreSQL creates a fresh, empty database, so test files (and suites within
 * one) never see each other's rows or migrations.
 *
 * TEST_POSTGRES_REQUIRED=1 (set by .ci/run) turns a missing TEST_POSTGRES_URL into a failure instead of a silent skip.
 */
export function testDatabases(): [string, DatabaseUrlFactory][] {
  const out: [string, DatabaseUrlFactory][] = [['sqlite', async () => 'sqlite::memory:']];
  const pg = process.env.TEST_POSTGRES_URL;
  if (pg) out.push(['postgres', () => freshDatabaseUrl(pg)]);
  else if (process.env.TEST_POSTGRES_REQUIRED === '1') {
    throw new Error('TEST_POSTGRES_REQUIRED=1 but TEST_POSTGRES_URL is not set: the PostgreSQL store tests cannot run');
  }
  return out;
}

/** A new, empty database on the server of `url` (whose user needs CREATEDB); its URL. */
export async function freshDatabaseUrl(url: string): Promise<string> {
  const name = `t_${randomBytes(6).toString('hex')}`;
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE "${name}"`);
  } finally {
    await client.end();
  }
  // A database of its own, not a schema: Kysely's migrator looks for its lock table across every schema of a
  // database, so parallel test files sharing one database would see each other's migration tables.
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

/** Drops a database freshDatabaseUrl made, through the server's maintenance database (`url`'s own). */
export async function dropDatabase(url: string, databaseUrl: string): Promise<void> {
  const name = decodeURIComponent(new URL(databaseUrl).pathname.slice(1));
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS "${name.replace(/"/g, '""')}" WITH (FORCE)`);
  } finally {
    await client.end();
  }
}
