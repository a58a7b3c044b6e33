import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, resolve } from 'node:path';
import { promisify } from 'node:util';
import { Connection } from '@temporalio/client';
import { searchAttributeCliFlags } from './search-attributes';

/**
 * What the dev server runs with beyond its defaults, for `npm start` and the tests alike:
 * - start-dev re-reads cluster metadata under a mutex on every search-attribute read, about five times per delivery
 *   (the CLI's default; "should not be turned on in production"). The attributes are registered at start, so the
 *   cached copy is right.
 * - eager activity execution: an activity scheduled by a workflow task goes straight back to the worker.
 * - polls complete on worker shutdown: the namespace advertises `workerPollCompleteOnShutdown`, and a stopping worker
 *   (SIGTERM) asks the server to answer its open polls empty (ShutdownWorker) instead of cancelling them itself, which
 *   can race with the server handing the poll a workflow task that then waits out the workflow-task timeout (issue 14,
 *   item 13; server 1.32: common/dynamicconfig/constants.go, service/frontend/namespace_handler.go; sdk-core's graceful
 *   poll shutdown, temporalio/sdk-rust#1122). Not enough on its own with TypeScript SDK 1.24: its core also drops
 *   tasks it already holds when it stops (test/integration/worker-shutdown.test.ts has the figures). Same in
 *   deploy/temporal/dynamic-config.yaml.
 */
const DEV_DYNAMIC_CONFIG: Record<string, unknown> = {
  'system.forceSearchAttributesCacheRefreshOnRead': false,
  'system.enableActivityEagerExecution': true,
  'matching.numTaskqueueReadPartitions': 1,
  'matching.numTaskqueueWritePartitions': 1,
  'frontend.enableCancelWorkerPollsOnShutdown': true,
};

interface DevServerOptions {
  /** Path of the temporal CLI; found with scripts/temporal-cli when omitted. */
  binary?: string;
  ip?: string;
  port?: number;
  /** Web UI port; omit for a headless server. */
  uiPort?: number;
  /** SQLite file for durable state; in-memory when omitted. */
  dbFile?: string;
  /** The namespace it creates and waits for (TEMPORAL_NAMESPACE). */
  namespace: string;
  logLevel?: 'debug' | 'info' | 'warn' | 'error' | 'never';
  readyTimeoutMs?: number;
  /** Where the server's own output goes (default: discarded, but kept for error messages). */
  onOutput?: (chunk: string) => void;
}

export interface DevServer {
  address: string;
  uiUrl?: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

/** Runs scripts/temporal-cli: the project's own, offline way to a `temporal` binary. */
async function findTemporalCli(): Promise<string> {
  const { stdout } = await promisify(execFile)('bash', [temporalCliScript()], {
    maxBuffer: 1024 * 1024,
  });
  return stdout.trim().split('\n').pop()!.trim();
}

/**
 * Starts `temporal server start-dev` with the delivery search attributes registered, and waits until its
 * frontend answers. Used by `npm start` and by the test suite's global setup.
 */
export async function startDevServer(options: DevServerOptions): Promise<DevServer> {
  const binary = options.binary ?? (await findTemporalCli());
  const ip = options.ip ?? '127.0.0.1';
  const port = options.port ?? (await freePort(ip));
  const args = ['server', 'start-dev', '--ip', ip, '--port', String(port), '--log-level', options.logLevel ?? 'warn'];
  args.push('--namespace', options.namespace);
  if (options.uiPort) args.push('--ui-port', String(options.uiPort));
  else args.push('--headless');
  if (options.dbFile) args.push('--db-filename', options.dbFile);
  args.push('--sqlite-pragma', 'journal_mode=WAL', '--sqlite-pragma', 'synchronous=NORMAL');
  for (const [key, value] of Object.entries(DEV_DYNAMIC_CONFIG))
    args.push('--dynamic-config-value', `${key}=${JSON.stringify(value)}`);
  args.push(...searchAttributeCliFlags());

  // Its own process group: a terminal's Ctrl-C must not kill Temporal before the worker has drained.
  const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  child.once('exit', () => process.removeListener('exit', killOnExit));
  let output = '';
  const collect = (chunk: Buffer) => {
    const text = chunk.toString();
    output = (output + text).slice(-8000);
    options.onOutput?.(text);
  };
  child.stdout!.on('data', collect);
  child.stderr!.on('data', collect);
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));

  const address = `${ip}:${port}`;
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  };
  try {
    await waitUntilReady(address, options.namespace, options.readyTimeoutMs ?? 60_000, exited, () => output);
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    address,
    process: child,
    stop,
    ...(options.uiPort ? { uiUrl: `http://${ip === '0.0.0.0' ? 'localhost' : ip}:${options.uiPort}` } : {}),
  };
}

async function waitUntilReady(
  address: string,
  namespace: string,
  timeoutMs: number,
  exited: Promise<number | null>,
  output: () => string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exitCode: number | null | undefined;
  void exited.then((code) => (exitCode = code));
  let lastError: unknown;
  while (Date.now() < deadline) {
    if (exitCode !== undefined) throw new Error(`temporal dev server exited with code ${exitCode}:\n${output()}`);
    try {
      const connection = await Connection.connect({ address, connectTimeout: 2_000 });
      try {
        await connection.workflowService.describeNamespace({ namespace });
        return;
      } finally {
        await connection.close();
      }
    } catch (err) {
      lastError = err;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  throw new Error(
    `temporal dev server at ${address} not ready after ${timeoutMs} ms: ${String(lastError)}\n${output()}`,
  );
}

/** scripts/temporal-cli of the project this module belongs to, whether it runs from src/ or a compiled copy. */
function temporalCliScript(): string {
  for (let dir = __dirname; dir !== dirname(dir); dir = dirname(dir)) {
    const script = resolve(dir, 'scripts/temporal-cli');
    if (existsSync(script)) return script;
  }
  throw new Error('scripts/temporal-cli not found above ' + __dirname);
}

export async function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolvePort(address.port) : reject(new Error('no port')),
      );
    });
  });
}
