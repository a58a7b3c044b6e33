import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../src/temporal/dev-server';
import { FakeCustomerIo, type RecordedRequest } from '../support/fake-customerio';
import { httpClient } from '../support/http';
import { exitWithin, runNode, type Running } from '../support/processes';
import { type Sample, scrape, select, series, total } from '../support/prometheus';
import { eventually, temporalAddress } from '../support/temporal';

const forUser = (userId: string) => (r: RecordedRequest) =>
  r.path === `/api/v1/customers/${userId}` || r.path.startsWith(`/api/v1/customers/${userId}/`);

/**
 * The metrics of `npm run api` and `npm run worker` as separate processes, as Prometheus scrapes them: the API's
 * /metrics, the worker's METRICS_PORT and the Temporal SDK's TEMPORAL_METRICS_PORT, after deliveries that exercise
 * every path measured (delivered at once, 500 then 200, 429 with Retry-After, 401 parked then woken by new credentials,
 * failed without an attempt, a duplicate, an invalid event, an unauthenticated request).
 */
describe('metrics', () => {
  let dir: string;
  let us: FakeCustomerIo;
  let eu: FakeCustomerIo;
  const usKey = { siteId: 'mx-us-site', apiKey: 'mx-us-track-key' };
  const euKey = { siteId: 'mx-eu-site', apiKey: 'mx-eu-track-key' };
  const euNewKey = { siteId: 'mx-eu-site', apiKey: 'mx-eu-rotated-key' };
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'signal-metrics-'));
    us = await FakeCustomerIo.start({ region: 'us', credentials: [usKey] });
    eu = await FakeCustomerIo.start({ region: 'eu', credentials: [euKey] });
  });
  afterAll(async () => {
    await us.close();
    await eu.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('the API and the worker count every event, delivery, attempt, wait and park, and label none with a secret', async () => {
    const [apiPort, workerMetricsPort, temporalMetricsPort] = [await freePort(), await freePort(), await freePort()];
    const taskQueue = `metrics-${randomUUID()}`;
    const env = {
      TEMPORAL_ADDRESS: temporalAddress(),
      TEMPORAL_TASK_QUEUE: taskQueue,
      DATABASE_URL: `sqlite:${join(dir, 'signal.db')}`,
      ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      SIGNAL_ADMIN_TOKEN: `mx-admin-${randomBytes(8).toString('hex')}`,
      SIGNAL_PIPELINE_KEY: `mx-pipeline-${randomBytes(8).toString('hex')}`,
      CUSTOMERIO_TRACK_URL_US: us.url,
      CUSTOMERIO_TRACK_URL_EU: eu.url,
      PORT: String(apiPort),
      LOG_LEVEL: 'info',
    };
    const worker = runNode('worker/main', {
      ...env,
      METRICS_PORT: String(workerMetricsPort),
      TEMPORAL_METRICS_PORT: String(temporalMetricsPort),
      // A cache of two evicts the parked delivery while the others run, so its wake-up replays its history: the
      // replay must not count the park a second time.
      WORKER_MAX_CACHED_WORKFLOWS: '2',
      WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: '2',
    });
    const api = runNode('api/main', env);
    const running: Running[] = [worker, api];
    try {
      const [, workerLine] = await worker.waitFor(/(\{[^\n]*delivery worker running[^\n]*\})/);
      expect(JSON.parse(workerLine!)).toMatchObject({
        metrics: `http://127.0.0.1:${workerMetricsPort}/metrics`,
        temporalMetrics: `http://127.0.0.1:${temporalMetricsPort}/metrics`,
      });
      await api.waitFor(/Server listening/);
      const call = httpClient(() => `http://127.0.0.1:${apiPort}`);
      const admin = (method: string, path: string, body?: unknown) =>
        call(method, path, { token: env.SIGNAL_ADMIN_TOKEN, ...(body !== undefined ? { body } : {}) });
      const intake = (path: string, body: unknown) => call('POST', path, { token: env.SIGNAL_PIPELINE_KEY, body });
      const install = async (name: string, region: 'us' | 'eu', key: typeof usKey) => {
        const res = await admin('POST', '/v1/admin/integration-catalog/customer_io/install', {
          name,
          variant: 'default',
          config: { site_id: key.siteId, api_key: `${key.apiKey}-app`, tracking_api_key: key.apiKey, region },
          delivery_mode: 'server_side',
        });
        expect(res.status).toBe(201);
        return res.body.id as string;
      };
      // Every event goes to both integrations; each fake scripts its own answers, so the two never share a script.
      const usId = await install('Metrics US', 'us', usKey);
      const euId = await install('Metrics EU', 'eu', euKey);
      const run = randomUUID().slice(0, 8);
      const users = { a: `mx-a-${run}`, b: `mx-b-${run}`, c: `mx-c-${run}`, d: `mx-d-${run}`, e: `mx-e-${run}` };
      const messageA = `mx-msg-a-${run}`;
      const emailA = `mx-a-${run}@example.com`;

      // D: the EU account refuses the stored key once; the delivery parks until the integration gets a new one.
      eu.respondWith({ status: 401, body: { meta: { error: 'unauthorized' } } });
      expect((await intake('/v1/events', { type: 'screen', name: 'Home', userId: users.d })).status).toBe(202);
      await eu.waitForRequests(1, { match: forUser(users.d) });
      await us.waitForRequests(1, { match: forUser(users.d) });
      // B: a 500, then the retry succeeds.
      us.respondWith({ status: 500, body: {} });
      expect((await intake('/v1/events', { type: 'track', event: 'Bought', userId: users.b })).status).toBe(202);
      await us.waitForRequests(1, { match: forUser(users.b) });
      // C: a 429 asking to wait 1 s (the schedule's 4 s minimum still applies).
      us.respondWith({ status: 429, headers: { 'retry-after': '1' }, body: {} });
      expect(
        (
          await intake('/v1/events', {
            type: 'page',
            properties: { url: 'https://example.com/pricing' },
            userId: users.c,
          })
        ).status,
      ).toBe(202);
      await us.waitForRequests(1, { match: forUser(users.c) });
      // A: delivered at once; sent twice (the second a duplicate), in a batch beside an invalid event.
      const identifyA = { type: 'identify', userId: users.a, messageId: messageA, traits: { email: emailA } };
      const batch = await intake('/v1/batch', { batch: [identifyA, { type: 'nonsense' }] });
      expect(batch.status).toBe(202);
      expect(batch.body).toMatchObject({ accepted: 1, duplicates: 0, rejected: [{ index: 1 }] });
      expect((await intake('/v1/events', identifyA)).body).toMatchObject({ accepted: 1, duplicates: 2 });
      expect((await call('POST', '/v1/events', { body: identifyA })).status).toBe(401);
      // E: a page without a URL, which Customer.io cannot name: accepted, then failed without an attempt.
      expect((await intake('/v1/events', { type: 'page', userId: users.e })).status).toBe(202);

      const workerUrl = `http://127.0.0.1:${workerMetricsPort}/metrics`;
      await eventually(
        async () => (total(await scrape(workerUrl), 'signal_deliveries_parked_total') === 1 ? true : undefined),
        'the EU delivery of D to park',
        30_000,
      );
      eu.acceptCredentials(euKey, euNewKey);
      const patched = await admin('PATCH', `/v1/admin/integrations/${euId}`, {
        config: { tracking_api_key: euNewKey.apiKey },
      });
      expect(patched.status).toBe(200);

      const workerMetrics = await eventually(
        async () => {
          const samples = await scrape(workerUrl);
          return total(samples, 'signal_deliveries_finished_total') >= 10 ? samples : undefined;
        },
        'all 10 deliveries to finish',
        60_000,
      );
      const apiMetrics = await scrape(`http://127.0.0.1:${apiPort}/metrics`);

      // The API: intake.
      expect(series(apiMetrics, 'signal_intake_events_total', ['outcome'])).toEqual({
        'outcome=accepted': 6,
        'outcome=rejected': 1,
      });
      const byType = (metric: string, samples: Sample[], extra: Record<string, string>) =>
        Object.fromEntries(
          select(samples, metric, extra).map((s) => [
            `${s.labels.integration_id === usId ? 'us' : s.labels.integration_id === euId ? 'eu' : s.labels.integration_id}/${s.labels.event_type}`,
            s.value,
          ]),
        );
      const everyType = (n: number, page = n) =>
        Object.fromEntries(
          ['us', 'eu'].flatMap((i) =>
            Object.entries({ identify: n, track: n, page, screen: n }).map(([t, v]) => [`${i}/${t}`, v]),
          ),
        );
      expect(byType('signal_deliveries_started_total', apiMetrics, { source: 'intake' })).toEqual(everyType(1, 2));
      expect(total(apiMetrics, 'signal_deliveries_started_total')).toBe(10);
      expect(byType('signal_intake_duplicates_total', apiMetrics, {})).toEqual({ 'us/identify': 1, 'eu/identify': 1 });
      expect(total(apiMetrics, 'signal_intake_refused_total')).toBe(0);
      expect(series(apiMetrics, 'signal_intake_request_duration_seconds_count', ['route', 'status_code'])).toEqual({
        'route=/v1/events,status_code=202': 5,
        'route=/v1/batch,status_code=202': 1,
        'route=/v1/events,status_code=401': 1,
      });
      expect(total(apiMetrics, 'signal_intake_workflow_starts_total')).toBe(10);
      // What only the worker sees is not in the API process.
      expect(select(apiMetrics, 'signal_customerio_attempts_total')).toEqual([]);
      expect(select(apiMetrics, 'signal_deliveries_finished_total')).toEqual([]);

      // The worker: deliveries, attempts, waits, parks, the limiter.
      expect(byType('signal_deliveries_finished_total', workerMetrics, { status: 'delivered' })).toEqual(everyType(1));
      expect(byType('signal_deliveries_finished_total', workerMetrics, { status: 'failed' })).toEqual({
        'us/page': 1,
        'eu/page': 1,
      });
      expect(total(workerMetrics, 'signal_deliveries_finished_total')).toBe(10);
      const attempts = Object.fromEntries(
        select(workerMetrics, 'signal_customerio_attempts_total').map((s) => [
          `${s.labels.integration_id === usId ? 'us' : 'eu'}/${s.labels.status_class}`,
          s.value,
        ]),
      );
      expect(attempts).toEqual({ 'us/2xx': 4, 'us/4xx': 1, 'us/5xx': 1, 'eu/2xx': 4, 'eu/4xx': 1 });
      expect(series(workerMetrics, 'signal_customerio_attempt_duration_seconds_count', ['status_class'])).toEqual({
        'status_class=2xx': 8,
        'status_class=4xx': 2,
        'status_class=5xx': 1,
      });
      expect(total(workerMetrics, 'signal_customerio_attempt_duration_seconds_sum')).toBeGreaterThan(0);
      expect(series(workerMetrics, 'signal_customerio_retry_after_total', ['integration_id', 'status_class'])).toEqual({
        [`integration_id=${usId},status_class=4xx`]: 1,
      });
      expect(series(workerMetrics, 'signal_customerio_retry_after_seconds_count', ['integration_id'])).toEqual({
        [`integration_id=${usId}`]: 1,
      });
      expect(total(workerMetrics, 'signal_customerio_retry_after_seconds_sum')).toBe(1);
      expect(
        select(workerMetrics, 'signal_customerio_retry_after_seconds_bucket', { integration_id: usId }).map((s) => [
          s.labels.le,
          s.value,
        ]),
      ).toEqual(
        expect.arrayContaining([
          ['0.5', 0],
          ['1', 1],
          ['+Inf', 1],
        ]),
      );
      expect(series(workerMetrics, 'signal_deliveries_parked_total', ['integration_id'])).toEqual({
        [`integration_id=${euId}`]: 1,
      });
      expect(series(workerMetrics, 'signal_deliveries_unparked_total', ['integration_id', 'reason'])).toEqual({
        [`integration_id=${euId},reason=new_credentials`]: 1,
      });
      const rates = select(workerMetrics, 'signal_rate_limiter_requests_per_second');
      expect(rates.map((s) => s.labels.integration_id).sort()).toEqual([usId, euId].sort());
      for (const rate of rates) expect(rate.value).toBeGreaterThan(0);
      for (const rate of rates) expect(rate.value).toBeLessThanOrEqual(100);
      expect(select(workerMetrics, 'signal_intake_events_total')).toEqual([]);

      // The Temporal SDK's own metrics, from its native exporter.
      const temporalMetrics = await scrape(`http://127.0.0.1:${temporalMetricsPort}/metrics`);
      expect(total(temporalMetrics, 'temporal_workflow_completed_total', { task_queue: taskQueue })).toBe(8);
      expect(total(temporalMetrics, 'temporal_workflow_failed_total', { task_queue: taskQueue })).toBe(2);
      expect(
        total(temporalMetrics, 'temporal_workflow_task_replay_latency_seconds_count', { task_queue: taskQueue }),
      ).toBeGreaterThan(0);

      // No label, and nothing else in any scrape, carries a secret or says who a customer is.
      const secrets = [
        env.SIGNAL_ADMIN_TOKEN,
        env.SIGNAL_PIPELINE_KEY,
        env.ENCRYPTION_KEY,
        ...[usKey, euKey, euNewKey].flatMap((k) => [k.siteId, k.apiKey]),
        ...Object.values(users),
        emailA,
        messageA,
      ];
      const texts = await Promise.all(
        [workerUrl, `http://127.0.0.1:${apiPort}/metrics`, `http://127.0.0.1:${temporalMetricsPort}/metrics`].map(
          async (url) => (await fetch(url)).text(),
        ),
      );
      for (const text of texts) for (const secret of secrets) expect(text).not.toContain(secret);
      const labelValues = new Set(
        [workerMetrics, apiMetrics, temporalMetrics].flatMap((samples) =>
          samples.flatMap((s) => Object.values(s.labels)),
        ),
      );
      expect(labelValues.size).toBeGreaterThan(10);
      for (const value of labelValues) for (const secret of secrets) expect(value).not.toContain(secret);
    } finally {
      for (const r of running) r.child.kill('SIGTERM');
    }
    for (const r of running) expect(await exitWithin(r, 30_000)).toBe(0);
    // Stopped with the worker: nothing listens on either metrics port any more.
    await expect(fetch(`http://127.0.0.1:${workerMetricsPort}/metrics`)).rejects.toThrow();
  });
});
