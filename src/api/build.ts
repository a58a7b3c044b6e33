import type { Client } from '@temporalio/client';
import type { Config } from '../config';
import { verifyTrackCredentials } from '../customerio/http/verify-credentials';
import { CredentialsWatch } from '../deliveries/credentials-watch';
import { LiveFeed } from '../deliveries/live-feed';
import { DeliveryService } from '../deliveries/service';
import { ActiveIntegrations } from '../intake/active-integrations';
import { EventIntake } from '../intake/event-intake';
import { IntegrationService } from '../integrations/service';
import type { Logger } from '../logger';
import type { Core } from '../service/core';
import type { RetryPolicy } from '../shared/retry-policy';
import { AccessTokenStore } from '../store/access-tokens';
import { AuditLog } from '../store/audit-log';
import { pingDatabase } from '../store/database';
import { type ApiDeps, buildApp } from './app';

interface ApiOptions {
  config: Config;
  logger: Logger;
  client: Client;
  /** Overrides of the default retry schedule for every delivery the intake starts, under each integration's own. */
  retry?: Partial<RetryPolicy>;
  rateLimits?: ApiDeps['rateLimits'];
  /** The client is on a NativeConnection shared with a worker in this process: the intake asks for eager starts. */
  eagerStart?: boolean;
}

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
  const watch = new CredentialsWatch({ deliveries, logger });
  const integrations = new IntegrationService({
    store: core.store,
    audit,
    verify: (c) =>
      verifyTrackCredentials(core.transport, core.baseUrls, {
        siteId: c.site_id,
        apiKey: c.tracking_api_key,
        region: c.region,
      }),
    onChange: async (id, change, view) => {
      active.invalidate();
      core.targets.invalidate(id);
      if (change === 'revised' && view) await watch.revised(id, view.revision.revision_number);
    },
  });
  const intake = new EventIntake({
    client,
    integrations: active,
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    retry: options.retry,
    eagerStart: options.eagerStart,
  });
  const app = buildApp({
    logger,
    integrations,
    deliveries,
    live: new LiveFeed(deliveries, { logger }),
    tokens: new AccessTokenStore(core.database.db),
    audit,
    intake,
    bootstrapAdminToken: config.SIGNAL_ADMIN_TOKEN,
    bootstrapPipelineKey: config.SIGNAL_PIPELINE_KEY,
    rateLimits: options.rateLimits,
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

/** The API listening on the configured address; `stop` closes it (in-flight requests finish). */
export async function startApi(core: Core, options: ApiOptions): Promise<{ url: string; stop: () => Promise<void> }> {
  const { app } = buildApi(core, options);
  const url = await app.listen({ host: options.config.HOST, port: options.config.PORT });
  return { url, stop: () => app.close() };
}
