/**
 * `npm run bench`: the delivery pipeline against Temporal's own floor (an empty workflow) and against a bare
 * one-activity workflow, side by side on the same file-backed dev server in one run, open loop.
 *
 *   npm run bench -- [--events 5000] [--rounds 2] [--concurrency 32] [--batch 500] [--intake-concurrency 2]
 *                    [--backlog 10000] [--kill] [--outage 120] [--outage-events 2000] [--outage-rate 20]
 *
 * The pipeline runs as `npm start` runs it (its compiled entry, one process: dev server, worker, API) and gets its
 * events through `POST /v1/batch`; the baselines run on a worker in this process and are started with a plain client.
 * A delivery counts once its workflow has completed (visibility), for every path alike. Nothing here asserts a
 * timing: the machine is shared and noisy, so it prints ratios and medians to quote.
 *
 * This file starts everything and runs the phases in turn: the paths (bench/paths), the backlog, the worker kill
 * (bench/kill.ts) and the Customer.io outage (bench/outage.ts); bench/report.ts prints what they measured.
 */
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, type Worker } from '@temporalio/worker';
import { request } from 'undici';
import { freePort } from '../src/temporal/dev-server';
import { FakeTrackApi } from './fake-track-api';
import { BACKLOG, flags, PATHS, ROUNDS } from './flags';
import { killWorker } from './kill';
import { outage } from './outage';
import { barePath } from './paths/bare';
import { baselineDone, startBaselines, startBaselineWorker } from './paths/baseline';
import { emptyPath } from './paths/empty';
import { measure } from './paths/measure';
import { pipelinePath, sendThroughIntake } from './paths/pipeline';
import { findProcess } from './proc';
import { log, type PhaseResult, printReport } from './report';
import { type Bench, call, deliveredTo, http, runNode } from './service';
import { runBenchMain } from './loopback-track-api';

const PHASES: Record<string, (bench: Bench, round: number) => Promise<PhaseResult>> = {
  empty: emptyPath,
  bare: barePath,
  pipeline: pipelinePath,
};

async function main(): Promise<void> {
  const started = Date.now();
  const fake = await FakeTrackApi.start();
  const dataDir = mkdtempSync(join(tmpdir(), 'signal-bench-'));
  const [apiPort, temporalPort, uiPort] = [await freePort(), await freePort(), await freePort()];
  const secrets = {
    ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    SIGNAL_ADMIN_TOKEN: `sio_admin_${randomBytes(16).toString('hex')}`,
    SIGNAL_PIPELINE_KEY: `dk_live_${randomBytes(16).toString('hex')}`,
  };
  const apiUrl = `http://127.0.0.1:${apiPort}`;
  const address = `127.0.0.1:${temporalPort}`;
  const env = { ...secrets, SIGNAL_DATA_DIR: dataDir, CUSTOMERIO_TRACK_URL_US: fake.url, LOG_LEVEL: 'warn' };
  const service = runNode(
    'main',
    {
      ...env,
      PORT: String(apiPort),
      TEMPORAL_DEV_PORT: String(temporalPort),
      TEMPORAL_UI_PORT: String(uiPort),
      // A 500-event batch takes the intake over the default 10 s to start on a loaded 2-core host (answered 500 and
      // ended the bench): the bench measures throughput, so its batches get the longest deadline.
      INTAKE_TEMPORAL_TIMEOUT_MS: '60000',
      ...Object.fromEntries(
        flags['service-env'].map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]),
      ),
    },
    flags['service-node-arg'],
  );
  const children: ChildProcess[] = [service.child];
  let baselineWorker: Worker | undefined;
  let baselineRunning: Promise<void> | undefined;
  try {
    await service.waitFor(/signal-customerio is running/, 120_000);
    const serverPid = findProcess(['server', 'start-dev', '--port', String(temporalPort)]);
    if (!serverPid) throw new Error('cannot find the Temporal dev server process');
    const servicePid = service.child.pid!;
    log(`npm start is up (node pid ${servicePid}, Temporal dev server pid ${serverPid}, data ${dataDir})`);

    Runtime.install({ logger: new DefaultLogger('WARN'), shutdownSignals: [] });
    const client = new Client({ connection: await Connection.connect({ address }), namespace: 'default' });
    const baseline = await startBaselineWorker(await NativeConnection.connect({ address }), fake.url);
    baselineWorker = baseline.worker;
    baselineRunning = baselineWorker.run();

    const admin = (method: string, path: string, body?: unknown) =>
      call(apiUrl, secrets.SIGNAL_ADMIN_TOKEN, method, path, body);
    const bench: Bench = {
      fake,
      client,
      apiUrl,
      pipelineKey: secrets.SIGNAL_PIPELINE_KEY,
      adminToken: secrets.SIGNAL_ADMIN_TOKEN,
      env,
      address,
      serverPid,
      servicePid,
      baselineQueue: baseline.taskQueue,
      children,
      async install(name, siteId = 'bench', consentCategories = []) {
        const res = await admin('POST', '/v1/admin/integration-catalog/customer_io/install', {
          name,
          variant: 'default',
          config: {
            site_id: siteId,
            api_key: 'bench',
            tracking_api_key: 'bench',
            region: 'us',
            consent_categories: consentCategories,
          },
          delivery_mode: 'server_side',
        });
        if (res.status !== 201) throw new Error(`install answered ${res.status}: ${JSON.stringify(res.body)}`);
        return (res.body as { id: string }).id;
      },
      disable: (id) => admin('PATCH', `/v1/admin/integrations/${id}`, { enabled: false }),
    };

    // Warm every path (V8 contexts, bundles, connections, SQLite pages) before anything is timed.
    const warm = await bench.install('bench warm-up');
    for (const type of ['emptyWorkflow', 'bareDelivery'] as const) {
      const name = `warm-up ${type === 'emptyWorkflow' ? 'empty' : 'bare'}`;
      await measure(bench, name, 50, (tag) => startBaselines(bench, type, 50, tag), baselineDone(type));
    }
    await measure(
      bench,
      'warm-up pipeline',
      50,
      (tag) => sendThroughIntake(bench, tag, 50),
      () => deliveredTo(warm),
    );
    await bench.disable(warm);

    const results: PhaseResult[] = [];
    for (let round = 1; round <= ROUNDS; round++) {
      // Every run leaves rows in Temporal's SQLite database, and later phases run on a bigger one: the order turns
      // round by round so no path always runs last.
      const order = ['empty', 'bare', 'pipeline'].filter((p) => PATHS.has(p));
      if (round % 2 === 0) order.reverse();
      for (const path of order) results.push(await PHASES[path]!(bench, round));
    }

    let backlog: PhaseResult | undefined;
    if (BACKLOG > 0) {
      const integrationId = await bench.install('bench backlog');
      backlog = await measure(
        bench,
        `backlog of ${BACKLOG}`,
        BACKLOG,
        (tag) => sendThroughIntake(bench, tag, BACKLOG),
        () => deliveredTo(integrationId),
      );
      await bench.disable(integrationId);
    }

    let kill: string | undefined;
    if (flags.kill) {
      kill = await killWorker(bench).catch((err: Error) => `the kill phase failed: ${err.message.split('\n')[0]}`);
    }

    let outageReport: string | undefined;
    if (flags.outage) {
      outageReport = await outage(bench, Number(flags.outage)).catch(
        (err: Error) => `the outage phase failed: ${err.message.split('\n')[0]}`,
      );
    }

    const metrics = await request(`${apiUrl}/metrics`, { dispatcher: http }).then((r) => r.body.text());
    const mb = (name: string) => {
      const value = new RegExp(`^${name} (\\S+)$`, 'm').exec(metrics)?.[1];
      return value === undefined ? '?' : (Number(value) / 1e6).toFixed(0);
    };
    log(
      `service memory at the end: RSS ${mb('process_resident_memory_bytes')} MB, V8 heap ${mb('nodejs_heap_size_used_bytes')} of ${mb('nodejs_heap_size_total_bytes')} MB, external ${mb('nodejs_external_memory_bytes')} MB`,
    );
    printReport(results, backlog, kill, { serverPid, started });
    if (outageReport) process.stdout.write(`\nCustomer.io outage: ${outageReport}\n`);
  } catch (err) {
    log(`the service printed last:\n${service.tail()}`);
    throw err;
  } finally {
    baselineWorker?.shutdown();
    await baselineRunning?.catch(() => undefined);
    for (const child of children) child.kill('SIGINT');
    await Promise.all(
      children.map((c) => new Promise((done) => (c.exitCode !== null ? done(null) : c.once('exit', done)))),
    );
    await fake.close();
    await http.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

runBenchMain('bench', main);
