import { defaultPayloadConverter } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { registry } from '../../src/observability/metrics';
import { ORDERED_TASK_TIMEOUT_MS } from '../../src/shared/attempt-timing';
import type { DeliveryResult } from '../../src/shared/delivery';
import { type DeliveryHarness, startDeliveryHarness } from '../support/delivery-harness';
import { httpClient } from '../support/http';
import { eventually } from '../support/temporal';
import { judgeRun, personEvents, requestsOf, roundByRound } from '../support/order-judge';

const { EventType } = temporal.api.enums.v1;

const PEOPLE = 20;
const EVENTS = 10;

/**
 * `npm start`'s intake starts every event of a request eagerly into the worker of its own process (src/main.ts), and a
 * person's later events wait there for the earlier ones, woken in-process as each finishes
 * (src/client/start-in-order.ts, src/activities/order-gate.ts): no start delay, no release, no signal, one workflow
 * task each, and still each person's events in order at Customer.io.
 */
describe('a person’s later events waiting in the worker of npm start’s eager intake', () => {
  let h: DeliveryHarness;
  let integrationId: string;
  const call = httpClient(() => h.baseUrl);
  const credentials = { siteId: 'local-wait-site', apiKey: 'local-wait-key' };

  beforeAll(async () => {
    h = await startDeliveryHarness({ api: true, eagerIntake: true });
    h.us.acceptCredentials(credentials);
    const installed = await h.installThroughApi({ name: 'local waits', credentials, appKey: 'local-wait-app' });
    expect(installed.status).toBe(201);
    integrationId = installed.body.id as string;
  });
  afterAll(() => h.close());

  test('start at once, wait in the worker without a signal, and land in order', async () => {
    const tag = `local-${Date.now()}`;
    const perPerson = Array.from({ length: PEOPLE }, (_, p) => personEvents(tag, p, EVENTS));
    // Events 0–4 of everyone in one request, then 5–9 in the next: waits within a request and across requests.
    const requests = [0, 5].flatMap((from) =>
      requestsOf(roundByRound(perPerson.map((events) => events.slice(from, from + 5))), PEOPLE * 5),
    );
    const ids: string[] = [];
    for (const batch of requests) {
      const res = await call('POST', '/v1/batch', { token: h.pipelineKey, body: { batch } });
      expect(res.status).toBe(202);
      ids.push(...(res.body.deliveries as { workflow_id: string }[]).map((d) => d.workflow_id));
    }
    expect(ids).toHaveLength(PEOPLE * EVENTS);
    const results = await Promise.all(
      ids.map((id) => h.client.workflow.getHandle(id).result() as Promise<DeliveryResult>),
    );
    expect(results.every((r) => r.status === 'delivered')).toBe(true);

    const verdict = judgeRun(h.us.requests, tag);
    expect(verdict).toMatchObject({ eventsSeen: PEOPLE * EVENTS, peopleWithInversion: 0, deletionsUndone: 0 });

    // Each person's first event waits for nothing; every later one of the same request was handed over behind an
    // unfinished predecessor. The first of the second request may find its predecessor finished already (a quick
    // first request): then it starts as a first one does.
    const firsts = new Set(ids.slice(0, PEOPLE));
    const acrossRequests = new Set(ids.slice(PEOPLE * 5, PEOPLE * 6));
    let waitedHere = 0;
    for (const [i, id] of ids.entries()) {
      const events = (await h.client.workflow.getHandle(id).fetchHistory()).events ?? [];
      const started = events[0]!.workflowExecutionStartedEventAttributes!;
      const types = events.map((e) => e.eventType);
      // Started at once (no start delay), never signalled, one workflow task: the wait, if any, was in the worker.
      expect(Number(started.firstWorkflowTaskBackoff?.seconds ?? 0)).toBe(0);
      expect(types).not.toContain(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED);
      expect(types.filter((t) => t === EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED)).toHaveLength(1);
      const taskTimeoutMs = Number(started.workflowTaskTimeout?.seconds ?? 0) * 1000;
      const behind = !firsts.has(id) && (!acrossRequests.has(id) || taskTimeoutMs !== 10_000);
      expect(taskTimeoutMs).toBe(behind ? ORDERED_TASK_TIMEOUT_MS : 10_000);
      // Listed from its start as waiting for its person's previous event (lists, Live page), as a chained one is.
      const status = defaultPayloadConverter.fromPayload(started.searchAttributes!.indexedFields!.DeliveryStatus!);
      const memo = started.memo?.fields?.waitingFor;
      if (!behind) {
        expect(status).toBe('pending');
        expect(memo).toBeUndefined();
      } else {
        expect(status).toBe('waiting_for_order');
        expect(defaultPayloadConverter.fromPayload(memo!)).toEqual({
          workflowId: ids[i - PEOPLE],
          barrier: false,
        });
      }
      const wait = results[i]!.orderWait;
      if (wait) {
        // What it waited for is an earlier event of the same person (ids are in handover order, person by person).
        const earlier = ids.filter((_, j) => j < i && j % PEOPLE === i % PEOPLE);
        expect(earlier).toContain(wait.waitedFor);
        expect(wait.waitedMs).toBeGreaterThanOrEqual(0);
        waitedHere++;
      }
    }
    // Ten events of a person handed over in the same moment: most of them found their predecessor under way.
    expect(waitedHere).toBeGreaterThan(PEOPLE);
    // Each of them is counted once as a wait (a deletion's with barrier="true"), though none took a signal. Sinks run
    // as the worker completes the last activation, which may be after the client has seen the result: the count is
    // waited for, then must not go past.
    const counted = async () => {
      const waits = await registry.getSingleMetric('signal_order_waits_total')!.get();
      return waits.values.filter((v) => v.labels.integration_id === integrationId).reduce((sum, v) => sum + v.value, 0);
    };
    await eventually(async () => ((await counted()) === waitedHere ? true : undefined), 'the waits counted', 10_000);
    expect(await counted()).toBe(waitedHere);

    // The record says what it waited for.
    const waiter = ids.find((_, i) => results[i]!.orderWait)!;
    const record = await call('GET', `/v1/admin/deliveries/${encodeURIComponent(waiter)}`, { token: h.adminToken });
    expect(record.status).toBe(200);
    expect(record.body.order.summary).toMatch(/^waited \d+ ms for customer_io:/);
  }, 120_000);
});
