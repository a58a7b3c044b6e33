import { randomBytes, randomUUID } from 'node:crypto';
import { Client } from '@temporalio/client';
import type { Worker } from '@temporalio/worker';
import type { FastifyInstance } from 'fastify';
import type { RateLimits } from '../../src/api/plugins/limits';
import type { LiveStreamLimits } from '../../src/api/live-streams';
import type { LiveFeed } from '../../src/deliveries/live-feed';
import type { DeliveryService } from '../../src/deliveries/service';
import { startDelivery, type StartDeliveryOptions } from '../../src/client/start-delivery';
import { type Config, EMBEDDED_WORKFLOW_TASK_SLOTS, loadConfig } from '../../src/config';
import { CustomerIoConfigSchema } from '../../src/customerio/config';
import { buildApi } from '../../src/api/build';
import { type Core, openCore } from '../../src/service/core';
import type { Region } from '../../src/customerio/regions';
import type { SignalEventInput } from '../../src/shared/event-schema';
import type { RetryPolicy } from '../../src/shared/retry-policy';
import type { DeliveryTargets } from '../../src/store/delivery-targets';
import type { IntegrationStore } from '../../src/store/integrations';
import { createDeliveryWorker, sharedOrderNotifier } from '../../src/worker/create-worker';
import { type Credentials, FakeCustomerIo } from './fake-customerio';
import { httpClient, type HttpResult } from './http';
import { captureLogs } from './log-capture';
import { connectTestEnvironment, workflowBundlePath } from './temporal';

/** Retries fast enough for tests; the schedule's shape is the production one. */
export const FAST_RETRY: Partial<RetryPolicy> = {
  initialIntervalMs: 200,
  maximumIntervalMs: 1_000,
  jitterRatio: 0,
  retryWindowMs: 60_000,
};

export interface HarnessOptions {
  httpTimeoutMs?: number;
  /** Also serve the HTTP API on a real port. */
  api?: boolean;
  rateLimits?: Partial<RateLimits>;
  /** Point the US region at this URL instead of the fake (e.g. a closed port). */
  usTrackUrl?: string;
  databaseUrl?: string;
  /** Start without the in-process delivery worker (`startWorker()` starts it later). */
  noWorker?: boolean;
  /** How long the worker trusts cached credentials (0 in tests, so every change is seen at once). */
  credentialsRevalidateMs?: number;
  /** Live stream caps and heartbeat of the API (tests shorten the heartbeat). */
  liveStreams?: Partial<LiveStreamLimits>;
  /** More settings, as environment variables (TRUST_PROXY, PIPELINE_KEY_CACHE_MS, …). */
  env?: Record<string, string>;
  /**
   * The API's intake as `npm start` wires it (src/main.ts): its client on the worker's connection, starts eager, the
   * worker's slots and order notifier shared, so a person's later events wait for the earlier ones in the worker.
   */
  eagerIntake?: boolean;
}

export interface DeliveryHarness {
  client: Client;
  core: Core;
  config: Config;
  store: IntegrationStore;
  targets: DeliveryTargets;
  us: FakeCustomerIo;
  eu: FakeCustomerIo;
  taskQueue: string;
  encryptionKey: string;
  adminToken: string;
  pipelineKey: string;
  /** Every line the service logged (API harness only). */
  logs: string[];
  app?: FastifyInstance;
  /** The API's live feed (API harness only): its watchers are the open live streams' subscriptions. */
  live?: LiveFeed;
  /** The API's delivery service (API harness only), for tests that need to hold its Temporal calls. */
  deliveries?: DeliveryService;
  baseUrl: string;
  createIntegration(options?: {
    region?: Region;
    credentials?: Credentials;
    name?: string;
  }): Promise<{ id: string; credentials: Credentials }>;
  /** Installs through the HTTP API (admin token), as an operator would; the fake must already accept `credentials`. */
  installThroughApi(options: {
    name: string;
    credentials: Credentials;
    appKey: string;
    region?: Region;
    config?: Record<string, unknown>;
  }): Promise<HttpResult>;
  deliver(
    integrationId: string,
    event: SignalEventInput,
    options?: StartDeliveryOptions,
  ): ReturnType<typeof startDelivery>;
  /** Starts the in-process delivery worker (for a harness started with `noWorker`). */
  startWorker(): Promise<void>;
  close(): Promise<void>;
}

/**
 * The service as it runs in production, minus Temporal's own process: the real store, a real delivery worker on the
 * shared dev server (own task queue), optionally the HTTP API on a real port, and fake Customer.io servers for both
 * regions on loopback.
 */
export async function startDeliveryHarness(options: HarnessOptions = {}): Promise<DeliveryHarness> {
  const us = await FakeCustomerIo.start({ region: 'us' });
  const eu = await FakeCustomerIo.start({ region: 'eu' });
  const taskQueue = `test-${randomUUID()}`;
  const encryptionKey = randomBytes(32).toString('base64');
  const config = loadConfig({
    DATABASE_URL: options.databaseUrl ?? 'sqlite::memory:',
    ENCRYPTION_KEY: encryptionKey,
    SIGNAL_ADMIN_TOKEN: `sio_admin_${randomBytes(16).toString('hex')}`,
    SIGNAL_PIPELINE_KEY: `dk_live_${randomBytes(16).toString('hex')}`,
    CUSTOMERIO_TRACK_URL_US: options.usTrackUrl ?? us.url,
    CUSTOMERIO_TRACK_URL_EU: eu.url,
    CUSTOMERIO_HTTP_TIMEOUT_MS: String(options.httpTimeoutMs ?? 2_000),
    CREDENTIALS_REVALIDATE_MS: String(options.credentialsRevalidateMs ?? 0),
    TEMPORAL_TASK_QUEUE: taskQueue,
    LOG_LEVEL: 'debug',
    ...(options.eagerIntake ? { WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: String(EMBEDDED_WORKFLOW_TASK_SLOTS) } : {}),
    ...options.env,
  });
  const core = await openCore(config);
  const env = await connectTestEnvironment();
  let worker: { instance: Worker; running: Promise<void> } | undefined;
  const localOrder = options.eagerIntake ? sharedOrderNotifier(config) : undefined;
  const startWorker = async () => {
    if (worker) return;
    const instance = await createDeliveryWorker(core, config, env.nativeConnection, {
      workflowBundle: { codePath: workflowBundlePath() },
      ...(localOrder ? { order: localOrder } : {}),
    });
    worker = { instance, running: instance.run() };
  };
  if (!options.noWorker) await startWorker();
  const client = env.client;
  const { logger, lines } = captureLogs();
  let app: FastifyInstance | undefined;
  let live: LiveFeed | undefined;
  let deliveries: DeliveryService | undefined;
  let baseUrl = '';
  // Every answer any test gets is checked against its route's declared schema (the OpenAPI document's promise).
  const responseMismatches: string[] = [];
  if (options.api) {
    ({ app, live, deliveries } = buildApi(core, {
      config,
      logger,
      // Eager starts need the client on the worker's own connection.
      client: localOrder
        ? new Client({ connection: env.nativeConnection, namespace: client.options.namespace })
        : client,
      ...(localOrder ? { eagerStart: true, localOrder } : {}),
      retry: FAST_RETRY,
      rateLimits: options.rateLimits,
      liveStreams: options.liveStreams,
      onResponseMismatch: (problem) => responseMismatches.push(problem),
    }));
    baseUrl = await app.listen({ host: '127.0.0.1', port: 0 });
  }
  let count = 0;

  return {
    client,
    core,
    config,
    store: core.store,
    targets: core.targets,
    us,
    eu,
    taskQueue,
    encryptionKey,
    adminToken: config.SIGNAL_ADMIN_TOKEN!,
    pipelineKey: config.SIGNAL_PIPELINE_KEY!,
    logs: lines,
    ...(app ? { app } : {}),
    ...(live ? { live } : {}),
    ...(deliveries ? { deliveries } : {}),
    baseUrl,
    async createIntegration({ region = 'us', credentials, name } = {}) {
      const creds = credentials ?? {
        siteId: `site-${randomUUID().slice(0, 8)}`,
        apiKey: `key-${randomBytes(12).toString('hex')}`,
      };
      (region === 'us' ? us : eu).acceptCredentials(creds);
      const view = await core.store.create({
        name: name ?? `Customer.io ${++count} ${randomUUID().slice(0, 6)}`,
        vendor: 'customer_io',
        variant: 'default',
        deliveryMode: 'server_side',
        config: CustomerIoConfigSchema.parse({
          site_id: creds.siteId,
          api_key: `app-${creds.apiKey}`,
          tracking_api_key: creds.apiKey,
          region,
        }),
      });
      return { id: view.id, credentials: creds };
    },
    installThroughApi({ name, credentials, appKey, region = 'us', config: extra = {} }) {
      return httpClient(() => baseUrl)('POST', '/v1/admin/integration-catalog/customer_io/install', {
        token: config.SIGNAL_ADMIN_TOKEN!,
        body: {
          name,
          variant: 'default',
          config: {
            site_id: credentials.siteId,
            api_key: appKey,
            tracking_api_key: credentials.apiKey,
            region,
            ...extra,
          },
          delivery_mode: 'server_side',
        },
      });
    },
    deliver(integrationId, event, startOptions = {}) {
      return startDelivery(client, integrationId, event, {
        taskQueue,
        ...startOptions,
        retry: { ...FAST_RETRY, ...startOptions.retry },
      });
    },
    startWorker,
    async close() {
      await app?.close();
      worker?.instance.shutdown();
      await worker?.running;
      await env.teardown();
      await core.close();
      await us.close();
      await eu.close();
      if (responseMismatches.length > 0) {
        throw new Error(
          `Answers that do not match their declared schema:\n${[...new Set(responseMismatches)].join('\n')}`,
        );
      }
    },
  };
}
