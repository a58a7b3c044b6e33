import { CancelledFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { IntegrationCircuits } from '../../src/activities/circuit-breaker';
import type { SendAttemptInput } from '../../src/activities/contract';
import { DeliveryRateLimiter } from '../../src/activities/rate-limiter';
import { createSendToCustomerIo } from '../../src/activities/send-to-customer-io';
import type { HttpExchange } from '../../src/customerio/exchange';
import type { TrackTransport } from '../../src/customerio/http/transport';
import { registry } from '../../src/observability/metrics';
import type { DeliveryTargets } from '../../src/store/delivery-targets';
import type { DeliveryTarget } from '../../src/store/integrations';

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

function sendWith(transport: Pick<TrackTransport, 'send'>, circuits = circuitsOpeningAfter(1_000)) {
  return createSendToCustomerIo({
    targets: { get: async () => TARGET, invalidate: () => undefined } as unknown as DeliveryTargets,
    transport: { ...transport, close: async () => undefined },
    baseUrls: { us: 'http://us.invalid', eu: 'http://eu.invalid' },
    limiter: new DeliveryRateLimiter(),
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

  test('an attempt this worker cut off is a cancellation, neither a network failure nor a counted attempt', async () => {
    const env = new MockActivityEnvironment();
    let started!: () => void;
    const sending = new Promise<void>((resolve) => (started = resolve));
    // Like the real transport: an aborted request comes back as an exchange with an error, not as a throw.
    const send = sendWith({
      send: (_credentials, _request, signal) =>
        new Promise<HttpExchange>((resolve) => {
          started();
          signal!.addEventListener('abort', () =>
            resolve({
              method: 'POST',
              url: 'http://us.invalid/x',
              durationMs: 1,
              error: { code: 'AbortError', message: 'aborted' },
            }),
          );
        }),
    });
    const running = env.run(send, INPUT);
    await sending;
    env.cancel();
    await expect(running).rejects.toBeInstanceOf(CancelledFailure);
    expect(await attemptsCounted()).toEqual({ '2xx': 1 });
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
});
