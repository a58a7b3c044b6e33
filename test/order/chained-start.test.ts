import { temporal } from '@temporalio/proto';
import { WorkflowFailedError } from '@temporalio/client';
import { releaseWaiter } from '../../src/client/release-delivery';
import { ORDER_RELEASED_SIGNAL } from '../../src/shared/names';
import { type DeliveryHarness, startDeliveryHarness } from '../support/delivery-harness';
import { httpClient } from '../support/http';

const { EventType } = temporal.api.enums.v1;

/**
 * A person's later events of one request start behind the first (src/client/start-in-order.ts): their first workflow
 * task is delayed until their predecessor releases them by signal-with-start, so each costs one workflow task, and
 * none of them waits by signal after starting.
 */
describe('events chained behind an earlier one of the same request', () => {
  let h: DeliveryHarness;
  const call = httpClient(() => h.baseUrl);
  beforeAll(async () => {
    h = await startDeliveryHarness({ api: true });
  });
  afterAll(() => h.close());

  test('start delayed, are released by their predecessor as it finishes, and land in order long before the delay', async () => {
    const credentials = { siteId: 'chain-site', apiKey: 'chain-key' };
    h.us.acceptCredentials(credentials);
    const installed = await h.installThroughApi({ name: 'chain', credentials, appKey: 'chain-app' });
    expect(installed.status).toBe(201);
    const user = `chain-user-${Date.now()}`;
    const sentAt = Date.now();
    const sent = await call('POST', '/v1/batch', {
      token: h.pipelineKey,
      body: {
        batch: ['One', 'Two', 'Three'].map((event, i) => ({
          type: 'track',
          userId: user,
          event,
          messageId: `${user}-${i}`,
        })),
      },
    });
    expect(sent.status).toBe(202);
    const ids = (sent.body.deliveries as { workflow_id: string }[]).map((d) => d.workflow_id);
    const results = await Promise.all(ids.map((id) => h.client.workflow.getHandle(id).result()));
    // Well before the 60 s delay: the releases ended it.
    expect(Date.now() - sentAt).toBeLessThan(20_000);
    expect(results.map((r) => r.status)).toEqual(['delivered', 'delivered', 'delivered']);
    expect(results[0]!.orderWait).toBeUndefined();
    expect(results[1]!.orderWait).toMatchObject({ waitedFor: ids[0] });
    expect(results[2]!.orderWait).toMatchObject({ waitedFor: ids[1] });
    const names = h.us.requests
      .filter((r) => r.path === `/api/v1/customers/${user}/events`)
      .map((r) => (r.json as { name: string }).name);
    expect(names).toEqual(['One', 'Two', 'Three']);

    for (const [i, id] of ids.entries()) {
      const events = (await h.client.workflow.getHandle(id).fetchHistory()).events ?? [];
      const started = events[0]!.workflowExecutionStartedEventAttributes!;
      const backoff = Number(started.firstWorkflowTaskBackoff?.seconds ?? 0);
      const types = events.map((e) => e.eventType);
      const firstTask = types.indexOf(EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED);
      const signals = events.filter(
        (e) => e.workflowExecutionSignaledEventAttributes?.signalName === ORDER_RELEASED_SIGNAL,
      );
      if (i === 0) {
        expect(backoff).toBe(0);
        expect(signals).toHaveLength(0);
        continue;
      }
      // Delayed at its start, released before its first task, and one workflow task in all: no wait after starting.
      expect(backoff).toBeGreaterThan(0);
      expect(signals).toHaveLength(1);
      expect(types.indexOf(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED)).toBeLessThan(firstTask);
      expect(types.filter((t) => t === EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED)).toHaveLength(1);
    }
  });

  test('a release to a delivery that was never started starts a run without an event, which ends at once', async () => {
    const workflowId = `customer_io:never-started-${Date.now()}`;
    expect(await releaseWaiter(h.client, workflowId, h.taskQueue)).toBe('signalled');
    const ended = await h.client.workflow
      .getHandle(workflowId)
      .result()
      .then(
        () => undefined,
        (err: unknown) => err,
      );
    expect(ended).toBeInstanceOf(WorkflowFailedError);
    expect((ended as WorkflowFailedError).cause).toMatchObject({ type: 'NoEvent', nonRetryable: true });
    // A closed run is not started again by a second release.
    expect(await releaseWaiter(h.client, workflowId, h.taskQueue)).toBe('not_found');
  });
});
