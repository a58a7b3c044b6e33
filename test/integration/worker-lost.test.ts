import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config';
import { deliveryRecord } from '../../src/deliveries/records';
import { DeliveryService } from '../../src/deliveries/service';
import { type DeliveryHarness, startDeliveryHarness } from '../support/delivery-harness';
import { runNode, type Running } from '../support/processes';
import { temporalAddress } from '../support/temporal';

/**
 * A worker SIGKILLed in the middle of an HTTP attempt: another worker makes the attempt again once the dead one's
 * workflow task times out (seconds, not the attempt's one-minute limit), and the delivery's record shows the attempt
 * that was cut off.
 */
describe('a worker lost mid-attempt', () => {
  let h: DeliveryHarness;
  let dir: string;
  let doomed: Running | undefined;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'signal-lost-'));
    // A file, not memory: the worker process that dies reads the same integration store.
    h = await startDeliveryHarness({ noWorker: true, databaseUrl: `sqlite:${join(dir, 'signal.db')}` });
  });
  afterAll(async () => {
    doomed?.child.kill('SIGKILL');
    await h.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('the cut-off attempt is made again by another worker and recorded as lost', async () => {
    const { id } = await h.createIntegration();
    doomed = runNode('worker/main', {
      TEMPORAL_ADDRESS: temporalAddress(),
      TEMPORAL_TASK_QUEUE: h.taskQueue,
      DATABASE_URL: h.config.DATABASE_URL,
      ENCRYPTION_KEY: h.encryptionKey,
      CUSTOMERIO_TRACK_URL_US: h.us.url,
      LOG_LEVEL: 'info',
    });
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
