import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { CIRCUIT_CLOSED_SIGNAL } from '../../src/shared/names';
import { type DeliveryHarness, startDeliveryHarness } from '../support/delivery-harness';
import { httpClient } from '../support/http';
import { deadline } from '../support/wait';

const QUEUED = 40;

/**
 * Customer.io down for one integration: after a few consecutive 5xx its circuit opens, the queued deliveries wait
 * without spending attempts while one probe at a time goes out, and once it answers again they all go out. Another
 * integration on the same worker keeps delivering throughout.
 */
describe('an integration whose Customer.io is down', () => {
  let h: DeliveryHarness;
  beforeAll(async () => {
    h = await startDeliveryHarness({
      api: true,
      env: { CIRCUIT_FAILURES_TO_OPEN: '3', CIRCUIT_FIRST_PROBE_MS: '500', CIRCUIT_MAX_PROBE_MS: '2000' },
    });
  });
  afterAll(() => h.close());

  const call = () => httpClient(() => h.baseUrl);
  async function circuitState(integrationId: string): Promise<string> {
    const res = await call()('GET', `/v1/admin/integrations/${integrationId}`, { token: h.adminToken });
    expect(res.status).toBe(200);
    return res.body.circuit.state as string;
  }
  async function until(what: string, check: () => Promise<boolean> | boolean, ms = 30_000): Promise<void> {
    const end = Date.now() + ms;
    while (!(await check())) {
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  test('one probe at a time while it is down, everything delivered after, the other integration unaffected', async () => {
    const down = await h.createIntegration({ region: 'us' });
    const healthy = await h.createIntegration({ region: 'eu' });
    const event = (n: number, tag: string) => ({
      type: 'track' as const,
      event: 'Order Completed',
      userId: `user-${n}`,
      messageId: `circuit-${tag}-${n}-${Date.now()}`,
    });
    h.us.answerAlways({ status: 503, body: { meta: { error: 'down' } } });
    const queued = await Promise.all(Array.from({ length: QUEUED }, (_, n) => h.deliver(down.id, event(n, 'down'))));

    // A first wave goes out before enough answers are back; then the circuit opens and holds back the rest. How many
    // made it out first depends on the machine's pace (an attempt still waiting for a rate-limit slot asks again), so
    // the first wave is what arrived before the first probe was due, as the circuit reports it.
    const track = () => h.us.requests.filter((r) => r.path.includes('/customers/'));
    await until('the circuit to open, as the API shows it', async () => (await circuitState(down.id)) === 'open');
    const opened = (await call()('GET', `/v1/admin/integrations/${down.id}`, { token: h.adminToken })).body.circuit
      .workers[0] as { opened_at: string; next_probe_at: string };
    const [openedAt, firstProbeDue] = [Date.parse(opened.opened_at), Date.parse(opened.next_probe_at)];
    await until('the first probe', () => track().some((r) => r.receivedAt >= firstProbeDue));
    const firstWave = track().filter((r) => r.receivedAt < firstProbeDue).length;
    expect(firstWave).toBeGreaterThanOrEqual(3);
    expect(firstWave).toBeLessThanOrEqual(QUEUED);

    // Three probes, at growing intervals (0.5 s, 1 s, 2 s after each failure, plus a settle of 1 s for the waiters):
    // without the circuit the 40 deliveries would retry every 0.2–1 s each, hundreds of requests in that time.
    await until('three probes', () => track().length >= firstWave + 3, 30_000);
    const thirdProbeAt = track()[firstWave + 2]!.receivedAt;
    expect(thirdProbeAt - openedAt).toBeGreaterThanOrEqual(3_000);
    const duringOutage = track().length;
    expect(duringOutage).toBeLessThanOrEqual(firstWave + 4);

    // Meanwhile the other integration delivers at once.
    const healthyRuns = await Promise.all(
      Array.from({ length: 10 }, (_, n) => h.deliver(healthy.id, event(n, 'healthy'))),
    );
    const healthyResults = await deadline(
      Promise.all(healthyRuns.map((r) => h.client.workflow.getHandle(r.workflowId).result())),
      15_000,
      () => 'the healthy integration did not deliver during the outage',
    );
    expect(healthyResults.map((r) => [r.status, r.attempts])).toEqual(Array(10).fill(['delivered', 1]));
    expect(await circuitState(healthy.id)).toBe('closed');
    expect(await circuitState(down.id)).not.toBe('closed');

    // Customer.io is back: the next probe closes the circuit and the backlog goes out.
    h.us.answerAlways(undefined);
    const recoveredAt = Date.now();
    const results = await deadline(
      Promise.all(queued.map((r) => h.client.workflow.getHandle(r.workflowId).result())),
      30_000,
      () => `the backlog was not delivered within 30 s of recovery (${h.us.requests.length} requests so far)`,
    );
    expect(results.every((r) => r.status === 'delivered')).toBe(true);
    // Every attempt counted is a request Customer.io saw: the waits while open spent none.
    const attempts = results.reduce((sum, r) => sum + r.attempts, 0);
    const trackRequests = track().length;
    expect(attempts).toBe(trackRequests);
    expect(trackRequests).toBeLessThanOrEqual(duringOutage + QUEUED + 2);
    expect(Math.max(...results.map((r) => r.attempts))).toBeLessThanOrEqual(2 + (duringOutage - firstWave));
    await until('the circuit to close', async () => (await circuitState(down.id)) === 'closed');

    // The held-back deliveries were woken by the worker's signal when the probe succeeded, not by their own re-check
    // (twenty seconds at these settings): the backlog was out within the next probe interval and a few seconds.
    const lastRequestAt = Math.max(...track().map((r) => r.receivedAt));
    expect(lastRequestAt - recoveredAt).toBeLessThan(12_000);
    const histories = await Promise.all(queued.map((r) => h.client.workflow.getHandle(r.workflowId).fetchHistory()));
    const woken = histories.filter((history) =>
      (history.events ?? []).some(
        (e) => e.workflowExecutionSignaledEventAttributes?.signalName === CIRCUIT_CLOSED_SIGNAL,
      ),
    );
    expect(woken.length).toBeGreaterThanOrEqual(QUEUED / 2);
    // test/replay replays one such run (kept as recorded, like the other frozen histories).
    if (process.env.RECORD_HISTORY_FIXTURES === '1') {
      const file = join(__dirname, '../fixtures/histories/v2/circuit-woken.json');
      writeFileSync(file, JSON.stringify(JSON.parse(historyToJSON(woken[0]!)), null, 1) + '\n');
    }
  }, 90_000);
});
