import type { Client } from '@temporalio/client';
import { type Config, requireSetting } from '../config';
import { credentialsOf } from '../customerio/config';
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
import { SecretBox } from '../store/secret-box';
import { type ApiDeps, buildApp } from './app';
import { LIVE_STREAM_HEARTBEAT_MS } from './live-streams';
import type { LocalWaits } from '../client/start-in-order';

interface ApiOptions {
  config: Config;
  logger: Logger;
  client: Client;
  /** Overrides of the default retry schedule for every delivery the intake starts, under each integration's own. */
  retry?: Partial<RetryPolicy>;
  /** Overrides of the configured rate limits (tests). */
  rateLimits?: Partial<ApiDeps['rateLimits']>;
  /** Overrides of the configured caps (tests shorten the heartbeat). */
  liveStreams?: Partial<ApiDeps['liveStreams']>;
  /** The client is on a NativeConnection shared with a worker in this process: the intake asks for eager starts. */
  eagerStart?: boolean;
  /** That worker's order notifier (EventIntake's localOrder). */
  localOrder?: LocalWaits;
  onResponseMismatch?: ApiDeps['onResponseMismatch'];
}

/** The HTTP service wired to the core: management API, intake, and the change hooks that keep caches honest. */
export function buildApi(core: Core, options: ApiOptions) {
  const { config, logger, client } = options;
  const active = new ActiveIntegrations(core.store, { ttlMs: config.INTAKE_INTEGRATIONS_CACHE_MS });
  const audit = new AuditLog(core.database.db);
  const deliveries = new DeliveryService({
    client,
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    store: core.store,
    orderBook: core.orderBook,
    uiUrl: config.TEMPORAL_UI_URL,
    namespace: config.TEMPORAL_NAMESPACE,
    // Every replica derives the same key, so a cursor from one is good on another behind a load balancer.
    cursorKey: SecretBox.fromKey(requireSetting(config, 'ENCRYPTION_KEY')).deriveKey('delivery list cursors'),
    temporalTimeoutMs: config.API_TEMPORAL_TIMEOUT_MS,
  });
  const watch = new CredentialsWatch({ deliveries, logger });
  const integrations = new IntegrationService({
    store: core.store,
    audit,
    verify: (c) => verifyTrackCredentials(core.transport, core.baseUrls, credentialsOf(c, c)),
    onChange: async (id, change, view) => {
      active.invalidate();
      core.targets.invalidate(id);
      if (change === 'revised' && view) await watch.revised(id, view.revision.revision_number);
      else if (change === 'deleted' || view?.enabled === false) await watch.unusable(id);
    },
  });
  const intake = new EventIntake({
    client,
    integrations: active,
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    retry: options.retry,
    eagerStart: options.eagerStart,
    localOrder: options.localOrder,
    temporalTimeoutMs: config.INTAKE_TEMPORAL_TIMEOUT_MS,
    orderBook: core.orderBook,
  });
  const live = new LiveFeed(deliveries, { logger });
  const app = buildApp({
    logger,
    integrations,
    deliveries,
    live,
    tokens: new AccessTokenStore(core.database.db),
    audit,
    intake,
    onResponseMismatch: options.onResponseMismatch,
    // A worker with deliveries waiting probes at least every CIRCUIT_MAX_PROBE_MS: a row overdue by twice that is
    // a worker gone away.
    circuits: (ids) => core.circuits.views({ integrationIds: ids, staleMs: 2 * config.CIRCUIT_MAX_PROBE_MS }),
    bootstrapAdminToken: config.SIGNAL_ADMIN_TOKEN,
    bootstrapPipelineKey: config.SIGNAL_PIPELINE_KEY,
    rateLimits: {
      intakePerSecond: config.RATE_LIMIT_INTAKE_PER_SECOND,
      adminPerSecond: config.RATE_LIMIT_ADMIN_PER_SECOND,
      authFailuresPerMinute: config.RATE_LIMIT_AUTH_FAILURES_PER_MINUTE,
      ...options.rateLimits,
    },
    liveStreams: {
      perToken: config.LIVE_STREAMS_PER_TOKEN,
      total: config.LIVE_STREAMS_MAX,
      recheckMs: config.PIPELINE_KEY_CACHE_MS,
      heartbeatMs: LIVE_STREAM_HEARTBEAT_MS,
      ...options.liveStreams,
    },
    pipelineKeyCacheMs: config.PIPELINE_KEY_CACHE_MS,
    trustProxy: config.TRUST_PROXY,
    requestDeadlines: { requestMs: config.API_REQUEST_TIMEOUT_MS, bodyIdleMs: config.API_BODY_IDLE_TIMEOUT_MS },
    storeReady: () => core.isSchemaReady(),
    ready: async () => ({
      database: await answers(logger, 'database', async () => {
        if (!core.isSchemaReady()) throw new Error('the schema is not up to date yet (database out of reach at start)');
        await pingDatabase(core.database.db);
      }),
      temporal: await answers(logger, 'temporal', () =>
        client.withDeadline(Date.now() + READY_TIMEOUT_MS, () => client.workflowService.getSystemInfo({})),
      ),
    }),
  });
  return { app, integrations, active, deliveries, live };
}

/** Readiness asks each dependency this long at most: a probe must not hang on a dependency that hangs. */
const READY_TIMEOUT_MS = 3_000;

/** 'ok' or 'down'; why it is down is logged, never shown: /readyz answers anyone. */
async function answers(logger: Logger, what: string, probe: () => Promise<unknown>): Promise<'ok' | 'down'> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${READY_TIMEOUT_MS} ms`)), READY_TIMEOUT_MS);
  });
  try {
    await Promise.race([probe(), timeout]);
    return 'ok';
  } catch (err) {
    logger.warn({ err: (err as Error).message, dependency: what }, 'readiness check failed');
    return 'down';
  } finally {
    clearTimeout(timer);
  }
}

/** The API listening on the configured address; `stop` closes it (in-flight requests finish). */
export async function startApi(core: Core, options: ApiOptions): Promise<{ url: string; stop: () => Promise<void> }> {
  const { app } = buildApi(core, options);
  const url = await app.listen({ host: options.config.HOST, port: options.config.PORT });
  return { url, stop: () => app.close() };
}
