import { randomBytes, randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import type { Worker } from '@temporalio/worker';
import { createActivities } from '../../src/activities';
import { startDelivery, type StartDeliveryOptions } from '../../src/client/start-delivery';
import { createTrackTransport, type TrackTransport } from '../../src/customerio/transport';
import type { Region } from '../../src/customerio/regions';
import type { SignalEventInput } from '../../src/shared/event';
import type { RetryPolicy } from '../../src/shared/retry-policy';
import { type DatabaseHandle, migrateToLatest, openDatabase } from '../../src/store/database';
import { DeliveryTargets } from '../../src/store/delivery-targets';
import { IntegrationStore } from '../../src/store/integrations';
import { SecretBox } from '../../src/store/secret-box';
import { createDeliveryWorker } from '../../src/worker/create-worker';
import { type Credentials, FakeCustomerIo } from './fake-customerio';
import { connectTestEnvironment, workflowBundlePath } from './temporal';

/** Retries fast enough for tests; the schedule's shape is the production one. */
export const FAST_RETRY: Partial<RetryPolicy> = { initialIntervalMs: 200, maximumIntervalMs: 1_000, jitterRatio: 0, retryWindowMs: 60_000 };

export interface DeliveryHarness {
  client: Client;
  store: IntegrationStore;
  targets: DeliveryTargets;
  us: FakeCustomerIo;
  eu: FakeCustomerIo;
  taskQueue: string;
  encryptionKey: string;
  createIntegration(options?: { region?: Region; credentials?: Credentials; name?: string }): Promise<{ id: string; credentials: Credentials }>;
  deliver(integrationId: string, event: SignalEventInput, options?: StartDeliveryOptions): ReturnType<typeof startDelivery>;
  close(): Promise<void>;
}

/**
 * A real delivery worker on the shared dev server (own task queue), a real SQLite store in memory, and fake
 * Customer.io servers for both regions.
 */
export async function startDeliveryHarness(options: { httpTimeoutMs?: number } = {}): Promise<DeliveryHarness> {
  const database: DatabaseHandle = openDatabase('sqlite::memory:');
  await migrateToLatest(database.db);
  const encryptionKey = randomBytes(32).toString('base64');
  const store = new IntegrationStore(database.db, SecretBox.fromKey(encryptionKey));
  const us = await FakeCustomerIo.start({ region: 'us' });
  const eu = await FakeCustomerIo.start({ region: 'eu' });
  const targets = new DeliveryTargets(store, { revalidateAfterMs: 0 });
  const transport: TrackTransport = createTrackTransport({ timeoutMs: options.httpTimeoutMs ?? 2_000 });
  const activities = createActivities({ targets, transport, baseUrls: { us: us.url, eu: eu.url } });
  const taskQueue = `test-${randomUUID()}`;
  const env = await connectTestEnvironment();
  const worker: Worker = await createDeliveryWorker({
    connection: env.nativeConnection,
    namespace: 'default',
    taskQueue,
    activities,
    workflowBundle: { codePath: workflowBundlePath() },
  });
  const running = worker.run();
  const client = env.client;
  let count = 0;

  return {
    client,
    store,
    targets,
    us,
    eu,
    taskQueue,
    encryptionKey,
    async createIntegration({ region = 'us', credentials, name } = {}) {
      const creds = credentials ?? { siteId: `site-${randomUUID().slice(0, 8)}`, apiKey: `key-${randomBytes(12).toString('hex')}` };
      (region === 'us' ? us : eu).acceptCredentials(creds);
      const view = await store.create({
        name: name ?? `Customer.io ${++count} ${randomUUID().slice(0, 6)}`,
        vendor: 'customer_io',
        variant: 'default',
        deliveryMode: 'server_side',
        config: {
          site_id: creds.siteId,
          api_key: `app-${creds.apiKey}`,
          tracking_api_key: creds.apiKey,
          region,
          consent_categories: ['marketing'],
          hash_pii: false,
          retry_window_hours: 24,
        },
      });
      return { id: view.id, credentials: creds };
    },
    deliver(integrationId, event, startOptions = {}) {
      return startDelivery(client, integrationId, event, { taskQueue, retry: FAST_RETRY, ...startOptions });
    },
    async close() {
      worker.shutdown();
      await running;
      await env.teardown();
      await transport.close();
      await us.close();
      await eu.close();
      await database.close();
    },
  };
}
