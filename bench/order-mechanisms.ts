/**
 * Measurements for choosing issue 16's ordering mechanism (see docs/design/per-person-order.md), on a file-backed dev
 * server as `npm start` runs it, one call at a time so each figure is one round trip's latency:
 * (a) signalling a workflow that has already closed (fails at once: "go"), and one that is still running;
 * (b) signal-with-start to a per-person entity workflow (first call starts it, later ones signal it);
 * (c) one upsert of a per-person sequence number in SQLite (the store's pragmas) and PostgreSQL (TEST_POSTGRES_URL).
 * A plain workflow start is measured beside them for scale.
 *
 *   node test-results/bench-build/bench/order-mechanisms.js [--calls 400] [--people 40]
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Client, Connection, WorkflowNotFoundError } from '@temporalio/client';
import { bundleWorkflowCode, DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import Database from 'better-sqlite3';
import { Client as PgClient } from 'pg';
import { startDevServer } from '../src/temporal/dev-server';
import { percentile } from './per-person';

const { values: flags } = parseArgs({
  options: { calls: { type: 'string', default: '400' }, people: { type: 'string', default: '40' } },
});
const CALLS = Number(flags.calls);
const PEOPLE = Number(flags.people);
const UPSERT = `INSERT INTO order_seq (integration_id, person, seq) VALUES ($1, $2, 1)
  ON CONFLICT (integration_id, person) DO UPDATE SET seq = order_seq.seq + 1 RETURNING seq`;

async function timed(label: string, n: number, call: (i: number) => Promise<unknown>): Promise<string> {
  const ms: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await call(i);
    ms.push(performance.now() - t);
  }
  const p = (q: number) =>
    (
      percentile(
        ms.map((v) => v * 100),
        q,
      )! / 100
    ).toFixed(2);
  return `| ${label} | ${n} | ${p(0.5)} | ${p(0.99)} |`;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'signal-order-mech-'));
  const server = await startDevServer({ namespace: 'default', dbFile: join(dir, 'temporal.db') });
  const rows: string[] = [];
  try {
    Runtime.install({ logger: new DefaultLogger('WARN'), shutdownSignals: [] });
    const client = new Client({ connection: await Connection.connect({ address: server.address }) });
    const { code } = await bundleWorkflowCode({
      workflowsPath: require.resolve('./order-mechanism-workflows'),
      logger: { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error: console.error },
    });
    const taskQueue = `order-mech-${randomUUID()}`;
    const worker = await Worker.create({
      connection: await NativeConnection.connect({ address: server.address }),
      taskQueue,
      workflowBundle: { code },
    });
    const running = worker.run();
    const tag = randomUUID().slice(0, 8);

    // Warm the paths once before timing.
    await client.workflow.execute('finishedEvent', { taskQueue, workflowId: `${tag}-warm` });

    rows.push(
      await timed('workflow start (plain, for scale)', CALLS, (i) =>
        client.workflow.start('finishedEvent', { taskQueue, workflowId: `${tag}-done-${i}` }),
      ),
    );
    for (let i = 0; i < CALLS; i++) await client.workflow.getHandle(`${tag}-done-${i}`).result();
    rows.push(
      await timed('(a) signal to a closed workflow (fails: "go")', CALLS, async (i) => {
        try {
          await client.workflow.getHandle(`${tag}-done-${i}`).signal('go');
          throw new Error('a closed workflow took a signal');
        } catch (err) {
          if (!(err instanceof WorkflowNotFoundError)) throw err;
        }
      }),
    );
    rows.push(
      await timed('workflow start to result, returns at once', CALLS / 2, (i) =>
        client.workflow.execute('finishedEvent', { taskQueue, workflowId: `${tag}-exec-${i}` }),
      ),
    );
    rows.push(
      await timed('workflow start to result, signals its closed predecessor first', CALLS / 2, async (i) => {
        const went = await client.workflow.execute('chainedEvent', {
          taskQueue,
          workflowId: `${tag}-chain-${i}`,
          args: [`${tag}-done-${i}`],
        });
        if (!went) throw new Error('a closed predecessor took the signal');
      }),
    );
    for (let i = 0; i < CALLS; i++) {
      await client.workflow.start('waitingEvent', { taskQueue, workflowId: `${tag}-wait-${i}` });
    }
    rows.push(
      await timed("(a') signal to a running workflow", CALLS, (i) =>
        client.workflow.getHandle(`${tag}-wait-${i}`).signal('go'),
      ),
    );
    rows.push(
      await timed(`(b) signal-with-start to a per-person sequencer (${PEOPLE} people, round robin)`, CALLS, (i) =>
        client.workflow.signalWithStart('personSequencer', {
          taskQueue,
          workflowId: `${tag}-person-${i % PEOPLE}`,
          args: [60_000],
          signal: 'event',
          signalArgs: [`e${i}`],
        }),
      ),
    );
    worker.shutdown();
    await running;

    const sqlite = new Database(join(dir, 'signal.db'));
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('busy_timeout = 5000');
    sqlite.exec(
      'CREATE TABLE order_seq (integration_id TEXT, person TEXT, seq INTEGER, PRIMARY KEY (integration_id, person))',
    );
    const upsert = sqlite.prepare(UPSERT.replace('$1', '?').replace('$2', '?'));
    rows.push(
      await timed('(c) SQLite upsert of a per-person sequence (WAL, as src/store)', CALLS * 5, (i) =>
        Promise.resolve(upsert.get('bench', `p${i % PEOPLE}`)),
      ),
    );
    sqlite.close();

    const pgUrl = process.env.TEST_POSTGRES_URL;
    if (pgUrl) {
      const admin = new PgClient({ connectionString: pgUrl });
      await admin.connect();
      const db = `order_mech_${tag}`;
      await admin.query(`CREATE DATABASE ${db}`);
      const url = new URL(pgUrl);
      url.pathname = `/${db}`;
      const pg = new PgClient({ connectionString: url.toString() });
      await pg.connect();
      try {
        await pg.query(
          'CREATE TABLE order_seq (integration_id TEXT, person TEXT, seq INTEGER, PRIMARY KEY (integration_id, person))',
        );
        rows.push(
          await timed('(c) PostgreSQL upsert of a per-person sequence (loopback)', CALLS * 5, (i) =>
            pg.query(UPSERT, ['bench', `p${i % PEOPLE}`]),
          ),
        );
      } finally {
        await pg.end();
        await admin.query(`DROP DATABASE ${db}`);
        await admin.end();
      }
    } else {
      rows.push('| (c) PostgreSQL: TEST_POSTGRES_URL not set | - | - | - |');
    }
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  process.stdout.write(
    ['', '| call, one at a time | n | p50 ms | p99 ms |', '|---|---|---|---|', ...rows, ''].join('\n'),
  );
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`order-mechanisms failed: ${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  },
);
