import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { IntegrationCircuits } from '../../src/activities/circuit-breaker';
import type { SendAttemptInput } from '../../src/activities/contract';
import { DeliveryRateLimiter } from '../../src/activities/rate-limiter';
import { createCredentialsState } from '../../src/activities/credentials-state';
import { createSendToCustomerIo, STORE_UNREACHABLE_FAILURE } from '../../src/activities/send-to-customer-io';
import { loadConfig } from '../../src/config';
import { readAttemptFailure } from '../../src/customerio/outcomes';
import type { HttpExchange } from '../../src/customerio/exchange';
import type { TrackTransport } from '../../src/customerio/http/transport';
import { registry } from '../../src/observability/metrics';
import type { DeliveryTargets } from '../../src/store/delivery-targets';
import type { DeliveryTarget } from '../../src/store/integrations';
import { OrderNotifier, releaseOrder } from '../../src/activities/order-gate';
import { migrateToLatest, openDatabase } from '../../src/store/database';
import { OrderBook } from '../../src/store/order-book';

const TARGET: DeliveryTarget = {
  integrationId: 'int_attempt',
  revisionId: 'rev_1',
  revisionNumber: 1,
  enabled: true,
  deleted: false,
  region: 'us',
  siteId: 'site',
  trackingApiKey: 'key',
  ratePerSecond: 100,
};
const INPUT: SendAttemptInput = {
  integrationId: TARGET.integrationId,
  attempt: 1,
  request: { operation: 'track', method: 'POST', path: '/api/v1/customers/u/events', body: { name: 'x' } },
};

/** The attempts counted for this integration, by status class. */
async function attemptsCounted(): Promise<Record<string, number>> {
  const metric = (await registry.getMetricsAsJSON()).find((m) => m.name === 'signal_customerio_attempts_total');
  const values = (metric?.values ?? []) as { labels: Record<string, string>; value: number }[];
  return Object.fromEntries(
    values.filter((v) => v.labels.integration_id === TARGET.integrationId).map((v) => [v.labels.status_class, v.value]),
  );
}

const circuitsOpeningAfter = (failuresToOpen: number) =>
  new IntegrationCircuits({ failuresToOpen, firstProbeMs: 60_000, maxProbeMs: 60_000, probeLeaseMs: 10_000 });

/** What node-postgres throws while PostgreSQL restarts. */
function terminated(): Error {
  return new Error('Connection terminated unexpectedly');
}

function sendWith(
  transport: Pick<TrackTransport, 'send'>,
  circuits = circuitsOpeningAfter(1_000),
  target: () => Promise<DeliveryTarget> = async () => TARGET,
  limiter = new DeliveryRateLimiter({ share: 1 / loadConfig({}).WORKER_REPLICAS }),
) {
  return createSendToCustomerIo({
    targets: { get: target, invalidate: () => undefined } as unknown as DeliveryTargets,
    transport: { ...transport, close: async () => undefined },
    baseUrls: { us: 'http://us.invalid', eu: 'http://eu.invalid' },
    limiter,
    circuits,
  });
}

describe('one attempt at Customer.io', () => {
  test('an answer is an attempt, counted by its status class', async () => {
    const exchange: HttpExchange = { method: 'POST', url: 'http://us.invalid/x', status: 200, durationMs: 3 };
    const send = sendWith({ send: async () => exchange });
    await expect(new MockActivityEnvironment().run(send, INPUT)).resolves.toMatchObject({
      outcome: 'delivered',
      exchange,
    });
    expect(await attemptsCounted()).toEqual({ '2xx': 1 });
  });

  /** Runs an attempt this worker cuts off while it is sending; the transport hands back `answer` on the abort. */
  async function cutOff(answer: Omit<HttpExchange, 'method' | 'url'>) {
    const env = new MockActivityEnvironment();
    let started!: () => void;
    const sending = new Promise<void>((resolve) => (started = resolve));
    const send = sendWith({
      send: (_credentials, _request, signal) =>
        new Promise<HttpExchange>((resolve) => {
          started();
          signal!.addEventListener('abort', () => resolve({ method: 'POST', url: 'http://us.invalid/x', ...answer }));
        }),
    });
    const running = env.run(send, INPUT);
    await sending;
    env.cancel();
    await expect(running).rejects.toBeInstanceOf(CancelledFailure);
  }

  test('an attempt this worker cut off is a cancellation, neither a network failure nor a counted attempt', async () => {
    // Like the real transport: an aborted request comes back as an exchange with an error, not as a throw.
    await cutOff({ durationMs: 1, error: { code: 'AbortError', message: 'aborted' } });
    expect(await attemptsCounted()).toEqual({ '2xx': 1 });
  });

  test('an answer that arrived as this worker cut the attempt off is still counted: Customer.io saw the request', async () => {
    // The run was evicted while the 500 was on its way back: the transport still hands over the answer.
    await cutOff({ status: 500, durationMs: 2 });
    expect(await attemptsCounted()).toEqual({ '2xx': 1, '5xx': 1 });
  });

  test('with the circuit open an attempt is deferred until the probe, sent nowhere and not counted', async () => {
    let sent = 0;
    const circuits = circuitsOpeningAfter(2);
    const send = sendWith(
      {
        send: async () => {
          sent++;
          return { method: 'POST', url: 'http://us.invalid/x', status: 503, durationMs: 1 };
        },
      },
      circuits,
    );
    const env = new MockActivityEnvironment();
    await expect(env.run(send, INPUT)).rejects.toMatchObject({ type: 'CustomerIoRetryableError' });
    await expect(env.run(send, INPUT)).rejects.toMatchObject({ type: 'CustomerIoRetryableError' });
    const held = await env.run(send, INPUT);
    expect(held).toMatchObject({ outcome: 'deferred', detail: expect.stringContaining('circuit open') });
    expect((held as { retryAfterMs: number }).retryAfterMs).toBeGreaterThanOrEqual(60_000);
    expect(sent).toBe(2);
    expect(circuits.state(TARGET.integrationId)).toBe('open');
  });

  test('an attempt admitted before the circuit opened, still waiting for its rate-limit slot, is deferred instead of sent', async () => {
    const sent: unknown[] = [];
    const circuits = circuitsOpeningAfter(1);
    const released: string[] = [];
    // While this attempt waits 20 ms for its slot, another delivery's 503 opens the circuit.
    const limiter = {
      reserve: () => (circuits.failed(TARGET.integrationId), 20),
      release: (id: string) => released.push(id),
    } as unknown as DeliveryRateLimiter;
    const send = sendWith(
      { send: async (...args) => (sent.push(args), { method: 'POST', url: 'x', status: 503, durationMs: 1 }) },
      circuits,
      undefined,
      limiter,
    );
    const held = await new MockActivityEnvironment().run(send, { ...INPUT, deferAfterMs: 2_000 });
    expect(held).toMatchObject({ outcome: 'deferred', detail: expect.stringContaining('circuit open') });
    expect((held as { retryAfterMs: number }).retryAfterMs).toBeGreaterThanOrEqual(60_000);
    expect(sent).toEqual([]);
    // Its slot goes back to the others.
    expect(released).toEqual([TARGET.integrationId]);
  });

  test('credentials that cannot be loaded while the store is out of reach: a retryable failure, nothing sent', async () => {
    const sent: unknown[] = [];
    const send = sendWith(
      { send: async (...args) => (sent.push(args), { method: 'POST', url: 'x', status: 200, durationMs: 1 }) },
      undefined,
      async () => {
        throw terminated();
      },
    );
    const failure = await new MockActivityEnvironment().run(send, INPUT).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(failure).toBeInstanceOf(ApplicationFailure);
    expect(failure).toMatchObject({ type: STORE_UNREACHABLE_FAILURE, nonRetryable: false });
    expect((failure as Error).message).not.toContain('terminated');
    expect(sent).toEqual([]);
    // The workflow reads it as a reason to back off and try again, never to fail the delivery.
    expect(readAttemptFailure(failure, '1 minute')).toMatchObject({ next: 'backoff', type: STORE_UNREACHABLE_FAILURE });
  });

  test('a store fault that is not an outage still fails the attempt as it was thrown', async () => {
    const send = sendWith(
      { send: async () => ({ method: 'POST', url: 'x', status: 200, durationMs: 1 }) },
      undefined,
      async () => {
        throw new Error('unable to authenticate data');
      },
    );
    await expect(new MockActivityEnvironment().run(send, INPUT)).rejects.toThrow('unable to authenticate data');
  });
});

describe('late events (issue 17)', () => {
  const HOUR = 3_600_000;
  const trackAged = (hours: number): SendAttemptInput => ({
    ...INPUT,
    request: { ...INPUT.request, body: { name: 'x', timestamp: Math.floor((Date.now() - hours * HOUR) / 1000) } },
  });
  const ok: HttpExchange = { method: 'POST', url: 'http://us.invalid/x', status: 200, durationMs: 1 };

  test('an event 80 h old is sent, and the 2xx comes back marked late with its age; a fresh one is not', async () => {
    const sent: unknown[] = [];
    const send = sendWith({ send: async (_c, request) => (sent.push(request), ok) });
    const late = await new MockActivityEnvironment().run(send, trackAged(80));
    expect(late).toMatchObject({ outcome: 'delivered', late: { thresholdHours: 72 } });
    expect((late as { late: { ageHours: number } }).late.ageHours).toBeGreaterThanOrEqual(80);
    expect((late as { late: { ageHours: number } }).late.ageHours).toBeLessThan(80.1);
    const fresh = await new MockActivityEnvironment().run(send, trackAged(1));
    expect(fresh).toMatchObject({ outcome: 'delivered' });
    expect(fresh).not.toHaveProperty('late');
    expect(sent).toHaveLength(2);
  });

  test('with refuse_events_older_than_hours, an older event is skipped (event_too_old) and nothing is sent', async () => {
    const sent: unknown[] = [];
    const send = sendWith({ send: async (_c, request) => (sent.push(request), ok) }, undefined, async () => ({
      ...TARGET,
      refuseOlderThanHours: 48,
    }));
    await expect(new MockActivityEnvironment().run(send, trackAged(80))).resolves.toMatchObject({
      outcome: 'skipped',
      reason: 'event_too_old',
      detail: expect.stringMatching(/event is 80(\.\d)? h old.*refuse_events_older_than_hours \(48 h\)/),
    });
    expect(sent).toEqual([]);
    await expect(new MockActivityEnvironment().run(send, trackAged(47))).resolves.toMatchObject({
      outcome: 'delivered',
    });
    expect(sent).toHaveLength(1);
  });
});

describe('the credentials state of a parked delivery', () => {
  test('with the store out of reach it is "nothing new", so the delivery stays parked instead of failing', async () => {
    const state = createCredentialsState({
      revisionMarker: async () => {
        throw Object.assign(new Error('the database system is shutting down'), { code: '57P03' });
      },
    });
    await expect(state('int_parked')).resolves.toEqual({ revisionNumber: 0, usable: true, storeUnreachable: true });
  });

  test('a store fault that is not an outage fails the check', async () => {
    const state = createCredentialsState({
      revisionMarker: async () => {
        throw new Error('column "revision_id" does not exist');
      },
    });
    await expect(state('int_parked')).rejects.toThrow('does not exist');
  });

  test('an ordered attempt that waited in the worker for its predecessor still waits for its slot within its task’s budget', async () => {
    const handle = openDatabase('sqlite::memory:');
    await migrateToLatest(handle);
    const book = new OrderBook(handle.db);
    const notifier = new OrderNotifier();
    const order = { orderBook: book, notifier, signals: { release: async () => 'signalled' as const } as never };
    await book.take(TARGET.integrationId, [
      { workflowId: 'before', key: 'person:u', barrier: false },
      { workflowId: 'this', key: 'person:u', barrier: false },
    ]);
    notifier.enter('before');
    const sent: unknown[] = [];
    // A 150 ms wait for its rate-limit slot, after 300 ms waiting for its predecessor.
    const limiter = { reserve: () => 150, release: () => undefined } as unknown as DeliveryRateLimiter;
    const send = createSendToCustomerIo({
      targets: { get: async () => TARGET, invalidate: () => undefined } as unknown as DeliveryTargets,
      transport: {
        send: async (...args) => (sent.push(args), { method: 'POST', url: 'x', status: 200, durationMs: 1 }),
        close: async () => undefined,
      },
      baseUrls: { us: 'http://us.invalid', eu: 'http://eu.invalid' },
      limiter,
      circuits: circuitsOpeningAfter(1_000),
      order,
    });
    const env = new MockActivityEnvironment({
      workflowExecution: { workflowId: 'this', runId: 'r' },
    } as never);
    setTimeout(() => void releaseOrder(order, 'before', 'delivered'), 300);
    const input = (waitBudgetMs?: number) => ({
      ...INPUT,
      deferAfterMs: 400,
      order: { waitFor: ['before'], gateMs: 5_000, ...(waitBudgetMs ? { waitBudgetMs } : {}) },
    });
    // A budget of 5 s: 300 ms of it gone on the gate leaves the 150 ms slot well inside the 400 ms slot wait.
    expect(await env.run(send, input(5_000))).toMatchObject({ outcome: 'delivered', gated: { for: 'before' } });
    expect(sent).toHaveLength(1);
    await handle.close();
  });
});
