import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { LiveFeed } from '../deliveries/live-feed';
import type { DeliveryService } from '../deliveries/service';
import type { EventIntake } from '../intake/event-intake';
import type { IntegrationService } from '../integrations/service';
import type { Logger } from '../logger';
import { observeIntakeRequest } from '../observability/delivery-metrics';
import type { AccessTokenStore } from '../store/access-tokens';
import type { AuditLog } from '../store/audit-log';
import { Authenticator } from './auth';
import { clientErrorReply, frameworkErrorReply } from './error-replies';
import { type LiveStreamLimits, LiveStreams } from './live-streams';
import accessLog from './plugins/access-log';
import authenticate, { authorizeRoles } from './plugins/authenticate';
import errorReplies from './plugins/errors';
import limits, { perPrincipalLimit, type RateLimits } from './plugins/limits';
import openApi from './plugins/openapi';
import schemas, { type SchemaOptions } from './plugins/schemas';
import security, { noStoreAnswers, type SecurityOptions } from './plugins/security';
import slowClients, { type RequestDeadlines, requestDeadlineOptions } from './plugins/slow-clients';
import { registerAuditLogRoutes } from './routes/audit-logs';
import { registerCatalogRoutes } from './routes/catalog';
import { registerDeliveryRoutes } from './routes/deliveries';
import { registerIntakeRoutes } from './routes/events';
import { healthRoutes, type HealthOptions } from './routes/health';
import { type CircuitReader, registerIntegrationRoutes } from './routes/integrations';
import { registerLivePage } from './routes/live-page';
import { registerTokenRoutes } from './routes/tokens';

/** What the API is built from; buildApi (build.ts) fills it from the Config, which holds every default. */
export interface ApiDeps extends SchemaOptions, SecurityOptions, HealthOptions {
  logger: Logger;
  integrations: IntegrationService;
  tokens: AccessTokenStore;
  audit: AuditLog;
  intake: EventIntake;
  deliveries: DeliveryService;
  live: LiveFeed;
  /** The workers' circuits per integration, as they report them through the store. */
  circuits: CircuitReader;
  bootstrapAdminToken?: string;
  bootstrapPipelineKey?: string;
  rateLimits: RateLimits;
  liveStreams: LiveStreamLimits;
  /** How long a good pipeline key is trusted before the store is asked again (the revocation bound across replicas). */
  pipelineKeyCacheMs: number;
  requestDeadlines: RequestDeadlines;
  /** Fastify's trustProxy: which proxies' X-Forwarded-For to believe for the client's address (TRUST_PROXY). */
  trustProxy: boolean | number | string;
}

/** The HTTP service: management API under /v1/admin, event intake under /v1. Built by a function so tests make their own. */
export function buildApp(deps: ApiDeps): FastifyInstance {
  const app = Fastify({
    loggerInstance: deps.logger as FastifyBaseLogger,
    // Our own one-line access log (plugins/access-log.ts): Fastify's would include query strings, which may carry tokens.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: 1_048_576,
    ...requestDeadlineOptions(deps.requestDeadlines),
    genReqId: () => randomUUID(),
    trustProxy: trustProxyOption(deps.trustProxy),
    // Workflow ids (a path parameter) hold a messageId of up to 200 characters, percent-encoded up to 9 bytes each.
    routerOptions: { maxParamLength: 2_048 },
    // Errors met while routing, and requests Node's parser refuses, get the envelope (and headers) like any other.
    frameworkErrors: frameworkErrorReply,
    clientErrorHandler: clientErrorReply,
    // Fastify's own 503 while closing is not the envelope: plugins/security.ts answers requests that arrive then.
    return503OnClosing: false,
  }).withTypeProvider<ZodTypeProvider>();
  const streams = new LiveStreams(deps.liveStreams);
  // Before the server stops listening: hijacked live streams would otherwise keep it open for ever.
  app.addHook('preClose', async () => streams.closeAll());
  const auth = new Authenticator({
    tokens: deps.tokens,
    bootstrapAdminToken: deps.bootstrapAdminToken,
    bootstrapPipelineKey: deps.bootstrapPipelineKey,
    pipelineKeyCacheMs: deps.pipelineKeyCacheMs,
  });

  void app.register(schemas, { onResponseMismatch: deps.onResponseMismatch });
  void app.register(openApi);
  void app.register(slowClients, deps.requestDeadlines);
  void app.register(security, { storeReady: deps.storeReady });
  void app.register(errorReplies);
  void app.register(accessLog);
  void app.register(limits, deps.rateLimits);
  void app.register(healthRoutes, { ready: deps.ready });
  void app.register(async (page) => registerLivePage(page));

  void app.register(
    async (admin) => {
      await admin.register(authenticate, { check: (token) => auth.admin(token) });
      await admin.register(perPrincipalLimit, { perSecond: deps.rateLimits.adminPerSecond });
      await admin.register(authorizeRoles);
      await admin.register(noStoreAnswers);
      registerCatalogRoutes(admin, deps.integrations);
      registerIntegrationRoutes(admin, deps.integrations, deps.deliveries, deps.circuits);
      registerDeliveryRoutes(admin, { deliveries: deps.deliveries, live: deps.live, streams, audit: deps.audit });
      // A revoked token's streams on this replica end now; other replicas' at their next check of it.
      const tokenRoutes = { tokens: deps.tokens, audit: deps.audit };
      const revoke = (id: string) => streams.revoke(id);
      registerTokenRoutes(admin, { ...tokenRoutes, kind: 'api_token', path: '/tokens', onRevoke: revoke });
      const forget = () => auth.forgetPipelineKeys();
      registerTokenRoutes(admin, { ...tokenRoutes, kind: 'pipeline_key', path: '/pipeline-keys', onRevoke: forget });
      registerAuditLogRoutes(admin, deps.audit);
    },
    { prefix: '/v1/admin' },
  );

  void app.register(
    async (intake) => {
      await intake.register(authenticate, { check: (token) => auth.pipeline(token) });
      await intake.register(perPrincipalLimit, { perSecond: deps.rateLimits.intakePerSecond });
      intake.addHook('onResponse', async (request, reply) => observeIntakeRequest(request, reply));
      registerIntakeRoutes(intake, deps.intake);
    },
    { prefix: '/v1' },
  );
  return app;
}

/** A hop count as the function proxy-addr understands: trust the nearest `hops` addresses. */
function trustProxyOption(setting: ApiDeps['trustProxy']): boolean | string | ((addr: string, hop: number) => boolean) {
  return typeof setting === 'number' ? (_addr, hop) => hop < setting : setting;
}
