import { randomBytes } from 'node:crypto';

/**
 * The stores tests run against: SQLite always; PostgreSQL when TEST_POSTGRES_URL points at a server (.ci/run starts
 * one). Each call of the url factory for PostgreSQL gets its own fresh schema so test files do not collide.
 */
export function testDatabases(): [string, () => string][] {
  const out: [string, () => string][] = [['sqlite', () => 'sqlite::memory:']];
  const pg = process.env.TEST_POSTGRES_URL;
  if (pg) out.push(['postgres', () => withFreshSchema(pg)]);
  return out;
}

function withFreshSchema(url: string): string {
  const schema = `t_${randomBytes(6).toString('hex')}`;
  const u = new URL(url);
  // libpq "options" sets the search_path; the schema is created on first connect by the caller's migrations.
  u.searchParams.set('options', `-c search_path=${schema}`);
  return u.toString();
}
