import { ApplicationFailure, WorkflowFailedError } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { attemptsFromHistory } from '../../src/deliveries/history';
import { DeliveryStatusKey, HttpStatusKey } from '../../src/shared/search-attributes';
import { type DeliveryHarness, startDeliveryHarness } from '../support/delivery-harness';

const EventType = temporal.api.enums.v1.EventType;

describe('delivery failures and retries', () => {
  let h: DeliveryHarness;
  let integrationId: string;
  beforeAll(async () => {
    h = await startDeliveryHarness({ httpTimeoutMs: 1_000 });
    integrationId = (await h.createIntegration({ region: 'us' })).id;
  });
  afterAll(() => h.close());
  beforeEach(() => h.us.clear());

  let seq = 0;
  const track = (overrides: Record<string, unknown> = {}) => ({
    type: 'track' as const,
    event: 'Order Completed',
    userId: 'user-1',
    messageId: `msg-failures-${++seq}-${Date.now()}`,
    timestamp: '2026-02-25T14:30:00Z',
    properties: { total: 10 },
    ...overrides,
  });

  /** Runs a delivery to its end and returns the workflow's failure (or throws if it did not fail). */
  async function expectFailure(workflowId: string): Promise<ApplicationFailure> {
    const err = await h.client.workflow
      .getHandle(workflowId)
      .result()
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(err).toBeInstanceOf(WorkflowFailedError);
    const cause = (err as WorkflowFailedError).cause;
    expect(cause).toBeInstanceOf(ApplicationFailure);
    return cause as ApplicationFailure;
  }

  test('a missing customer identifier fails at once, non-retryable, with no HTTP call', async () => {
    const started = await h.deliver(
      integrationId,
      track({ userId: undefined, anonymousId: 'anon-only', properties: { email: 'not-an-email' } }),
    );
    const failure = await expectFailure(started.workflowId);
    expect(failure.type).toBe('MissingCustomerIdentifier');
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toContain('Missing customer identifier');
    expect(failure.message).toContain('Ensure events include a user_id or email property');
    expect(h.us.requests).toHaveLength(0);
    const history = await h.client.workflow.getHandle(started.workflowId).fetchHistory();
    expect(history.events!.some((e) => e.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED)).toBe(false);
    const sa = (await h.client.workflow.getHandle(started.workflowId).describe()).typedSearchAttributes;
    expect(sa.get(DeliveryStatusKey)).toBe('failed');
  });

  test('an identifier over 150 bytes fails the same way, naming the limit', async () => {
    const started = await h.deliver(integrationId, track({ userId: 'x'.repeat(151) }));
    const failure = await expectFailure(started.workflowId);
    expect(failure.type).toBe('MissingCustomerIdentifier');
    expect(failure.message).toContain('151 bytes');
    expect(h.us.requests).toHaveLength(0);
  });

  test('500, 500, 200 delivers on the third attempt, every attempt visible in the history', async () => {
    h.us.respondWith({ status: 500, body: 'upstream exploded' }, { status: 500 });
    const started = await h.deliver(integrationId, track());
    const result = await h.client.workflow.getHandle(started.workflowId).result();
    expect(result).toMatchObject({ status: 'delivered', httpStatus: 200, attempts: 3 });
    expect(h.us.requests).toHaveLength(3);
    // The same request (same Customer.io event id) every time, so a retry can never duplicate the event.
    expect(new Set(h.us.requests.map((r) => r.body)).size).toBe(1);

    const history = await h.client.workflow.getHandle(started.workflowId).fetchHistory();
    const attempts = attemptsFromHistory(history);
    expect(attempts.map((a) => [a.attempt, a.outcome, a.exchange?.status])).toEqual([
      [1, 'failed', 500],
      [2, 'failed', 500],
      [3, 'delivered', 200],
    ]);
    expect(attempts[0]!.exchange!.responseExcerpt).toBe('upstream exploded');
    expect(attempts[0]!.error!.type).toBe('CustomerIoRetryableError');
    expect(attempts[0]!.request).toMatchObject({ method: 'POST', path: '/api/v1/customers/user-1/events' });
    for (const a of attempts) {
      expect(a.exchange!.durationMs).toBeGreaterThanOrEqual(0);
      expect(Date.parse(a.finishedAt!)).toBeGreaterThanOrEqual(Date.parse(a.scheduledAt));
    }
    const timers = history.events!.filter((e) => e.eventType === EventType.EVENT_TYPE_TIMER_STARTED);
    expect(timers).toHaveLength(2);
  });

  test('429 with Retry-After waits at least that long before the next attempt', async () => {
    h.us.respondWith({ status: 429, headers: { 'retry-after': '2' } });
    const started = await h.deliver(integrationId, track());
    const result = await h.client.workflow.getHandle(started.workflowId).result();
    expect(result).toMatchObject({ status: 'delivered', attempts: 2 });
    const [first, second] = h.us.requests;
    expect(second!.receivedAt - first!.receivedAt).toBeGreaterThanOrEqual(2_000);
    const attempts = attemptsFromHistory(await h.client.workflow.getHandle(started.workflowId).fetchHistory());
    expect(attempts[0]!.exchange).toMatchObject({ status: 429, retryAfterMs: 2_000 });
  });

  test('401 fails at once with the troubleshooting text when the integration does not wait for credentials', async () => {
    h.us.respondWith({ status: 401, body: { meta: { error: 'Unauthorized request' } } });
    const started = await h.deliver(integrationId, track(), { retry: { awaitCredentialsMs: 0 } });
    const failure = await expectFailure(started.workflowId);
    expect(failure.type).toBe('CustomerIoUnauthorized');
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toContain(
      'invalid Site ID or API key: verify the credentials in Customer.io Settings > API Credentials and update the integration config',
    );
    expect(h.us.requests).toHaveLength(1);
    const sa = (await h.client.workflow.getHandle(started.workflowId).describe()).typedSearchAttributes;
    expect(sa.get(DeliveryStatusKey)).toBe('failed');
    expect(sa.get(HttpStatusKey)).toBe(401);
  });

  test('400 fails at once and carries what Customer.io said', async () => {
    h.us.respondWith({ status: 400, body: { meta: { errors: ['event name too long'] } } });
    const started = await h.deliver(integrationId, track());
    const failure = await expectFailure(started.workflowId);
    expect(failure.type).toBe('CustomerIoRejected');
    expect(failure.message).toContain('400 Bad Request');
    expect(failure.message).toContain('event name too long');
    expect(h.us.requests).toHaveLength(1);
  });

  test('a connection reset and a hung response are retried until delivered', async () => {
    h.us.respondWith({ reset: true }, { hang: true });
    const started = await h.deliver(integrationId, track());
    const result = await h.client.workflow.getHandle(started.workflowId).result();
    expect(result).toMatchObject({ status: 'delivered', attempts: 3 });
    const attempts = attemptsFromHistory(await h.client.workflow.getHandle(started.workflowId).fetchHistory());
    expect(attempts.map((a) => a.error?.type ?? a.outcome)).toEqual([
      'CustomerIoNetworkError',
      'CustomerIoNetworkError',
      'delivered',
    ]);
    expect(attempts[1]!.exchange!.error!.code).toMatch(/TIMEOUT/);
  });

  test('retryable failures stop when the retry window is over', async () => {
    h.us.respondWith(...Array.from({ length: 20 }, () => ({ status: 503 })));
    const started = await h.deliver(integrationId, track(), {
      retry: { initialIntervalMs: 300, jitterRatio: 0, retryWindowMs: 3_000 },
    });
    const failure = await expectFailure(started.workflowId);
    expect(failure.type).toBe('RetryWindowExhausted');
    expect(failure.message).toMatch(/Gave up after \d+ attempts/);
    expect(failure.message).toContain('503');
    // Backoffs of 300, 600, 1200 ms fit a 3 s window; a slow first attempt on a loaded machine may leave room for fewer.
    expect(h.us.requests.length).toBeGreaterThanOrEqual(2);
    expect(h.us.requests.length).toBeLessThanOrEqual(4);
  });

  test('an attribute value over 1000 bytes fails before sending, naming the field', async () => {
    const started = await h.deliver(integrationId, {
      type: 'identify',
      userId: 'user-1',
      messageId: `msg-big-${Date.now()}`,
      traits: { bio: 'é'.repeat(600) },
    });
    const failure = await expectFailure(started.workflowId);
    expect(failure.type).toBe('PayloadTooLarge');
    expect(failure.message).toContain('traits.bio is 1200 bytes');
    expect(h.us.requests).toHaveLength(0);
  });

  test('a group event without a groupId fails as InvalidEvent before any request', async () => {
    const started = await h.deliver(integrationId, {
      type: 'group',
      userId: 'user-1',
      messageId: `msg-group-${Date.now()}`,
    });
    const failure = await expectFailure(started.workflowId);
    expect(failure.type).toBe('InvalidEvent');
    expect(failure.message).toMatch(/needs a groupId/);
    expect(h.us.requests).toHaveLength(0);
  });

  test('a disabled integration ends its deliveries as filtered with the reason', async () => {
    const disabled = await h.createIntegration({ region: 'us' });
    await h.store.update(disabled.id, { enabled: false });
    const started = await h.deliver(disabled.id, track());
    const result = await h.client.workflow.getHandle(started.workflowId).result();
    expect(result).toMatchObject({ status: 'filtered', reason: 'integration_disabled', attempts: 1 });
    expect(h.us.requests).toHaveLength(0);
  });
});
