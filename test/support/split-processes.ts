import { randomBytes, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { freePort } from '../../src/temporal/dev-server';
import type { FakeCustomerIo } from './fake-customerio';
import { httpClient } from './http';
import { exitWithin, type Running, runNode } from './processes';

/** Far longer than an install or an intake request takes; short of the tests' own deadline. */
const CALL_TIMEOUT_MS = 20_000;

/**
 * `npm run worker` and `npm run api` as separate processes on one Temporal server and one SQLite file in `dir`, with
 * secrets named after `name`: the fake Customer.io must accept site `<name>-site` with key `<name>-key`.
 */
export async function startSplitProcesses(options: {
  name: string;
  temporalAddress: string;
  dir: string;
  fake: FakeCustomerIo;
}) {
  const { name } = options;
  const port = await freePort();
  const env = {
    TEMPORAL_ADDRESS: options.temporalAddress,
    TEMPORAL_TASK_QUEUE: `${name}-${randomUUID()}`,
    DATABASE_URL: `sqlite:${join(options.dir, 'signal.db')}`,
    ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    SIGNAL_ADMIN_TOKEN: `${name}-admin-token`,
    SIGNAL_PIPELINE_KEY: `${name}-pipeline-key`,
    CUSTOMERIO_TRACK_URL_US: options.fake.url,
    PORT: String(port),
    LOG_LEVEL: 'info',
  };
  const worker = runNode('worker/main', env);
  const api = runNode('api/main', env);
  const call = httpClient(() => `http://127.0.0.1:${port}`);
  const processes: Running[] = [worker, api];
  /** A call that failed (timed out, say) fails with what both processes printed. */
  const told = <T>(pending: Promise<T>): Promise<T> =>
    pending.catch((err: unknown) => {
      const printed = [
        `--- worker/main ---`,
        worker.output().slice(-3000),
        `--- api/main ---`,
        api.output().slice(-3000),
      ];
      throw new Error([String(err), ...printed].join('\n'));
    });
  try {
    await worker.waitFor(/delivery worker running/);
    await api.waitFor(/Server listening/);
  } catch (err) {
    for (const p of processes) p.child.kill('SIGKILL');
    throw err;
  }
  return {
    worker,
    api,
    /** `pending`, failing with what both processes printed when it fails (a wait at the fake Customer.io, say). */
    told,
    /** Installs the integration through the API; its answer's status. */
    async install(): Promise<number> {
      const installed = await told(
        call('POST', '/v1/admin/integration-catalog/customer_io/install', {
          token: env.SIGNAL_ADMIN_TOKEN,
          body: {
            name,
            config: { site_id: `${name}-site`, api_key: 'a', tracking_api_key: `${name}-key`, region: 'us' },
          },
          timeoutMs: CALL_TIMEOUT_MS,
        }),
      );
      return installed.status;
    },
    /** Hands a track event of `userId` to the intake; its answer's status. */
    async track(event: string, userId: string): Promise<number> {
      const sent = await told(
        call('POST', '/v1/events', {
          token: env.SIGNAL_PIPELINE_KEY,
          body: { type: 'track', event, userId },
          timeoutMs: CALL_TIMEOUT_MS,
        }),
      );
      return sent.status;
    },
    /** SIGKILL to whichever still runs: for afterAll, so a test that timed out leaves no process behind. */
    kill(): void {
      for (const p of processes) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
    },
    /** SIGTERM to both; their exit codes (one that does not exit within 30 s is killed, and fails with its output). */
    async stop(): Promise<(number | null)[]> {
      for (const p of processes) p.child.kill('SIGTERM');
      return Promise.all(processes.map((p) => exitWithin(p, 30_000)));
    },
    /** What neither process may ever print. */
    secrets: [`${name}-key`, env.SIGNAL_ADMIN_TOKEN, env.SIGNAL_PIPELINE_KEY, env.ENCRYPTION_KEY],
  };
}
