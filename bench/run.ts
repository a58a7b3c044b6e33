/**
 * `npm run bench`: the delivery pipeline against Temporal's own floor (an empty workflow) and against a bare
 * one-activity workflow, side by side on the same Temporal server in one run, open loop.
 *
 *   npm run bench -- [--events 5000] [--rounds 2] [--concurrency 32] [--batch 500] [--intake-concurrency 2]
 *                    [--backlog 10000] [--kill] [--outage 120] [--outage-events 2000] [--outage-rate 20]
 *                    [--steady 30] [--steady-rate 20]
 *                    [--layout dev-server|cluster|dev-server,cluster] [--postgres-url postgres://…]
 *
 * The pipeline runs in its layout (bench/layouts.ts): as `npm start` runs it (one process: dev server, worker, API),
 * or in the production layout (a Temporal cluster on PostgreSQL, two `npm run worker`, one `npm run api`), and gets
 * its events through `POST /v1/batch`; the baselines run on a worker in this process against the same Temporal server
 * and are started with a plain client. A delivery counts once its workflow has completed (visibility), for every path
 * alike. Nothing here asserts a timing: the machine is shared and noisy, so it prints ratios and medians to quote.
 *
 * This file starts everything and runs the phases in turn, layout by layout: the paths (bench/paths), the backlog, a
 * steady stream (bench/steady.ts), the worker kill (bench/kill.ts) and the Customer.io outage (bench/outage.ts); bench/report.ts prints what they measured.
 */
import type { ChildProcess } from 'node:child_process';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import { request } from 'undici';
import { FakeTrackApi } from './fake-track-api';
import { BACKLOG, flags, LAYOUT_KINDS, PATHS, POSTGRES_URL, ROUNDS } from './flags';
import { killWorker } from './kill';
import { steady } from './steady';
import { NO_POSTGRES, type RunningLayout, startLayout } from './layouts';
import { outage } from './outage';
import { barePath } from './paths/bare';
import { baselineDone, startBaselines, startBaselineWorker } from './paths/baseline';
import { emptyPath } from './paths/empty';
import { measure } from './paths/measure';
import { pipelinePath, sendThroughIntake, unorderedPipelinePath } from './paths/pipeline';
import { rssMb } from './proc';
import { type LayoutReport, log, type PhaseResult, printComparison, printReport } from './report';
import { type Bench, call, deliveredTo, http } from './service';
import { runBenchMain } from './loopback-track-api';

const PHASES: Record<string, (bench: Bench, round: number) => Promise<PhaseResult>> = {
  empty: emptyPath,
  bare: barePath,
  pipeline: pipelinePath,
  unordered: unorderedPipelinePath,
};

async function main(): Promise<void> {
  const started = Date.now();
  // Said before the dev server's run rather than after it.
  if (LAYOUT_KINDS.includes('cluster') && !POSTGRES_URL) throw new Error(NO_POSTGRES);
  const fake = await FakeTrackApi.start();
  Runtime.install({ logger: new DefaultLogger('WARN'), shutdownSignals: [] });
  const reports: LayoutReport[] = [];
  try {
    for (const kind of LAYOUT_KINDS) {
      log(`starting the ${kind} layout`);
      const layout = await startLayout(kind, {
        fakeUrl: fake.url,
        ...(POSTGRES_URL ? { postgresUrl: POSTGRES_URL } : {}),
        serviceEnv: Object.fromEntries(
          flags['service-env'].map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]),
        ),
        nodeArgs: flags['service-node-arg'],
      });
      log(
        `${layout.label} is up (service pids ${layout.servicePids.join(', ')}, Temporal server pid ${layout.serverPid})`,
      );
      try {
        reports.push(await benchLayout(layout, fake));
      } catch (err) {
        log(`the service printed last:\n${layout.tail()}`);
        throw err;
      } finally {
        await layout.stop();
      }
    }
  } finally {
    await fake.close();
    await http.close();
  }
  for (const report of reports) printReport(report);
  if (reports.length > 1) printComparison(reports);
  process.stdout.write(`bench took ${Math.round((Date.now() - started) / 1000)} s\n`);
}

/** Every phase on one layout, started and stopped by the caller. */
async function benchLayout(layout: RunningLayout, fake: FakeTrackApi): Promise<LayoutReport> {
  const { address, apiUrl, adminToken } = layout;
  const children: ChildProcess[] = [];
  const connection = await Connection.connect({ address });
  const client = new Client({ connection, namespace: layout.namespace });
  const workerConnection = await NativeConnection.connect({ address });
  const baseline = await startBaselineWorker(workerConnection, layout.namespace, fake.url);
  const baselineRunning = baseline.worker.run();
  try {
    const admin = (method: string, path: string, body?: unknown) => call(apiUrl, adminToken, method, path, body);
    const bench: Bench = {
      fake,
      client,
      apiUrl,
      pipelineKey: layout.pipelineKey,
      adminToken,
      workerEnv: layout.workerEnv,
      serverPid: layout.serverPid,
      servicePids: layout.servicePids,
      databasePids: layout.databasePids,
      baselineQueue: baseline.taskQueue,
      children,
      async install(name, settings = {}) {
        const res = await admin('POST', '/v1/admin/integration-catalog/customer_io/install', {
          name,
          variant: 'default',
          config: { site_id: 'bench', api_key: 'bench', tracking_api_key: 'bench', region: 'us', ...settings },
          delivery_mode: 'server_side',
        });
        if (res.status !== 201) throw new Error(`install answered ${res.status}: ${JSON.stringify(res.body)}`);
        return (res.body as { id: string }).id;
      },
      disable: (id) => admin('PATCH', `/v1/admin/integrations/${id}`, { enabled: false }),
    };

    // Warm every path (V8 contexts, bundles, connections, database pages) before anything is timed.
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
      // Every run leaves rows in Temporal's database, and later phases run on a bigger one: the order turns round by
      // round so no path always runs last.
      const order = Object.keys(PHASES).filter((p) => PATHS.has(p));
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

    // Before the kill and the outage, which leave the service busier than the paths do.
    const steadyReport = flags.steady
      ? await steady(bench, Number(flags['steady-rate']), Number(flags.steady)).catch(
          (err: Error) => `the steady phase failed: ${err.message.split('\n')[0]}`,
        )
      : undefined;

    let kill: string | undefined;
    if (flags.kill) {
      kill = await killWorker(bench).catch((err: Error) => `the kill phase failed: ${err.message.split('\n')[0]}`);
    }

    let outageReport: string | undefined;
    if (flags.outage && layout.kind !== 'dev-server') {
      // Its deferral counter lives in the workers' metrics, which the cluster's API does not serve.
      outageReport = 'not measured: the outage phase needs --layout dev-server';
    } else if (flags.outage) {
      outageReport = await outage(bench, Number(flags.outage)).catch(
        (err: Error) => `the outage phase failed: ${err.message.split('\n')[0]}`,
      );
    }

    const metrics = await request(`${apiUrl}/metrics`, { dispatcher: http }).then((r) => r.body.text());
    const mb = (name: string) => {
      const value = new RegExp(`^${name} (\\S+)$`, 'm').exec(metrics)?.[1];
      return value === undefined ? '?' : (Number(value) / 1e6).toFixed(0);
    };
    // Ordered deliveries that waited for an earlier one (started delayed, or told to wait), in this process's metrics.
    const orderWaits = [...metrics.matchAll(/^signal_order_waits_total\{[^}]*\} (\S+)$/gm)].reduce(
      (sum, m) => sum + Number(m[1]),
      0,
    );
    log(`ordered deliveries that waited for an earlier one of their person: ${orderWaits}`);
    log(
      `the API's process at the end: RSS ${mb('process_resident_memory_bytes')} MB, V8 heap ${mb('nodejs_heap_size_used_bytes')} of ${mb('nodejs_heap_size_total_bytes')} MB, external ${mb('nodejs_external_memory_bytes')} MB`,
    );
    return {
      label: layout.label,
      results,
      backlog,
      steady: steadyReport,
      kill,
      outage: outageReport,
      serverRssMb: rssMb(layout.serverPid),
    };
  } finally {
    baseline.worker.shutdown();
    await baselineRunning.catch(() => undefined);
    for (const child of children) child.kill('SIGINT');
    await Promise.all(
      children.map((c) => new Promise((done) => (c.exitCode !== null ? done(null) : c.once('exit', done)))),
    );
    await workerConnection.close();
    await connection.close();
  }
}

runBenchMain('bench', main);
