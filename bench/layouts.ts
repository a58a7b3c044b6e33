/**
 * The service under test, in one of two layouts (`--layout`):
 *
 * - `dev-server`: as `npm start` runs it, one process (the file-backed dev server, a worker and the API);
 * - `cluster`: the production layout of test/cluster: a Temporal server built from source on PostgreSQL
 *   (scripts/temporal-cluster, deploy/temporal/cluster.env), two `npm run worker` and one `npm run api` on a
 *   PostgreSQL store, through the helpers those tests use (test/support/cluster-settings.ts).
 *
 * Both run the dist/ that scripts/bench has just built. This module reads no command line, so every bench can use it.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DATA_FILES } from '../src/config';
import { Client as PgClient } from 'pg';
import { freePort } from '../src/temporal/dev-server';
import {
  clusterServiceEnv,
  clusterSettings,
  startServiceProcesses,
  startTemporalCluster,
  stopTemporalCluster,
} from '../test/support/cluster-settings';
import { dropDatabase, freshDatabaseUrl } from '../test/support/databases';
import { exitWithin, killGroup, type Running } from '../test/support/processes';
import { findProcess } from './proc';

export const LAYOUTS = ['dev-server', 'cluster'] as const;
export type LayoutKind = (typeof LAYOUTS)[number];

/** `--layout a,b`: the layouts to run, in that order; a clear error for anything else. */
export function parseLayouts(value: string): LayoutKind[] {
  const kinds = value.split(',').filter((k) => k !== '');
  const unknown = kinds.filter((k) => !(LAYOUTS as readonly string[]).includes(k));
  if (kinds.length === 0 || unknown.length > 0) {
    throw new Error(`--layout takes ${LAYOUTS.join(', ')} or both comma-separated, not "${value}"`);
  }
  return kinds as LayoutKind[];
}

export const NO_POSTGRES =
  '--layout cluster needs PostgreSQL: set TEST_POSTGRES_URL or pass --postgres-url postgres://user:password@host:port/db (a user that may create databases)';

export interface LayoutOptions {
  /** The fake Customer.io (its US host). */
  fakeUrl: string;
  /** PostgreSQL for the cluster layout (its user needs CREATEDB): TEST_POSTGRES_URL or --postgres-url. */
  postgresUrl?: string;
  /** Extra settings for the service's processes. */
  serviceEnv?: Record<string, string>;
  /** Extra node flags for the service's processes. */
  nodeArgs?: string[];
}

export interface RunningLayout {
  kind: LayoutKind;
  /** What the report calls it. */
  label: string;
  /** Temporal's frontend and the namespace the service uses. */
  address: string;
  namespace: string;
  apiUrl: string;
  adminToken: string;
  pipelineKey: string;
  /** The Temporal server's process, for its CPU time and RSS. */
  serverPid: number;
  /** The service's node processes (one for `npm start`; the workers and the API in the cluster). */
  servicePids: number[];
  /** The settings of another `npm run worker` on this layout (bench/kill.ts). */
  workerEnv: Record<string, string>;
  /**
   * The PostgreSQL backends serving the layout's databases (Temporal's two and the store), when PostgreSQL runs on this
   * machine: the cluster's persistence costs CPU there, where the dev server's SQLite costs it in the server's process.
   */
  databasePids?: () => Promise<number[]>;
  /** The last of what the service printed, for a failure's report. */
  tail(): string;
  stop(): Promise<void>;
}

export function startLayout(kind: LayoutKind, options: LayoutOptions): Promise<RunningLayout> {
  return kind === 'cluster' ? startCluster(options) : startDevServer(options);
}

function newSecrets() {
  return {
    ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    SIGNAL_ADMIN_TOKEN: `sio_admin_${randomBytes(16).toString('hex')}`,
    SIGNAL_PIPELINE_KEY: `dk_live_${randomBytes(16).toString('hex')}`,
  };
}

/**
 * A 500-event batch takes the intake over the default 10 s to start on a loaded 2-core host (answered 500 and ended
 * the bench): the bench measures throughput, so its batches get the longest deadline.
 */
const BENCH_SETTINGS = { INTAKE_TEMPORAL_TIMEOUT_MS: '60000' };

async function startDevServer(options: LayoutOptions): Promise<RunningLayout> {
  const dataDir = mkdtempSync(join(tmpdir(), 'signal-bench-'));
  const [apiPort, temporalPort, uiPort] = [await freePort(), await freePort(), await freePort()];
  const secrets = newSecrets();
  const env = {
    ...secrets,
    SIGNAL_DATA_DIR: dataDir,
    CUSTOMERIO_TRACK_URL_US: options.fakeUrl,
    LOG_LEVEL: 'warn',
  };
  const service = runNode(
    'main',
    {
      ...env,
      PORT: String(apiPort),
      TEMPORAL_DEV_PORT: String(temporalPort),
      TEMPORAL_UI_PORT: String(uiPort),
      ...BENCH_SETTINGS,
      ...options.serviceEnv,
    },
    options.nodeArgs,
  );
  const stop = async () => {
    if (service.child.exitCode === null) {
      service.child.kill('SIGINT');
      await new Promise((done) => service.child.once('exit', done));
    }
    rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    await service.waitFor(/signal-customerio is running/, 120_000);
    const serverPid = findProcess(['server', 'start-dev', '--port', String(temporalPort)]);
    if (!serverPid) throw new Error('cannot find the Temporal dev server process');
    return {
      kind: 'dev-server',
      label: 'dev server (npm start: one process)',
      address: `127.0.0.1:${temporalPort}`,
      namespace: 'default',
      apiUrl: `http://127.0.0.1:${apiPort}`,
      adminToken: secrets.SIGNAL_ADMIN_TOKEN,
      pipelineKey: secrets.SIGNAL_PIPELINE_KEY,
      serverPid,
      servicePids: [service.child.pid!],
      workerEnv: {
        ...env,
        TEMPORAL_ADDRESS: `127.0.0.1:${temporalPort}`,
        DATABASE_URL: `sqlite:${join(dataDir, DATA_FILES.db)}`,
      },
      tail: service.tail,
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

async function startCluster(options: LayoutOptions): Promise<RunningLayout> {
  const postgresUrl = options.postgresUrl;
  if (!postgresUrl) {
    throw new Error(NO_POSTGRES);
  }
  let cluster: Running | undefined;
  let databaseUrl: string | undefined;
  const processes: Running[] = [];
  const stop = async () => {
    for (const p of processes) killGroup(p, 'SIGTERM');
    await Promise.all(processes.map((p) => exitWithin(p, 30_000, 'closed').catch(() => killGroup(p, 'SIGKILL'))));
    await stopTemporalCluster(cluster);
    if (databaseUrl) {
      await dropDatabase(postgresUrl, databaseUrl).catch((err: Error) =>
        process.stderr.write(`[bench] could not drop the store's database: ${err.message}\n`),
      );
    }
  };
  try {
    let address: string;
    ({ cluster, address } = await startTemporalCluster(postgresUrl));
    // The script runs in a process group of its own; the server is the one process in it started with its config.
    const serverPid = findProcess(['--config-file', 'start'], cluster.child.pid);
    if (!serverPid) throw new Error('cannot find the Temporal server process of scripts/temporal-cluster');
    databaseUrl = await freshDatabaseUrl(postgresUrl);
    const port = await freePort();
    const secrets = newSecrets();
    const env = clusterServiceEnv({
      secrets,
      address,
      databaseUrl,
      fakeUrl: options.fakeUrl,
      port,
      distDir: 'dist',
      extra: {
        // The limiter splits each integration's rate between the workers, as compose's WORKER_REPLICAS does.
        WORKER_REPLICAS: '2',
        ...BENCH_SETTINGS,
        ...(options.nodeArgs?.length ? { SIGNAL_NODE_ARGS: options.nodeArgs.join(' ') } : {}),
        ...options.serviceEnv,
      },
    });
    const temporalDatabases = /databases (\S+) and (\S+) on/.exec(cluster.output())?.slice(1) ?? [];
    const started = await startServiceProcesses(env, 2);
    processes.push(...started.workers, started.api);
    const nodeOf = (p: Running, entry: string) => {
      const pid = findProcess([`dist/${entry}.js`], p.child.pid);
      if (!pid) throw new Error(`cannot find the node process of npm run ${entry}`);
      return pid;
    };
    return {
      kind: 'cluster',
      label: 'production layout (Temporal cluster on PostgreSQL, 2 × npm run worker, npm run api)',
      address,
      namespace: clusterSettings().TEMPORAL_NAMESPACE!,
      apiUrl: `http://127.0.0.1:${port}`,
      adminToken: secrets.SIGNAL_ADMIN_TOKEN,
      pipelineKey: secrets.SIGNAL_PIPELINE_KEY,
      serverPid,
      servicePids: [...started.workers.map((w) => nodeOf(w, 'worker/main')), nodeOf(started.api, 'api/main')],
      workerEnv: env,
      ...(isLoopback(postgresUrl)
        ? { databasePids: () => backendsOf(postgresUrl, [...temporalDatabases, databaseName(databaseUrl!)]) }
        : {}),
      tail: () => processes.map((p) => p.output().slice(-1500)).join('\n---\n'),
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

const isLoopback = (url: string) => ['127.0.0.1', 'localhost', '[::1]'].includes(new URL(url).hostname);
const databaseName = (url: string) => decodeURIComponent(new URL(url).pathname.slice(1));

/** The server processes of the connections to these databases now (pg_stat_activity). */
async function backendsOf(postgresUrl: string, databases: string[]): Promise<number[]> {
  const client = new PgClient({ connectionString: postgresUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ pid: number }>(
      'SELECT pid FROM pg_stat_activity WHERE datname = ANY($1::text[])',
      [databases],
    );
    return rows.map((r) => r.pid);
  } finally {
    await client.end();
  }
}

/** Runs a service entry the way `npm start` / `npm run worker` do (scripts/run), on the dist/ this bench just built. */
export function runNode(entry: string, env: Record<string, string>, nodeArgs: string[] = []) {
  const child: ChildProcess = spawn('bash', ['scripts/run', entry], {
    cwd: process.cwd(),
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      SIGNAL_SKIP_BUILD: '1',
      ...(nodeArgs.length > 0 ? { SIGNAL_NODE_ARGS: nodeArgs.join(' ') } : {}),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (output += c.toString()));
  return {
    child,
    /** The last of what it printed, for a failure's report. */
    tail: () => output.slice(-3000),
    async waitFor(pattern: RegExp, timeoutMs: number): Promise<void> {
      const deadline = Date.now() + timeoutMs;
      while (!pattern.test(output)) {
        if (child.exitCode !== null) throw new Error(`${entry} exited (${child.exitCode}):\n${output.slice(-3000)}`);
        if (Date.now() > deadline) throw new Error(`${entry} did not print ${pattern}:\n${output.slice(-3000)}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    },
  };
}
