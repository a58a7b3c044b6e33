import { randomBytes } from 'node:crypto';
import { Client } from 'pg';

export type DatabaseUrlFactory = () => Promise<string>;

/**
 * The stores tests run against: SQLite always; PostgreSQL when TEST_POSTGRES_URL points at a server (.ci/run starts
 * one). Each call of the url factory for PostgreSQL creates a fresh, empty schema and returns a URL whose every
 * connection uses it, so test files (and suites within one) never see each other's rows or migrations.
 *
 * TEST_POSTGRES_REQUIRED=1 (set by .ci/run) turns a missing TEST_POSTGRES_URL into a failure instead of a silent skip.
 */
export function testDatabases(): [string, DatabaseUrlFactory][] {
  const out: [string, DatabaseUrlFactory][] = [['sqlite', async () => 'sqlite::memory:']];
  const pg = process.env.TEST_POSTGRES_URL;
  if (pg) out.push(['postgres', () => freshSchemaUrl(pg)]);
  else if (process.env.TEST_POSTGRES_REQUIRED === '1') {
    throw new Error('TEST_POSTGRES_REQUIRED=1 but TEST_POSTGRES_URL is not set: the PostgreSQL store tests cannot run');
  }
  return out;
}

async function freshSchemaUrl(url: string): Promise<string> {
  const schema = `t_${randomBytes(6).toString('hex')}`;
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`CREATE SCHEMA "${schema}"`);
  } finally {
    await client.end();
  }
  // node-postgres sends the `options` query parameter in the startup packet (like libpq's PGOPTIONS), so every
  // connection a Pool opens from this URL starts with the schema as its only search_path entry: unqualified tables,
  // Kysely's migration tables included, land in it.
  const u = new URL(url);
  const options = [u.searchParams.get('options'), `-c search_path=${schema}`].filter(Boolean).join(' ');
  u.searchParams.set('options', options);
  return u.toString();
}
