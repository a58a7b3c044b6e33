import { loadConfig } from '../../src/config';
import { deliveryRecord } from '../../src/deliveries/records';
import { DeliveryService } from '../../src/deliveries/service';
import type { DeliveryHarness } from '../support/delivery-harness';
import { runWorkerProcess, startHarnessForWorkerProcesses } from '../support/worker-processes';
import type { Running } from '../support/processes';

/**
 * A worker SIGKILLed in the middle of an HTTP attempt: another worker makes the attempt again once the dead one's
 * workflow task times out (seconds, not the attempt's one-minute limit), and the delivery's record shows the attempt
 * that was cut off.
 */
describe('a worker lost mid-attempt', () => {
  let h: DeliveryHarness;
  let doomed: Running | undefined;
  beforeAll(async () => {
    h = await startHarnessForWorkerProcesses();
  });
  afterAll(async () => {
    doomed?.child.kill('SIGKILL');
    await h.close();
  });

  test('the cut-off attempt is made again by another worker and recorded as lost', async () => {
    const { id } = await h.createIntegration();
    doomed = runWorkerProcess(h);
    await doomed.waitFor(/delivery worker running/);
    h.us.respondWith({ hang: true });
    const started = await h.deliver(id, {
      type: 'track',
      event: 'Cut Off',
      userId: 'lost-1',
      messageId: `lost-${Date.now()}`,
    });
    await h.us.waitForRequests(1);
    doomed.child.kill('SIGKILL');
    await doomed.exited;
    await h.startWorker();

    const result = await h.client.workflow.getHandle(started.workflowId).result();
    expect(result).toMatchObject({ status: 'delivered', attempts: 1 });
    const [first, second] = h.us.requests;
    expect(h.us.requests).toHaveLength(2);
    // The same request both times: Customer.io dedupes on the event id if the first had landed.
    expect(second!.json).toEqual(first!.json);

    const deliveries = new DeliveryService({
      client: h.client,
      taskQueue: h.taskQueue,
      store: h.store,
      uiUrl: 'http://ui',
      namespace: 'default',
      temporalTimeoutMs: loadConfig({}).API_TEMPORAL_TIMEOUT_MS,
    });
    const summary = (await deliveries.summary(started.workflowId))!;
    const history = await h.client.workflow.getHandle(started.workflowId).fetchHistory();
    const record = deliveryRecord(summary, history, 'show', []);
    expect(record.attempts_detail.map((a) => [a.attempt, a.outcome])).toEqual([
      [1, 'lost'],
      [1, 'delivered'],
    ]);
    expect(record.attempts_detail[0]).toMatchObject({
      request: { method: 'POST', path: '/api/v1/customers/lost-1/events' },
      error: { type: 'WorkerLost' },
    });
    expect(record.timeline.map((t) => t.what)).toContain('worker lost');
  }, 60_000);
});
