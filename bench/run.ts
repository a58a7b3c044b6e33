/**
 * `npm run bench`: the delivery pipeline against Temporal's own floor (an empty workflow) and against a bare
 * one-activity workflow, side by side on the same file-backed dev server in one run, open loop.
 *
 *   npm run bench -- [--events 5000] [--rounds 2] [--concurrency 32] [--batch 500] [--intake-concurrency 2]
 *                    [--backlog 10000] [--kill] [--outage 180] [--outage-events 2000]
 *
 * The pipeline runs as `npm start` runs it (its compiled entry, one process: dev server, worker, API) and gets its
 * events through `POST /v1/batch`; the baselines run on a worker in this process and are started with a plain client.
 * A delivery counts once its workflow has completed (visibility), for every path alike. Nothing here asserts a
 * timing: the machine is shared and noisy, so it prints ratios and medians to quote.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { bundleWorkflowCode, DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { Agent, request } from 'undici';
import { freePort } from '../src/temporal/dev-server';
import type { BareActivities } from './bare-workflow';
import { FakeTrackApi } from './fake-track-api';
import { cpuMs, findProcess, rssMb, sampleRss } from './proc';

/** `scripts/bench` runs this from the project root, compiled into test-results/. */
const ROOT = process.cwd();

const { values: flags } = parseArgs({
  options: {
    events: { type: 'string', default: '5000' },
    rounds: { type: 'string', default: '2' },
    concurrency: { type: 'string', default: '32' },
    batch: { type: 'string', default: '500' },
    'intake-concurrency': { type: 'string', default: '2' },
    backlog: { type: 'string' },
    kill: { type: 'boolean', default: false },
    /**
     * Seconds of a Customer.io outage for one of two integrations, with --outage-events deliveries each: requests to
     * the failing one during the outage, how soon its backlog is delivered after, the healthy one's p99 beside it.
     */
    outage: { type: 'string' },
    'outage-events': { type: 'string', default: '2000' },
    /** Which paths to run: the ratios need all three; one alone is for trying a change quickly. */
    paths: { type: 'string', default: 'empty,bare,pipeline' },
    /** Extra settings for the service under test, for trying a setting side by side: `--service-env KEY=VALUE`. */
    'service-env': { type: 'string', multiple: true, default: [] },
    /** Extra node flags for the service under test, e.g. `--service-node-arg=--cpu-prof`. */
    'service-node-arg': { type: 'string', multiple: true, default: [] },
  },
});
const EVENTS = Number(flags.events);
const ROUNDS = Number(flags.rounds);
const CONCURRENCY = Number(flags.concurrency);
const BATCH = Number(flags.batch);
const INTAKE_CONCURRENCY = Number(flags['intake-concurrency']);
const BACKLOG = flags.backlog ? Number(flags.backlog) : 0;
const PATHS = new Set(flags.paths.split(','));

interface PhaseResult {
  name: string;
  events: number;
  perSecond: number;
  serverCpuMsPerDelivery: number;
  serviceCpuMsPerDelivery: number;
  benchCpuMsPerDelivery: number;
  latencyP50?: number;
  latencyP99?: number;
  intakePerSecond?: number;
  batchP50?: number;
  batchP99?: number;
  eagerRate?: number;
  serviceRssMaxMb?: number;
}

const http = new Agent({ keepAliveTimeout: 60_000, connections: 16 });

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
    const workerConnection = await NativeConnection.connect({ address });
    const { code } = await bundleWorkflowCode({
      workflowsPath: require.resolve('./bare-workflow'),
      logger: { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error: console.error },
    });
    const activities: BareActivities = {
      async post(body) {
        const res = await request(`${fake.url}/api/v1/customers/${encodeURIComponent(String(body.userId))}/events`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: 'Basic YmVuY2g6YmVuY2g=' },
          body: JSON.stringify(body),
          dispatcher: http,
        });
        await res.body.dump();
        return res.statusCode;
      },
    };
    const baselineQueue = `bench-baseline-${randomUUID()}`;
    baselineWorker = await Worker.create({
      connection: workerConnection,
      taskQueue: baselineQueue,
      workflowBundle: { code },
      activities,
    });
    baselineRunning = baselineWorker.run();

    const admin = (method: string, path: string, body?: unknown) =>
      call(apiUrl, secrets.SIGNAL_ADMIN_TOKEN, method, path, body);
    const install = async (name: string, siteId = 'bench') => {
      const res = await admin('POST', '/v1/admin/integration-catalog/customer_io/install', {
        name,
        variant: 'default',
        config: { site_id: siteId, api_key: 'bench', tracking_api_key: 'bench', region: 'us', consent_categories: [] },
        delivery_mode: 'server_side',
      });
      if (res.status !== 201) throw new Error(`install answered ${res.status}: ${JSON.stringify(res.body)}`);
      return (res.body as { id: string }).id;
    };
    const disable = (id: string) => admin('PATCH', `/v1/admin/integrations/${id}`, { enabled: false });

    const measure = async (
      name: string,
      events: number,
      run: (tag: string) => Promise<Partial<PhaseResult>>,
      done: (tag: string) => string,
    ) => {
      fake.reset();
      const tag = `${name.split(' ')[0]}-${randomUUID().slice(0, 8)}`;
      const before = { server: cpuMs(serverPid), service: cpuMs(servicePid), bench: process.cpuUsage() };
      const rss = sampleRss(servicePid);
      const t0 = performance.now();
      const partial = await run(tag);
      await waitForCount(client, done(tag), events);
      const seconds = (performance.now() - t0) / 1000;
      const bench = process.cpuUsage(before.bench);
      const latencies = fake.arrivals.map((a) => a.latencyMs).filter((l): l is number => l !== undefined);
      const result: PhaseResult = {
        name,
        events,
        perSecond: round(events / seconds),
        serverCpuMsPerDelivery: round((cpuMs(serverPid) - before.server) / events, 2),
        serviceCpuMsPerDelivery: round((cpuMs(servicePid) - before.service) / events, 2),
        benchCpuMsPerDelivery: round((bench.user + bench.system) / 1000 / events, 2),
        latencyP50: percentile(latencies, 0.5),
        latencyP99: percentile(latencies, 0.99),
        serviceRssMaxMb: rss.stop(),
        ...partial,
      };
      log(`${name}: ${result.perSecond}/s`);
      return result;
    };

    const baselineDone = (workflowType: string) => (tag: string) =>
      `WorkflowType = '${workflowType}' AND WorkflowId STARTS_WITH '${tag}-' AND ExecutionStatus = 'Completed'`;

    const pipeline = async (integrationId: string, tag: string, events: number) => {
      const before = await scrapeEager(apiUrl);
      const intake = await postEvents(apiUrl, secrets.SIGNAL_PIPELINE_KEY, tag, events);
      const after = await scrapeEager(apiUrl);
      const eagerTried = after.eager + after.notEager - before.eager - before.notEager;
      return {
        ...intake,
        ...(eagerTried > 0 ? { eagerRate: round((after.eager - before.eager) / eagerTried, 2) } : {}),
      };
    };
    const deliveredOf = (integrationId: string) => () =>
      `IntegrationId = '${integrationId}' AND ExecutionStatus = 'Completed'`;

    // Warm every path (V8 contexts, bundles, connections, SQLite pages) before anything is timed.
    const warm = await install('bench warm-up');
    await measure('warm-up empty', 50, (tag) => openLoopOf(50, tag, 'emptyWorkflow'), baselineDone('emptyWorkflow'));
    await measure('warm-up bare', 50, (tag) => openLoopOf(50, tag, 'bareDelivery'), baselineDone('bareDelivery'));
    await measure('warm-up pipeline', 50, (tag) => pipeline(warm, tag, 50), deliveredOf(warm));
    await disable(warm);
    function openLoopOf(n: number, tag: string, type: 'emptyWorkflow' | 'bareDelivery') {
      return openLoop(n, CONCURRENCY, (i) =>
        client.workflow.start(type, {
          taskQueue: baselineQueue,
          workflowId: `${tag}-${i}`,
          args:
            type === 'bareDelivery'
              ? [{ userId: `u-${i % 50}`, name: 'Bench', data: { key: `${tag}-${i}`, sent_at: Date.now() } }]
              : [],
        }),
      ).then(() => ({}));
    }

    const phases: Record<string, (round: number) => Promise<PhaseResult>> = {
      empty: (round) =>
        measure(
          `empty workflow (round ${round})`,
          EVENTS,
          (tag) => openLoopOf(EVENTS, tag, 'emptyWorkflow'),
          baselineDone('emptyWorkflow'),
        ),
      bare: (round) =>
        measure(
          `bare one-activity workflow (round ${round})`,
          EVENTS,
          (tag) => openLoopOf(EVENTS, tag, 'bareDelivery'),
          baselineDone('bareDelivery'),
        ),
      pipeline: async (round) => {
        const integrationId = await install(`bench round ${round}`);
        const result = await measure(
          `pipeline (round ${round})`,
          EVENTS,
          (tag) => pipeline(integrationId, tag, EVENTS),
          deliveredOf(integrationId),
        );
        await disable(integrationId);
        return result;
      },
    };
    const results: PhaseResult[] = [];
    for (let round = 1; round <= ROUNDS; round++) {
      // Every run leaves rows in Temporal's SQLite database, and later phases run on a bigger one: the order turns
      // round by round so no path always runs last.
      const order = ['empty', 'bare', 'pipeline'].filter((p) => PATHS.has(p));
      if (round % 2 === 0) order.reverse();
      for (const path of order) results.push(await phases[path]!(round));
    }

    let backlog: PhaseResult | undefined;
    if (BACKLOG > 0) {
      const integrationId = await install('bench backlog');
      backlog = await measure(
        `backlog of ${BACKLOG}`,
        BACKLOG,
        (tag) => pipeline(integrationId, tag, BACKLOG),
        deliveredOf(integrationId),
      );
      await disable(integrationId);
    }

    let kill: string | undefined;
    if (flags.kill) {
      kill = await killWorker({ fake, env, address, client, install, disable, children }).catch(
        (err: Error) => `the kill phase failed: ${err.message.split('\n')[0]}`,
      );
    }

    let outageReport: string | undefined;
    if (flags.outage) {
      outageReport = await outage({ fake, client, install, disable }, Number(flags.outage)).catch(
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

  async function killWorker(ctx: {
    fake: FakeTrackApi;
    env: Record<string, string>;
    address: string;
    client: Client;
    install: (name: string) => Promise<string>;
    disable: (id: string) => Promise<unknown>;
    children: ChildProcess[];
  }): Promise<string> {
    const integrationId = await ctx.install('bench kill');
    const extra = runNode('worker/main', {
      ...ctx.env,
      LOG_LEVEL: 'info',
      TEMPORAL_ADDRESS: ctx.address,
      DATABASE_URL: `sqlite:${join(ctx.env.SIGNAL_DATA_DIR!, 'signal.db')}`,
    });
    ctx.children.push(extra.child);
    await extra.waitFor(/delivery worker running/, 60_000);
    ctx.fake.reset();
    // Slow answers keep attempts in flight in both workers when one of them dies.
    ctx.fake.delayMs = 3_000;
    const events = 200;
    await postEvents(apiUrl, secrets.SIGNAL_PIPELINE_KEY, `kill-${randomUUID().slice(0, 8)}`, events);
    await until(() => ctx.fake.arrivals.length >= 60, 60_000);
    const killedAt = Date.now();
    extra.child.kill('SIGKILL');
    await waitForCount(
      ctx.client,
      `IntegrationId = '${integrationId}' AND ExecutionStatus = 'Completed'`,
      events,
      300_000,
    );
    ctx.fake.delayMs = 0;
    const cut = new Set(ctx.fake.cutOff.filter((c) => c.at >= killedAt - 50).map((c) => c.key));
    const retriedAfter = [...cut].map((key) => {
      const retry = ctx.fake.arrivals.find((a) => a.key === key && a.at > killedAt);
      return retry ? retry.at - killedAt : Number.POSITIVE_INFINITY;
    });
    await ctx.disable(integrationId);
    if (retriedAfter.length === 0) return 'the killed worker had no attempt in flight: no figure';
    return `${retriedAfter.length} attempts in flight in the killed worker; tried again after p50 ${round(percentile(retriedAfter, 0.5)! / 1000, 1)} s, max ${round(Math.max(...retriedAfter) / 1000, 1)} s`;
  }

  /**
   * Two integrations get every event; one's Customer.io answers 503 for `seconds`. First a run without the outage,
   * for the healthy integration's p99 to compare with.
   */
  async function outage(
    ctx: {
      fake: FakeTrackApi;
      client: Client;
      install: (name: string, siteId?: string) => Promise<string>;
      disable: (id: string) => Promise<unknown>;
    },
    seconds: number,
  ): Promise<string> {
    const events = Number(flags['outage-events']);
    const down = await ctx.install('bench outage: down', 'bench-down');
    const healthy = await ctx.install('bench outage: healthy');
    const completed = (id: string) => `IntegrationId = '${id}' AND ExecutionStatus = 'Completed'`;
    const healthyP99 = () =>
      percentile(
        ctx.fake.arrivals.filter((a) => a.site === 'bench' && a.latencyMs !== undefined).map((a) => a.latencyMs!),
        0.99,
      );
    ctx.fake.reset();
    await postEvents(apiUrl, secrets.SIGNAL_PIPELINE_KEY, `outage-base-${randomUUID().slice(0, 8)}`, events);
    await waitForCount(ctx.client, completed(healthy), events);
    await waitForCount(ctx.client, completed(down), events);
    const withoutP99 = healthyP99();

    ctx.fake.reset();
    ctx.fake.failSite = 'bench-down';
    const t0 = Date.now();
    await postEvents(apiUrl, secrets.SIGNAL_PIPELINE_KEY, `outage-${randomUUID().slice(0, 8)}`, events);
    await waitForCount(ctx.client, completed(healthy), 2 * events);
    const withP99 = healthyP99();
    await new Promise((r) => setTimeout(r, Math.max(0, t0 + seconds * 1000 - Date.now())));
    ctx.fake.failSite = undefined;
    const recoveredAt = Date.now();
    const duringOutage = ctx.fake.arrivals.filter((a) => a.site === 'bench-down').length;
    await waitForCount(ctx.client, completed(down), 2 * events);
    const drainedAfter = (Date.now() - recoveredAt) / 1000;
    await ctx.disable(down);
    await ctx.disable(healthy);
    return [
      `${seconds} s of 503 for one integration, ${events} deliveries to each of two:`,
      `${duringOutage} requests to the failing one during the outage;`,
      `its backlog delivered ${round(drainedAfter, 1)} s after recovery (within a second: visibility is polled);`,
      `the healthy one's event→Customer.io p99 ${withP99} ms during the outage, ${withoutP99} ms without it`,
    ].join(' ');
  }
}

/** Starts `total` workflows through `lanes` concurrent starters, none waiting for a result. */
async function openLoop(total: number, lanes: number, start: (i: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(lanes, total) }, async () => {
      while (next < total) await start(next++);
    }),
  );
}

/** Posts `events` track events in batches through the intake; returns intake figures. */
async function postEvents(apiUrl: string, pipelineKey: string, tag: string, events: number) {
  const durations: number[] = [];
  const batches = Math.ceil(events / BATCH);
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: Math.min(INTAKE_CONCURRENCY, batches) }, async () => {
      while (next < batches) {
        const b = next++;
        const size = Math.min(BATCH, events - b * BATCH);
        const sentAt = Date.now();
        const batch = Array.from({ length: size }, (_, j) => {
          const i = b * BATCH + j;
          return {
            type: 'track',
            event: 'Bench',
            userId: `u-${i % 50}`,
            messageId: `${tag}-${i}`,
            properties: { key: `${tag}-${i}`, sent_at: sentAt },
          };
        });
        const t = performance.now();
        const res = await call(apiUrl, pipelineKey, 'POST', '/v1/batch', { batch });
        durations.push(performance.now() - t);
        if (res.status !== 202)
          throw new Error(`intake answered ${res.status}: ${JSON.stringify(res.body).slice(0, 500)}`);
      }
    }),
  );
  return {
    intakePerSecond: round(events / ((performance.now() - t0) / 1000)),
    batchP50: percentile(durations, 0.5),
    batchP99: percentile(durations, 0.99),
  };
}

/** The intake's eager-start counters, when the service exposes them (GET /metrics). */
async function scrapeEager(apiUrl: string): Promise<{ eager: number; notEager: number }> {
  try {
    const res = await request(`${apiUrl}/metrics`, { dispatcher: http });
    const text = await res.body.text();
    const value = (eager: string) =>
      Number(
        new RegExp(`signal_intake_workflow_starts_total\\{[^}]*eager="${eager}"[^}]*\\} (\\d+)`).exec(text)?.[1] ?? 0,
      );
    return { eager: value('true'), notEager: value('false') };
  } catch {
    return { eager: 0, notEager: 0 };
  }
}

/**
 * Polls a visibility count until it reaches `expected`: once a second, for every path alike (each query costs the
 * server a little; a second's granularity is 1 % of a 100 s phase).
 */
async function waitForCount(client: Client, query: string, expected: number, timeoutMs = 900_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { count } = await client.workflow.count(query);
    if (count >= expected) return;
    if (Date.now() > deadline) throw new Error(`only ${count} of ${expected} done after ${timeoutMs} ms: ${query}`);
    await new Promise((r) => setTimeout(r, 1_000));
  }
}

async function until(predicate: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function call(
  apiUrl: string,
  token: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: unknown }> {
  const res = await request(`${apiUrl}${path}`, {
    method: method as 'GET',
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
    dispatcher: http,
    headersTimeout: 300_000,
    bodyTimeout: 300_000,
  });
  const text = await res.body.text();
  return { status: res.statusCode, body: text ? (JSON.parse(text) as unknown) : undefined };
}

function printReport(
  results: PhaseResult[],
  backlog: PhaseResult | undefined,
  kill: string | undefined,
  ctx: { serverPid: number; started: number },
): void {
  const median = (prefix: string) => medianOf(results.filter((r) => r.name.startsWith(prefix)).map((r) => r.perSecond));
  const empty = median('empty');
  const bare = median('bare');
  const pipe = median('pipeline');
  const cell = (v: number | undefined) => (v === undefined ? '-' : String(v));
  const lines = [
    '',
    `## Bench: ${EVENTS} events per path, ${ROUNDS} round(s), open loop (${CONCURRENCY} starts in flight; the pipeline in batches of ${BATCH}, ${INTAKE_CONCURRENCY} at a time)`,
    '',
    '| path | delivered/s | server CPU-ms/delivery | service CPU-ms/delivery | bench CPU-ms/delivery | event→Customer.io p50/p99 ms | intake accepted/s | batch answer p50/p99 ms | eager starts | service RSS max MB |',
    '|---|---|---|---|---|---|---|---|---|---|',
    ...[...results, ...(backlog ? [backlog] : [])].map(
      (r) =>
        `| ${r.name} | ${r.perSecond} | ${r.serverCpuMsPerDelivery} | ${r.serviceCpuMsPerDelivery} | ${r.benchCpuMsPerDelivery} | ${cell(r.latencyP50)}/${cell(r.latencyP99)} | ${cell(r.intakePerSecond)} | ${cell(r.batchP50)}/${cell(r.batchP99)} | ${r.eagerRate === undefined ? '-' : `${Math.round(r.eagerRate * 100)} %`} | ${cell(r.serviceRssMaxMb)} |`,
    ),
    '',
    `medians: empty ${empty}/s, bare ${bare}/s, pipeline ${pipe}/s`,
    `pipeline / bare one-activity = ${round(pipe / bare, 2)}×   (target ≥ 1.4×)`,
    `pipeline / empty workflow    = ${round(pipe / empty, 2)}×   (target ≥ 0.9×)`,
    ...(backlog
      ? [
          `backlog of ${backlog.events}: ${backlog.perSecond} deliveries/s sustained, intake ${backlog.intakePerSecond}/s, batch answer p50 ${backlog.batchP50} ms, p99 ${backlog.batchP99} ms, service RSS max ${backlog.serviceRssMaxMb} MB`,
        ]
      : []),
    ...(kill ? [`worker SIGKILLed mid-run: ${kill}`] : []),
    `machine: ${cpus().length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB; Temporal server pid ${ctx.serverPid} RSS ${rssMb(ctx.serverPid)} MB; bench took ${Math.round((Date.now() - ctx.started) / 1000)} s`,
    '',
  ];
  process.stdout.write(lines.join('\n'));
}

/** Runs a service entry the way `npm start` / `npm run worker` do (scripts/run), on the dist/ this bench just built. */
function runNode(entry: string, env: Record<string, string>, nodeArgs: string[] = []) {
  const child = spawn('bash', ['scripts/run', entry], {
    cwd: ROOT,
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

function percentile(values: number[], p: number): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  return Math.round(sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!);
}

function medianOf(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : round((sorted[mid - 1]! + sorted[mid]!) / 2);
}

function round(value: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

function log(text: string): void {
  process.stderr.write(`[bench] ${text}\n`);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`bench failed: ${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  },
);
