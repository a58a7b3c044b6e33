import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { eventually } from './eventually';
import { exitWithin, killGroup, ROOT, runCommand, type Running } from './processes';

/*
 * The production layout of test/cluster, shared by those tests and the bench's `--layout cluster` (bench/layouts.ts):
 * the Temporal cluster, the service's settings on it, and its processes. Nothing here depends on jest.
 */

/** deploy/temporal/cluster.env as bash and docker-compose read it: KEY=value lines, # comments, nothing quoted. */
export function clusterSettings(): Record<string, string> {
  const text = readFileSync(resolve(ROOT, 'deploy/temporal/cluster.env'), 'utf8');
  return Object.fromEntries(
    text
      .split('\n')
      .filter((line) => /^[A-Z][A-Z0-9_]*=/.test(line))
      .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
  );
}

/**
 * Starts scripts/temporal-cluster (a Temporal server on PostgreSQL with SQL visibility, set up from cluster.env) on the
 * given database server and waits for its frontend address.
 */
export async function startTemporalCluster(postgresUrl: string): Promise<{ cluster: Running; address: string }> {
  const cluster = runCommand(
    'bash',
    ['scripts/temporal-cluster'],
    { TEMPORAL_CLUSTER_POSTGRES_URL: postgresUrl, ...(process.env.TMPDIR ? { TMPDIR: process.env.TMPDIR } : {}) },
    { name: 'scripts/temporal-cluster', group: true },
  );
  // Minutes only when scripts/temporal-server has to build the server (.ci/run builds it before the tests).
  const address = (await cluster.waitFor(/temporal cluster ready at (\S+)/, 20 * 60_000))[1]!;
  return { cluster, address };
}

/** How many times each cluster was restarted: its script prints a line for each. */
const restarts = new WeakMap<Running, number>();

/**
 * Restarts the cluster's server as a crash would (scripts/temporal-cluster on SIGUSR1: SIGKILL, then a new server on
 * the same ports and databases), and waits until its frontend is healthy again.
 */
export async function restartTemporalCluster(cluster: Running, timeoutMs = 180_000): Promise<void> {
  const count = (restarts.get(cluster) ?? 0) + 1;
  restarts.set(cluster, count);
  cluster.child.kill('SIGUSR1');
  await cluster.waitFor(new RegExp(`(?:temporal cluster restarted[\\s\\S]*?){${count}}`), timeoutMs);
}

/** Stops a cluster still running: SIGTERM to the script alone stops the server, drops its databases and directory. */
export async function stopTemporalCluster(cluster: Running | undefined): Promise<void> {
  if (!cluster || cluster.child.exitCode !== null) return;
  cluster.child.kill('SIGTERM');
  await exitWithin(cluster, 60_000).catch(() => killGroup(cluster, 'SIGKILL'));
}

/**
 * The environment of `npm run api` / `npm run worker` on a test cluster: its namespace, the store on `databaseUrl`,
 * Customer.io's US host the fake, and `npm run` exactly on a compiled copy of src/ (a build per process would race on
 * dist/): `distDir`, by default the one global setup compiled. `extra` adds or overrides settings.
 */
export function clusterServiceEnv(options: {
  secrets: Record<string, string>;
  address: string;
  databaseUrl: string;
  fakeUrl: string;
  port: number;
  distDir?: string;
  extra?: Record<string, string>;
}): Record<string, string> {
  return {
    ...options.secrets,
    TEMPORAL_ADDRESS: options.address,
    TEMPORAL_NAMESPACE: clusterSettings().TEMPORAL_NAMESPACE!,
    DATABASE_URL: options.databaseUrl,
    CUSTOMERIO_TRACK_URL_US: options.fakeUrl,
    PORT: String(options.port),
    LOG_LEVEL: 'info',
    SIGNAL_SKIP_BUILD: '1',
    SIGNAL_DIST_DIR: options.distDir ?? process.env.TEST_DIST_DIR!,
    ...options.extra,
  };
}

/** The service's processes in the production layout, each in a process group of its own (see killGroup). */
export interface ServiceProcesses {
  workers: Running[];
  api: Running;
  /** Each worker's identity, as its log line and Temporal's histories name it. */
  workerIdentities: string[];
}

/**
 * Starts `workers` × `npm run worker` and one `npm run api` on `env` (clusterServiceEnv; LOG_LEVEL info or lower, since
 * readiness is read from their log lines), all at once as compose starts them: they share a fresh store and its
 * migrations. Resolves once every worker polls and the API listens.
 */

export async function startServiceProcesses(env: Record<string, string>, workers: number): Promise<ServiceProcesses> {
  const started: ServiceProcesses = {
    workers: Array.from({ length: workers }, (_, i) =>
      runCommand('npm', ['run', 'worker'], env, { name: `worker ${i + 1}`, group: true }),
    ),
    api: runCommand('npm', ['run', 'api'], env, { name: 'api', group: true }),
    workerIdentities: [],
  };
  try {
    const [identities] = await Promise.all([
      Promise.all(
        started.workers.map((w) => w.waitFor(/"identity":"([^"]+)"[^\n]*"msg":"delivery worker running"/, 90_000)),
      ),
      started.api.waitFor(/Server listening/, 90_000),
    ]);
    started.workerIdentities.push(...identities.map((m) => m[1]!));
    // Listening is not ready: on a loaded CI host its store can still be out of reach, and an install then answers 503
    // STORE_UNAVAILABLE (seen in fresh clones). Ready first, as a load balancer would wait.
    await eventually(
      async () => ((await fetch(`http://127.0.0.1:${env.PORT}/readyz`)).ok ? true : undefined),
      'the API to be ready',
      60_000,
    );
    return started;
  } catch (err) {
    // The caller never gets the handles of a start that failed, so none may outlive it.
    for (const p of [started.api, ...started.workers]) killGroup(p, 'SIGKILL');
    throw err;
  }
}
