/**
 * The two baselines (bench/bare-workflow.ts) run on a worker in the bench process and are started with a plain
 * client, open loop.
 */
import { randomUUID } from 'node:crypto';
import { bundleWorkflowCode, type NativeConnection, Worker } from '@temporalio/worker';
import { request } from 'undici';
import type { BareActivities } from '../bare-workflow';
import { CONCURRENCY } from '../flags';
import { type Bench, http } from '../service';

export type BaselineType = 'emptyWorkflow' | 'bareDelivery';

/** A worker for the baselines on a task queue of its own; the bare activity POSTs to the fake like the service. */
export async function startBaselineWorker(
  connection: NativeConnection,
  namespace: string,
  fakeUrl: string,
): Promise<{ worker: Worker; taskQueue: string }> {
  const { code } = await bundleWorkflowCode({
    workflowsPath: require.resolve('../bare-workflow'),
    logger: { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error: console.error },
  });
  const activities: BareActivities = {
    async post(body) {
      const res = await request(`${fakeUrl}/api/v1/customers/${encodeURIComponent(String(body.userId))}/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: 'Basic YmVuY2g6YmVuY2g=' },
        body: JSON.stringify(body),
        dispatcher: http,
      });
      await res.body.dump();
      return res.statusCode;
    },
  };
  const taskQueue = `bench-baseline-${randomUUID()}`;
  const worker = await Worker.create({ connection, namespace, taskQueue, workflowBundle: { code }, activities });
  return { worker, taskQueue };
}

/** Starts `n` baseline runs, `CONCURRENCY` starts in flight, none waiting for a result. */
export async function startBaselines(bench: Bench, type: BaselineType, n: number, tag: string): Promise<object> {
  await openLoop(n, CONCURRENCY, (i) =>
    bench.client.workflow.start(type, {
      taskQueue: bench.baselineQueue,
      workflowId: `${tag}-${i}`,
      args:
        type === 'bareDelivery'
          ? [{ userId: `u-${i % 50}`, name: 'Bench', data: { key: `${tag}-${i}`, sent_at: Date.now() } }]
          : [],
    }),
  );
  return {};
}

/** The baseline runs of a phase that have completed. */
export const baselineDone = (type: BaselineType) => (tag: string) =>
  `WorkflowType = '${type}' AND WorkflowId STARTS_WITH '${tag}-' AND ExecutionStatus = 'Completed'`;

/** Starts `total` workflows through `lanes` concurrent starters, none waiting for a result. */
async function openLoop(total: number, lanes: number, start: (i: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(lanes, total) }, async () => {
      while (next < total) await start(next++);
    }),
  );
}
