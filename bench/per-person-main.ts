/**
 * `npm run bench:order`: the per-person order bench (bench/per-person.ts) against the service as `npm start` runs it.
 *
 *   npm run bench:order -- [--people 40] [--events 8] [--fail-share 0.3] [--seed bench] [--batch 40]
 *                          [--deadline-s 600]
 *
 * Today's retry schedule is not shortened (no setting reaches it in `npm start`): a failed attempt waits 4 s, 8 s,
 * 16 s … so a run takes about a minute. The service start below repeats run.ts's runNode in a few lines; run.ts runs
 * its bench when imported, so it exports nothing to reuse.
 */
import { spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { Agent, request } from 'undici';
import { freePort } from '../src/temporal/dev-server';
import { OrderingFake, runPerPerson } from './per-person';
import { runBenchMain } from './loopback-track-api';

const { values: flags } = parseArgs({
  options: {
    people: { type: 'string', default: '40' },
    events: { type: 'string', default: '8' },
    'fail-share': { type: 'string', default: '0.3' },
    seed: { type: 'string', default: 'bench' },
    batch: { type: 'string', default: '40' },
    'deadline-s': { type: 'string', default: '600' },
  },
});

const http = new Agent({ keepAliveTimeout: 60_000, connections: 8 });

async function main(): Promise<void> {
  const failShare = Number(flags['fail-share']);
  const fake = await OrderingFake.start(failShare, flags.seed);
  const dataDir = mkdtempSync(join(tmpdir(), 'signal-bench-order-'));
  const [apiPort, temporalPort, uiPort] = [await freePort(), await freePort(), await freePort()];
  const adminToken = `sio_admin_${randomBytes(16).toString('hex')}`;
  const pipelineKey = `dk_live_${randomBytes(16).toString('hex')}`;
  const apiUrl = `http://127.0.0.1:${apiPort}`;
  const child = spawn('bash', ['scripts/run', 'main'], {
    cwd: process.cwd(),
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      SIGNAL_SKIP_BUILD: '1',
      ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      SIGNAL_ADMIN_TOKEN: adminToken,
      SIGNAL_PIPELINE_KEY: pipelineKey,
      SIGNAL_DATA_DIR: dataDir,
      CUSTOMERIO_TRACK_URL_US: fake.url,
      LOG_LEVEL: 'warn',
      PORT: String(apiPort),
      TEMPORAL_DEV_PORT: String(temporalPort),
      TEMPORAL_UI_PORT: String(uiPort),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr.on('data', (c: Buffer) => (output += c.toString()));
  try {
    const deadline = Date.now() + 120_000;
    while (!/signal-customerio is running/.test(output)) {
      if (child.exitCode !== null || Date.now() > deadline)
        throw new Error(`npm start failed:\n${output.slice(-3000)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const client = new Client({
      connection: await Connection.connect({ address: `127.0.0.1:${temporalPort}` }),
      namespace: 'default',
    });
    const call = async (token: string, path: string, body: unknown) => {
      const res = await request(`${apiUrl}${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
        dispatcher: http,
      });
      return { status: res.statusCode, text: await res.body.text() };
    };
    const installed = await call(adminToken, '/v1/admin/integration-catalog/customer_io/install', {
      name: 'bench per-person order',
      variant: 'default',
      config: { site_id: 'bench', api_key: 'bench', tracking_api_key: 'bench', region: 'us', consent_categories: [] },
      delivery_mode: 'server_side',
    });
    if (installed.status !== 201) throw new Error(`install answered ${installed.status}: ${installed.text}`);
    const integrationId = (JSON.parse(installed.text) as { id: string }).id;
    const options = {
      people: Number(flags.people),
      eventsPerPerson: Number(flags.events),
      batch: Number(flags.batch),
      deadlineMs: Number(flags['deadline-s']) * 1000,
    };
    const report = await runPerPerson({
      options,
      fake,
      client,
      integrationId,
      tag: `order-${randomUUID().slice(0, 8)}`,
      post: async (batch) => {
        const res = await call(pipelineKey, '/v1/batch', { batch });
        if (res.status !== 202) throw new Error(`intake answered ${res.status}: ${res.text.slice(0, 500)}`);
      },
    });
    process.stdout.write(
      [
        '',
        `## Per-person order: ${report.people} people × ${options.eventsPerPerson} events (identify first, User Deleted last), ${Math.round(failShare * 100)} % of Customer.io requests answered 500 (seed ${flags.seed}), batches of ${options.batch}`,
        '',
        `people with at least one inversion at Customer.io: ${report.peopleWithInversion} of ${report.people}`,
        `deletions undone (a later 2xx for a deleted person): ${report.deletionsUndone} of ${report.people}`,
        `requests ${report.requests}, answered 500: ${report.failedAnswers}; closed deliveries ${JSON.stringify(report.closed)}`,
        `all ${report.events} delivered or failed after ${report.deliveredOrFailedSeconds} s (${report.perSecond} events/s)`,
        `event→Customer.io (first 2xx) p50 ${report.latencyP50} ms, p99 ${report.latencyP99} ms`,
        '',
      ].join('\n'),
    );
  } finally {
    child.kill('SIGINT');
    await new Promise((done) => (child.exitCode !== null ? done(null) : child.once('exit', done)));
    await fake.close();
    await http.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

runBenchMain('bench:order', main);
