import type { Client } from '@temporalio/client';
import { createActivities, type DeliveryActivities } from './activities';
import { type ApiDeps, buildApp } from './api/app';
import { type Config, requireSetting } from './config';
import { trackBaseUrls, type TrackBaseUrls } from './customerio/regions';
import { createTrackTransport, type TrackTransport } from './customerio/transport';
import { verifyTrackCredentials } from './customerio/verify-credentials';
import { LiveFeed } from './deliveries/live-feed';
import { DeliveryService } from './deliveries/service';
import { ActiveIntegrations } from './intake/active-integrations';
import { EventIntake } from './intake/event-intake';
import { IntegrationService } from './integrations/service';
import type { Logger } from './logger';
import type { RetryPolicy } from './shared/retry-policy';
import { AccessTokenStore } from './store/access-tokens';
import { AuditLog } from './store/audit-log';
import { type DatabaseHandle, migrateToLatest, openDatabase, pingDatabase } from './store/database';
import { DeliveryTargets } from './store/delivery-targets';
import { IntegrationStore } from './store/integrations';
import { SecretBox } from './store/secret-box';

/** The long-lived pieces every process shares: the store, one HTTP pool to Customer.io, the credentials cache. */
export interface Core {
  database: DatabaseHandle;
  store: IntegrationStore;
  transport: TrackTransport;
  baseUrls: TrackBaseUrls;
  targets: DeliveryTargets;
  close(): Promise<void>;
}

export async function openCore(config: Config): Promise<Core> {
  const database = openDatabase(config.DATABASE_URL);
  await migrateToLatest(database);
  const store = new IntegrationStore(database.db, SecretBox.fromKey(requireSetting(config, 'ENCRYPTION_KEY')));
  const transport = createTrackTransport({ timeoutMs: config.CUSTOMERIO_HTTP_TIMEOUT_MS });
  return {
    database,
    store,
    transport,
    baseUrls: trackBaseUrls({ us: config.CUSTOMERIO_TRACK_URL_US, eu: config.CUSTOMERIO_TRACK_URL_EU }),
    targets: new DeliveryTargets(store, { revalidateAfterMs: config.CREDENTIALS_REVALIDATE_MS }),
    async close() {
      await transport.close();
      await database.close();
    },
  };
}

export function deliveryActivities(core: Core): DeliveryActivities {
  return createActivities({ targets: core.targets, transport: core.transport, baseUrls: core.baseUrls, store: core.store });
}

export interface ApiOptions {
  config: Config;
  logger: Logger;
  client: Client;
  /** Retry overrides for every delivery the intake starts (tests). */
  retry?: Partial<RetryPolicy>;
  rateLimits?: ApiDeps['rateLimits'];
}

const RESUME_SWEEP_DELAY_MS = 3_000;

/** The HTTP service wired to the core: management API, intake, and the change hooks that keep caches honest. */
export function buildApi(core: Core, options: ApiOptions) {
  const { config, logger, client } = options;
  const active = new ActiveIntegrations(core.store);
  const audit = new AuditLog(core.database.db);
  const deliveries = new DeliveryService({
    client,
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    store: core.store,
    uiUrl: config.TEMPORAL_UI_URL,
    namespace: config.TEMPORAL_NAMESPACE,
  });
  const resumeParked = (integrationId: string, revisionNumber: number) =>
    deliveries.resumeParked(integrationId, revisionNumber).then(
      (count) => count > 0 && logger.info({ integrationId, revisionNumber, count }, 'resumed deliveries waiting for credentials'),
      (err: Error) => logger.warn({ integrationId, err: err.message }, 'could not resume deliveries waiting for credentials'),
    );
  const integrations = new IntegrationService({
    store: core.store,
    audit,
    verify: (c) => verifyTrackCredentials(core.transport, core.baseUrls, { siteId: c.site_id, apiKey: c.tracking_api_key, region: c.region }),
    onChange: async (id, change, view) => {
      active.invalidate();
      core.targets.invalidate(id);
      if (change === 'revised' && view) {
        await resumeParked(id, view.revision.revision_number);
        // Visibility is eventually consistent: a delivery parked a moment ago may not be listed yet. A second sweep
        // finds it; the delivery's own hourly re-check is the last resort.
        setTimeout(() => void resumeParked(id, view.revision.revision_number), RESUME_SWEEP_DELAY_MS).unref();
      }
    },
  });
  const intake = new EventIntake({
    client,
    integrations: active,
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    ...(options.retry ? { retry: options.retry } : {}),
  });
  const app = buildApp({
    logger,
    integrations,
    deliveries,
    live: new LiveFeed(deliveries, { logger }),
    tokens: new AccessTokenStore(core.database.db),
    audit,
    intake,
    ...(config.SIGNAL_ADMIN_TOKEN ? { bootstrapAdminToken: config.SIGNAL_ADMIN_TOKEN } : {}),
    ...(config.SIGNAL_PIPELINE_KEY ? { bootstrapPipelineKey: config.SIGNAL_PIPELINE_KEY } : {}),
    ...(options.rateLimits ? { rateLimits: options.rateLimits } : {}),
    ready: async () => ({
      database: await pingDatabase(core.database.db).then(
        () => 'ok',
        (e: Error) => `error: ${e.message}`,
      ),
      temporal: await client.workflowService.getSystemInfo({}).then(
        () => 'ok',
        (e: Error) => `error: ${e.message}`,
      ),
    }),
  });
  return { app, integrations, active, deliveries };
}
