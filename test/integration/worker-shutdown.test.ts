import { temporal } from '@temporalio/proto';
import { deadline } from '../support/wait';
import type { DeliveryHarness } from '../support/delivery-harness';
import { runWorkerProcess, startHarnessForWorkerProcesses } from '../support/worker-processes';
import { exitWithin, type Running } from '../support/processes';

const EventType = temporal.api.enums.v1.EventType;
const ROUNDS = 3;
/** Requests the fake must have seen from a worker before it is stopped: it is busy, with tasks coming all the time. */
const BUSY_AFTER = 40;

/**
 * `npm run worker` SIGTERMed in the middle of a burst, ROUNDS times while deliveries keep being started (issue 14,
 * item 13): every delivery still arrives exactly once, and the only workflow tasks that time out are ones a stopped
 * worker took as it stopped.
 *
 * It should take none. The setting meant to stop it, `frontend.enableCancelWorkerPollsOnShutdown`
 * (src/temporal/dev-server.ts), does not with TypeScript SDK 1.24: measured with this scenario, 25 such tasks in 20
 * stops with it, 9 in 12 without, every run losing at least one. Each was the delivery's first workflow task, started
 * for the stopping worker between 325 ms before its SIGTERM and 43 ms after. sdk-core ends its workflow stream as soon
 * as shutdown is requested and no run has work left (workflow/workflow_stream.rs, `shutdown_done`), without draining
 * tasks its pollers already hold or still receive, so they wait out the workflow-task timeout. Until the SDK drains
 * them, this test holds what matters: such a task only waits out its timeout; no delivery is lost or sent twice.
 */
describe('a worker stopped on SIGTERM during a burst', () => {
  let h: DeliveryHarness;
  let worker: Running | undefined;
  beforeAll(async () => {
    h = await startHarnessForWorkerProcesses();
  });
  afterAll(async () => {
    worker?.child.kill('SIGKILL');
    await h.close();
  });

  test('every delivery arrives once, and a stopped worker is the only one whose tasks time out', async () => {
    const { id } = await h.createIntegration();
    const workflowIds: string[] = [];
    let starting = true;
    // Deliveries keep being started through every round, so tasks are on their way to the worker as it stops.
    const starter = (async () => {
      for (let wave = 0; starting; wave++) {
        const started = await Promise.all(
          Array.from({ length: 10 }, (_, i) => {
            const n = wave * 10 + i;
            return h.deliver(id, { type: 'track', event: 'Burst', userId: `burst-${n}`, messageId: `burst-${n}` });
          }),
        );
        workflowIds.push(...started.map((s) => s.workflowId));
      }
    })();

    const stoppedIdentities: string[] = [];
    try {
      for (let round = 0; round < ROUNDS; round++) {
        worker = runWorkerProcess(h);
        const [, identity] = await worker.waitFor(/"identity":"([^"]+)"[^\n]*delivery worker running/);
        stoppedIdentities.push(identity!);
        await h.us.waitForRequests(h.us.requests.length + BUSY_AFTER, { timeoutMs: 30_000 });
        worker.child.kill('SIGTERM');
        expect(await exitWithin(worker, 40_000)).toBe(0);
      }
    } finally {
      starting = false;
      await starter;
    }

    // A second worker finishes everything; a lost task holds its delivery back for the task timeout only.
    await h.startWorker();
    await deadline(
      Promise.all(workflowIds.map((workflowId) => h.client.workflow.getHandle(workflowId).result())),
      60_000,
      () => `the burst's ${workflowIds.length} deliveries did not all finish`,
    );

    const orphaned: string[] = [];
    const otherTimeouts: string[] = [];
    for (const workflowId of workflowIds) {
      const events = (await h.client.workflow.getHandle(workflowId).fetchHistory()).events ?? [];
      for (const event of events) {
        const timedOut = event.workflowTaskTimedOutEventAttributes;
        if (event.eventType !== EventType.EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT || !timedOut) continue;
        // The task the timeout ends: started by whom (none for a schedule-to-start timeout).
        const started = events.find((e) => Number(e.eventId) === Number(timedOut.startedEventId));
        const identity = started?.workflowTaskStartedEventAttributes?.identity ?? '';
        (stoppedIdentities.includes(identity) ? orphaned : otherTimeouts).push(`${workflowId} (${identity || '-'})`);
      }
    }
    const paths = h.us.requests.map((r) => r.path).sort();
    // The upstream gap above, measured: tasks a stopping worker took and never ran.
    console.warn(
      `${orphaned.length} workflow tasks taken by a stopping worker in ${ROUNDS} stops: ${orphaned.join(', ')}`,
    );

    expect(otherTimeouts).toEqual([]);
    // Every delivery reached Customer.io, once.
    expect(paths).toEqual(workflowIds.map((_, n) => `/api/v1/customers/burst-${n}/events`).sort());
  }, 240_000);
});
