import { execFile, execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { freePort } from '../../src/temporal/dev-server';

const run = promisify(execFile);

/** The newest Debian PostgreSQL server binaries (/usr/lib/postgresql/<major>/bin), as .ci/run finds them. */
export function postgresBinDir(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  return readdirSync(root)
    .sort((a, b) => Number(b) - Number(a))
    .map((major) => join(root, major, 'bin'))
    .find((bin) => ['initdb', 'pg_ctl', 'postgres'].every((tool) => existsSync(join(bin, tool))));
}

/**
 * A PostgreSQL cluster of one test's own, in a temporary directory, that the test may stop and start at will (the
 * shared TEST_POSTGRES_URL server must never be): initdb, then pg_ctl, run as `postgres` when the tests run as root
 * (postgres refuses root). Trust authentication on 127.0.0.1 only; the cluster is gone after `destroy`.
 */
export class ThrowawayPostgres {
  private constructor(
    private readonly bin: string,
    private readonly dir: string,
    readonly port: number,
  ) {}

  /** The superuser's URL, database `postgres`. */
  get url(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/postgres`;
  }

  /** An initialised cluster, not started yet. */
  static async create(bin: string): Promise<ThrowawayPostgres> {
    // As root, under /tmp: the postgres user must be able to reach the directory, which TMPDIR's parents may forbid.
    const dir = mkdtempSync(join(userInfo().uid === 0 ? '/tmp' : tmpdir(), 'signal-pg-'));
    const pg = new ThrowawayPostgres(bin, dir, await freePort());
    if (userInfo().uid === 0) chownSync(dir, pgOwnerId('-u'), pgOwnerId('-g'));
    await pg.asOwner('initdb', [
      '-D',
      join(dir, 'data'),
      '-U',
      'postgres',
      '-E',
      'UTF8',
      '--no-locale',
      '--auth=trust',
    ]);
    return pg;
  }

  async start(): Promise<void> {
    const options = [
      `-c listen_addresses=127.0.0.1 -p ${this.port} -k ${this.dir}`,
      '-c fsync=off -c synchronous_commit=off -c full_page_writes=off',
    ].join(' ');
    await this.asOwner(
      'pg_ctl',
      ['-D', join(this.dir, 'data'), '-l', join(this.dir, 'server.log'), '-w', '-t', '60'].concat([
        '-o',
        options,
        'start',
      ]),
    );
  }

  /** `pg_ctl -m fast`: every session is ended at once (clients see "terminating connection due to administrator command"). */
  async stop(mode: 'fast' | 'immediate' = 'fast'): Promise<void> {
    await this.asOwner('pg_ctl', ['-D', join(this.dir, 'data'), '-m', mode, '-w', '-t', '60', 'stop']);
  }

  /** Runs one statement as the superuser on a connection of its own. */
  async query<T = Record<string, unknown>>(sql: string): Promise<T[]> {
    const client = new Client({ connectionString: this.url });
    await client.connect();
    try {
      return (await client.query(sql)).rows as T[];
    } finally {
      await client.end();
    }
  }

  async destroy(): Promise<void> {
    await this.stop('immediate').catch(() => undefined);
    rmSync(this.dir, { recursive: true, force: true });
  }

  private async asOwner(tool: string, args: string[]): Promise<void> {
    const path = join(this.bin, tool);
    const [command, argv] = userInfo().uid === 0 ? ['runuser', ['-u', 'postgres', '--', path, ...args]] : [path, args];
    await run(command, argv, { cwd: this.dir, timeout: 90_000 });
  }
}

function pgOwnerId(flag: '-u' | '-g'): number {
  // `id` rather than parsing /etc/passwd: the account may come from anywhere nsswitch looks.
  return Number(execFileSync('id', [flag, 'postgres']).toString().trim());
}
