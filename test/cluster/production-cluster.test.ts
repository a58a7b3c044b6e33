import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { Client as PgClient } from 'pg';
import { encodeSearchAttributeIndexedValueType } from '@temporalio/common/lib/search-attributes';
import { DELIVERY_SEARCH_ATTRIBUTES } from '../../src/shared/search-attributes';
import { searchAttributeCliFlags } from '../../src/temporal/search-attributes';
import {
  clusterServiceEnv,
  clusterSettings,
  startServiceProcesses,
  startTemporalCluster,
  stopTemporalCluster,
} from '../support/cluster-settings';
import { freePort } from '../../src/temporal/dev-server';
import { testDatabases } from '../support/databases';
import { FakeCustomerIo, type RecordedRequest } from '../support/fake-customerio';
import { httpClient, type HttpResult } from '../support/http';
import { exitWithin, killGroup, ROOT, type Running } from '../support/processes';
import { eventually } from '../support/temporal';

/**
 * The production layout, end to end: a Temporal server built from source (scripts/temporal-server) on PostgreSQL,
 * set up from deploy/temporal/cluster.env by the same setup script docker-compose.yml runs (scripts/temporal-cluster),
 * with `npm run worker` twice and `npm run api` as separate processes on a PostgreSQL integration store, and a fake
 * Customer.io on loopback. Everything goes through the API's real HTTP.
 *
 * It needs PostgreSQL (TEST_POSTGRES_URL). In CI (CI=1, which .ci/run sets) a missing database or a cluster that does
 * not come up fails the run; elsewhere, without TEST_POSTGRES_URL, the suite is skipped.
 */
const REQUIRED = process.env.CI === '1' || process.env.TEMPORAL_CLUSTER_REQUIRED === '1';
const POSTGRES_URL = process.env.TEST_POSTGRES_URL;
const describeCluster = POSTGRES_URL || REQUIRED ? describe : describe.skip;

const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };
function seconds(duration: string): number {
  const m = /^(\d+)([smhd])$/.exec(duration);
  if (!m) throw new Error(`unexpected duration ${duration}`);
  return Number(m[1]) * UNIT_SECONDS[m[2]!]!;
}

const basic = (c: { siteId: string; apiKey: string }) =>
  `Basic ${Buffer.from(`${c.siteId}:${c.apiKey}`).toString('base64')}`;

describeCluster(
  'production layout: Temporal cluster on PostgreSQL, two workers and the API as separate processes',
  () => {
    const settings = clusterSettings();
    const creds = { siteId: 'cluster-site', apiKey: 'cluster-track-key' };
    const rotated = { siteId: 'cluster-site', apiKey: 'cluster-rotated-key' };
    const secrets = {
      ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      SIGNAL_ADMIN_TOKEN: `admin-${randomBytes(8).toString('hex')}`,
      SIGNAL_PIPELINE_KEY: `pipeline-${randomBytes(8).toString('hex')}`,
    };
    const runTag = `c${Date.now()}`;
    let n = 0;
    const messageId = (label: string) => `${runTag}-${label}-${++n}`;

    let cluster: Running | undefined;
    let address: string;
    let connection: Connection | undefined;
    let fake: FakeCustomerIo;
    let api: Running | undefined;
    const workers: Running[] = [];
    /** Each worker's identity, as its log line and Temporal's histories name it. */
    const workerIdentities: string[] = [];
    let port: number;
    let integrationId: string;
    /** What the server had registered before any service process started (the worker registers missing ones too). */
    let attributesAtSetup: Record<string, number>;

    const call = httpClient(() => `http://127.0.0.1:${port}`);
    const admin = (method: string, path: string, body?: unknown) =>
      call(method, path, { token: secrets.SIGNAL_ADMIN_TOKEN, ...(body !== undefined ? { body } : {}) });
    const send = async (event: Record<string, unknown>): Promise<string> => {
      const res = await call('POST', '/v1/events', { token: secrets.SIGNAL_PIPELINE_KEY, body: event });
      expect(res.status).toBe(202);
      return res.body.deliveries[0].workflow_id as string;
    };
    const record = (workflowId: string) => admin('GET', `/v1/admin/deliveries/${encodeURIComponent(workflowId)}`);
    /** The delivery's record once it has reached `status` (the API reads it from the workflow's history). */
    const recordOnce = (workflowId: string, status: string, timeoutMs = 60_000) =>
      eventually(
        async () => {
          const res = await record(workflowId);
          return res.body?.status === status ? res : undefined;
        },
        `${workflowId} to be ${status}`,
        timeoutMs,
      );
    /** Visibility (SQL, with the custom search attributes) is eventually consistent: poll until it says the expected. */
    const listUntil = (query: string, ok: (res: HttpResult) => boolean, timeoutMs = 30_000) =>
      eventually(
        async () => {
          const res = await admin('GET', `/v1/admin/deliveries?${query}`);
          return res.status === 200 && ok(res) ? res : undefined;
        },
        `deliveries?${query}`,
        timeoutMs,
      );
    const ids = (res: HttpResult) => res.body.data.map((d: { workflow_id: string }) => d.workflow_id as string);

    beforeAll(async () => {
      if (!POSTGRES_URL) {
        throw new Error(
          'CI=1 but TEST_POSTGRES_URL is not set: the production-cluster test needs PostgreSQL (.ci/run)',
        );
      }
      ({ cluster, address } = await startTemporalCluster(POSTGRES_URL));
      connection = await Connection.connect({ address });
      const listed = await connection.operatorService.listSearchAttributes({ namespace: settings.TEMPORAL_NAMESPACE });
      attributesAtSetup = Object.fromEntries(
        Object.entries(listed.customAttributes ?? {}).map(([name, type]) => [name, Number(type)]),
      );

      const [, postgres] = testDatabases().find(([name]) => name === 'postgres')!;
      const databaseUrl = await postgres();
      fake = await FakeCustomerIo.start({ region: 'us', credentials: [creds] });
      port = await freePort();
      const env = clusterServiceEnv({
        secrets,
        address,
        databaseUrl,
        fakeUrl: fake.url,
        port,
        // The limiter splits each integration's rate between the workers, as compose's WORKER_REPLICAS does.
        extra: { WORKER_REPLICAS: '2' },
      });
      const started = await startServiceProcesses(env, 2);
      workers.push(...started.workers);
      api = started.api;
      workerIdentities.push(...started.workerIdentities);
      expect(new Set(workerIdentities).size).toBe(2);
    }, 25 * 60_000);

    afterAll(async () => {
      for (const p of [api, ...workers]) if (p) killGroup(p, 'SIGKILL');
      await connection?.close();
      await fake?.close();
      await stopTemporalCluster(cluster);
    }, 120_000);

    test('the cluster runs the settings file: shard count, namespace retention, search attributes before any worker', async () => {
      const info = await connection!.workflowService.getClusterInfo({});
      expect(info.serverVersion).toBe(
        readFileSync(resolve(ROOT, 'scripts/temporal-server'), 'utf8').match(/^SERVER_VERSION="(.+)"$/m)![1],
      );
      expect(info.historyShardCount).toBe(Number(settings.NUM_HISTORY_SHARDS));
      const ns = await connection!.workflowService.describeNamespace({ namespace: settings.TEMPORAL_NAMESPACE });
      expect(Number(ns.config!.workflowExecutionRetentionTtl!.seconds)).toBe(
        seconds(settings.TEMPORAL_NAMESPACE_RETENTION!),
      );
      // The file names what the code declares (spelled as the dev server's flags spell them), and the setup registered
      // exactly those, with the code's types, before any worker could.
      expect(settings.TEMPORAL_SEARCH_ATTRIBUTES!.split(',')).toEqual(
        searchAttributeCliFlags().filter((flag) => flag !== '--search-attribute'),
      );
      expect(attributesAtSetup).toEqual(
        Object.fromEntries(
          DELIVERY_SEARCH_ATTRIBUTES.map((key) => [key.name, encodeSearchAttributeIndexedValueType(key.type)]),
        ),
      );
    });

    test('install the integration through the API', async () => {
      const installed = await admin('POST', '/v1/admin/integration-catalog/customer_io/install', {
        name: 'Cluster',
        variant: 'default',
        config: { site_id: creds.siteId, api_key: 'cluster-app-key', tracking_api_key: creds.apiKey, region: 'us' },
        delivery_mode: 'server_side',
      });
      expect(installed.status).toBe(201);
      integrationId = installed.body.id;
      expect((await call('GET', '/readyz')).body).toEqual({
        status: 'ready',
        checks: { database: 'ok', temporal: 'ok' },
      });
    });

    test('every event type is delivered, and listed by DeliveryStatus', async () => {
      fake.clear();
      const user = `${runTag}-user`;
      const events: [Record<string, unknown>, { method: string; path: string }][] = [
        [
          { type: 'identify', userId: user, traits: { email: 'c@example.com' } },
          { method: 'PUT', path: `/api/v1/customers/${user}` },
        ],
        [
          { type: 'track', event: 'Cluster Tracked', userId: user },
          { method: 'POST', path: `/api/v1/customers/${user}/events` },
        ],
        [
          { type: 'page', name: 'Home', userId: user, properties: { url: 'https://x.test/' } },
          { method: 'POST', path: `/api/v1/customers/${user}/events` },
        ],
        [
          { type: 'screen', name: 'Settings', userId: user },
          { method: 'POST', path: `/api/v1/customers/${user}/events` },
        ],
        [
          { type: 'group', groupId: 'acme', userId: user, traits: { name: 'Acme' } },
          { method: 'POST', path: '/api/v2/entity' },
        ],
        [
          { type: 'alias', previousId: 'guest-1', userId: user },
          { method: 'POST', path: '/api/v1/merge_customers' },
        ],
      ];
      const started: string[] = [];
      for (const [event] of events) started.push(await send({ ...event, messageId: messageId(String(event.type)) }));
      for (const workflowId of started) await recordOnce(workflowId, 'delivered');

      const seen = fake.requests.map((r) => ({ method: r.method, path: r.path, authorized: r.authorized }));
      for (const [, expected] of events) expect(seen).toContainEqual({ ...expected, authorized: true });
      expect(seen).toHaveLength(events.length);
      // Track events carry no type; page and screen events say which they are.
      const kind = (r: RecordedRequest) => {
        const body = r.json as { type?: string; name?: string };
        return body.type ?? body.name;
      };
      expect(
        fake.requests
          .filter((r) => r.path.endsWith('/events'))
          .map(kind)
          .sort(),
      ).toEqual(['Cluster Tracked', 'page', 'screen']);

      const listed = await listUntil(`status=delivered&integration_id=${integrationId}&customer_id=${user}`, (r) =>
        started.every((id) => ids(r).includes(id)),
      );
      expect(listed.body.data.map((d: { event_type: string }) => d.event_type).sort()).toEqual([
        'alias',
        'group',
        'identify',
        'page',
        'screen',
        'track',
      ]);
    });

    test('a 500, 500, 200 delivery is retried to success, every attempt recorded', async () => {
      fake.clear();
      fake.respondWith({ status: 500, body: 'first' }, { status: 500, body: 'second' });
      const workflowId = await send({
        type: 'track',
        event: 'Retried',
        userId: 'retry-user',
        messageId: messageId('retry'),
      });
      const res = await recordOnce(workflowId, 'delivered');
      expect(res.body.attempts).toBe(3);
      expect(res.body.attempts_detail.map((a: { response: { status: number } }) => a.response.status)).toEqual([
        500, 500, 200,
      ]);
      const bodies = fake.requests.map((r) => r.body);
      expect(bodies).toHaveLength(3);
      expect(new Set(bodies).size).toBe(1);
    });

    test('a 401 parks the delivery until a credentials PATCH wakes it', async () => {
      fake.clear();
      fake.acceptCredentials(rotated); // rotated in Customer.io: the stored key is refused now
      const workflowId = await send({
        type: 'track',
        event: 'Parked',
        userId: 'park-user',
        messageId: messageId('park'),
      });
      const parked = await listUntil(`integration_id=${integrationId}&status=awaiting_credentials`, (r) =>
        ids(r).includes(workflowId),
      );
      expect(ids(parked)).toEqual([workflowId]);
      expect(parked.body.data[0]).toMatchObject({ http_status: 401, execution_status: 'running' });

      const patched = await admin('PATCH', `/v1/admin/integrations/${integrationId}`, {
        config: { tracking_api_key: rotated.apiKey },
      });
      expect(patched.status).toBe(200);
      await recordOnce(workflowId, 'delivered');
      const attempts = fake.requests.filter((r) => r.path === '/api/v1/customers/park-user/events');
      expect(attempts.map((r) => r.headers.authorization)).toEqual([basic(creds), basic(rotated)]);
      expect(attempts[0]!.body).toBe(attempts[1]!.body);
    });

    test('a failed delivery is listed as failed (and only there), then replayed with the same event id', async () => {
      fake.clear();
      fake.respondWith({ status: 400, body: { meta: { errors: ['bad attribute'] } } });
      const workflowId = await send({
        type: 'track',
        event: 'Replayed',
        userId: 'replay-user',
        messageId: messageId('replay'),
      });
      await recordOnce(workflowId, 'failed');
      const failed = await listUntil(`status=failed&integration_id=${integrationId}`, (r) =>
        ids(r).includes(workflowId),
      );
      expect(ids(failed)).toEqual([workflowId]);
      // The eight delivered so far (six event types, the retried one, the parked one), and not the failed one.
      const delivered = await listUntil(
        `status=delivered&integration_id=${integrationId}&limit=100`,
        (r) => r.body.data.length >= 8,
      );
      expect(ids(delivered)).toHaveLength(8);
      expect(ids(delivered)).not.toContain(workflowId);

      const replay = await admin('POST', `/v1/admin/deliveries/${encodeURIComponent(workflowId)}/replay`, {});
      expect(replay.status).toBe(202);
      expect(replay.body).toMatchObject({ replay_of: workflowId, workflow_id: `replay:${workflowId}` });
      await recordOnce(replay.body.workflow_id, 'delivered');
      const [original, again, ...more] = fake.requests.filter((r) => r.authorized);
      expect(more).toEqual([]);
      expect(again!.body).toBe(original!.body);
      // The worker that took the replay may still trust the key from before the last test's rotation (for up to
      // CREDENTIALS_REVALIDATE_MS): that one attempt is refused, and the run, seeing a newer revision, goes again at once.
      const refused = fake.requests.filter((r) => !r.authorized);
      expect(refused.length).toBeLessThanOrEqual(1);
      for (const r of refused) expect(r.body).toBe(original!.body);
      const replays = await listUntil(`status=delivered&integration_id=${integrationId}`, (r) =>
        ids(r).includes(replay.body.workflow_id),
      );
      expect(
        replays.body.data.find((d: { workflow_id: string }) => d.workflow_id === replay.body.workflow_id),
      ).toMatchObject({
        replay_of: workflowId,
      });
    });

    test('a worker SIGKILLed mid-run: every event still delivered, once per Customer.io event id', async () => {
      fake.clear();
      const client = new Client({ connection: connection!, namespace: settings.TEMPORAL_NAMESPACE });
      const historyOf = (workflowId: string) => client.workflow.getHandle(workflowId).fetchHistory();
      /** Who completed each workflow task of a run, as Temporal recorded it. */
      const completedBy = (history: Awaited<ReturnType<typeof historyOf>>) =>
        (history.events ?? []).flatMap((e) => e.workflowTaskCompletedEventAttributes?.identity ?? []);
      const [victim, survivor] = workerIdentities;
      // Events keep coming until well after the kill, so it cuts into a stream of live work, whatever the timing.
      const sent: string[] = [];
      let killed = false;
      let afterKill = 0;
      const sending = (async () => {
        while (sent.length < 90 && (!killed || afterKill++ < 20))
          sent.push(
            await send({
              type: 'track',
              event: 'Burst',
              userId: `burst-${sent.length}`,
              messageId: messageId('burst'),
            }),
          );
      })();
      // Killed once it has run some of the burst: its cache holds those runs, and it may be mid-attempt.
      await eventually(
        async () => {
          for (const workflowId of [...sent].reverse())
            if (completedBy(await historyOf(workflowId)).includes(victim!)) return true;
          return undefined;
        },
        `worker 1 (${victim}) to take part in the burst`,
        60_000,
        100,
      );
      killGroup(workers[0]!, 'SIGKILL');
      killed = true;
      await exitWithin(workers[0]!, 10_000);
      await sending;
      expect(afterKill).toBeGreaterThan(0);
      for (const workflowId of sent) await recordOnce(workflowId, 'delivered', 120_000);

      const accepted = fake.requests.filter((r) => r.authorized && r.path.endsWith('/events'));
      const byEventId = new Map<string, RecordedRequest[]>();
      for (const r of accepted) {
        const id = (r.json as { id: string }).id;
        byEventId.set(id, [...(byEventId.get(id) ?? []), r]);
      }
      expect(byEventId.size).toBe(sent.length);
      const histories = new Map(await Promise.all(sent.map(async (id) => [id, await historyOf(id)] as const)));
      // A run the kill cut into: the victim started a workflow task in it that then timed out.
      const cutOff = new Set<string>();
      for (const [workflowId, history] of histories) {
        let startedBy: string | undefined;
        for (const event of history.events ?? []) {
          if (event.workflowTaskStartedEventAttributes)
            startedBy = event.workflowTaskStartedEventAttributes.identity ?? '';
          if (event.workflowTaskTimedOutEventAttributes && startedBy === victim) cutOff.add(workflowId);
        }
      }
      // A request is made again only when the kill cut off the run that made it, and then once, identical: same id,
      // so Customer.io keeps one.
      for (const [id, requests] of byEventId) {
        if (requests.length === 1) continue;
        expect({ id, requests: requests.length }).toEqual({ id, requests: 2 });
        expect(requests[1]!.body).toBe(requests[0]!.body);
        const userId = decodeURIComponent(requests[0]!.path.split('/')[4]!);
        expect(cutOff).toContain(sent[Number(userId.replace('burst-', ''))]);
      }
      // The survivor took over: what came after the kill was run by it, and nothing by a third party.
      expect(new Set([...histories.values()].flatMap(completedBy))).toEqual(new Set([victim, survivor]));
      const listed = await listUntil(
        `status=delivered&event_name=Burst&limit=100`,
        (r) => r.body.data.length === sent.length,
      );
      expect(new Set(ids(listed))).toEqual(new Set(sent));
    }, 240_000);

    test('the API and the surviving worker stop cleanly, the cluster too, and no secret reached a log', async () => {
      for (const p of [api!, workers[1]!]) killGroup(p, 'SIGTERM');
      await exitWithin(workers[1]!, 30_000, 'closed');
      await exitWithin(api!, 30_000, 'closed');
      expect(workers[1]!.output()).toContain('delivery worker stopped');
      for (const p of [api!, ...workers]) {
        for (const secret of [...Object.values(secrets), creds.apiKey, rotated.apiKey, 'cluster-app-key'])
          expect(p.output()).not.toContain(secret);
      }
      const pgPassword = decodeURIComponent(new URL(POSTGRES_URL!).password);
      expect(cluster!.output()).not.toContain(pgPassword);

      const databases = /databases (temporal_\w+) and (temporal_\w+_visibility)/.exec(cluster!.output())!.slice(1);
      cluster!.child.kill('SIGTERM');
      expect(await exitWithin(cluster!, 60_000)).toBe(0);
      const pg = new PgClient({ connectionString: POSTGRES_URL });
      await pg.connect();
      try {
        const left = await pg.query('SELECT datname FROM pg_database WHERE datname = ANY($1)', [databases]);
        expect(left.rows).toEqual([]);
      } finally {
        await pg.end();
      }
    }, 120_000);
  },
);
