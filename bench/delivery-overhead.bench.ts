/**
 * What the delivery pipeline costs over a bare one-activity Temporal workflow on the same dev server: throughput and
 * start-to-result latency for the same number of events, at the same concurrency, against the same fake Customer.io.
 *
 *   npm run bench            (BENCH_EVENTS=300 BENCH_CONCURRENCY=20 to change the load)
 *
 * Not part of `npm test`: timings on a shared 2-core machine are not assertions.
 */
import { randomUUID } from 'node:crypto';
import { Agent, request } from 'undici';
import { bundleWorkflowCode, Worker } from '@temporalio/worker';
import { startDeliveryHarness, type DeliveryHarness } from '../test/support/delivery-harness';
import { connectTestEnvironment } from '../test/support/temporal';
import type { BareActivities } from './bare-workflow';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 200);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 20);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);

interface Result {
  name: string;
  perSecond: number;
  p50: number;
  p95: number;
  historyEvents: number;
}

async function measure(
  name: string,
  run: (i: number) => Promise<string>,
  historyLength: (workflowId: string) => Promise<number>,
): Promise<Result> {
  const latencies: number[] = [];
  let next = 0;
  let lastId = '';
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < EVENTS) {
        const i = next++;
        const t = performance.now();
        lastId = await run(i);
        latencies.push(performance.now() - t);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return {
    name,
    perSecond: Math.round((EVENTS / seconds) * 10) / 10,
    p50: Math.round(latencies[Math.floor(latencies.length * 0.5)]!),
    p95: Math.round(latencies[Math.floor(latencies.length * 0.95)]!),
    historyEvents: await historyLength(lastId),
  };
}

describe('delivery pipeline vs a bare one-activity workflow', () => {
  let h: DeliveryHarness;
  beforeAll(async () => {
    // Production's credentials cache, so the hot path is the one production runs.
    h = await startDeliveryHarness({ credentialsRevalidateMs: 5_000 });
  });
  afterAll(() => h.close());

  test(`${EVENTS} track events, ${CONCURRENCY} at a time`, async () => {
    const { id, credentials } = await h.createIntegration();
    const auth = 'Basic ' + Buffer.from(`${credentials.siteId}:${credentials.apiKey}`).toString('base64');
    const agent = new Agent({ keepAliveTimeout: 30_000 });
    const activities: BareActivities = {
      async post(body) {
        const res = await request(`${h.us.url}/api/v1/customers/u/events`, {
          method: 'POST',
          headers: { authorization: auth, 'content-type': 'application/json' },
          body: JSON.stringify(body),
          dispatcher: agent,
        });
        await res.body.dump();
        return res.statusCode;
      },
    };
    const env = await connectTestEnvironment();
    const { code } = await bundleWorkflowCode({
      workflowsPath: require.resolve('./bare-workflow'),
      logger: { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error: console.error },
    });
    const bareQueue = `bench-bare-${randomUUID()}`;
    const bareWorker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue: bareQueue,
      workflowBundle: { code },
      activities,
    });
    const bareRunning = bareWorker.run();
    const length = async (workflowId: string) =>
      (await h.client.workflow.getHandle(workflowId).fetchHistory()).events!.length;

    const event = (i: number) => ({
      type: 'track' as const,
      event: 'Bench',
      userId: `u-${i % 50}`,
      messageId: `bench-${randomUUID()}`,
      properties: { i },
    });
    // Warm both paths (V8 contexts, connections) before timing.
    for (let i = 0; i < 5; i++) {
      await h.client.workflow.execute('bareDelivery', {
        taskQueue: bareQueue,
        workflowId: `warm-${randomUUID()}`,
        args: [{ i }],
      });
      await h.client.workflow.getHandle((await h.deliver(id, event(i))).workflowId).result();
    }

    const results: Result[] = [];
    for (let round = 1; round <= ROUNDS; round++) {
      const bare = await measure(
        `bare workflow + 1 activity (round ${round})`,
        async (i) => {
          const workflowId = `bare-${randomUUID()}`;
          await h.client.workflow.execute('bareDelivery', {
            taskQueue: bareQueue,
            workflowId,
            args: [{ name: 'Bench', data: { i } }],
          });
          return workflowId;
        },
        length,
      );
      const pipeline = await measure(
        `deliverEvent pipeline (round ${round})`,
        async (i) => {
          const started = await h.deliver(id, event(i));
          await h.client.workflow.getHandle(started.workflowId).result();
          return started.workflowId;
        },
        length,
      );
      results.push(bare, pipeline);
    }
    bareWorker.shutdown();
    await bareRunning;
    await env.teardown();
    await agent.close();

    const rows = results.map((r) => `| ${r.name} | ${r.perSecond} | ${r.p50} | ${r.p95} | ${r.historyEvents} |`);
    const rate = (prefix: string) =>
      results.filter((r) => r.name.startsWith(prefix)).reduce((sum, r) => sum + r.perSecond, 0);
    const overhead = Math.round((rate('bare') / rate('deliverEvent') - 1) * 100);
    process.stdout.write(
      [
        '',
        `| path (${EVENTS} events, concurrency ${CONCURRENCY}) | deliveries/s | p50 ms | p95 ms | history events |`,
        '|---|---|---|---|---|',
        ...rows,
        `pipeline throughput cost over bare: ${overhead}%`,
        '',
      ].join('\n'),
    );
    expect(h.us.requests.length).toBeGreaterThanOrEqual(EVENTS * 2 * ROUNDS);
  }, 600_000);
});
