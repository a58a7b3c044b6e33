import { randomUUID } from 'node:crypto';
import helmet from '@fastify/helmet';
import rateLimit, { type RateLimitOptions } from '@fastify/rate-limit';
import Fastify, {
  type FastifyBaseLogger,
  type FastifyError,
  type FastifyInstance,
  type FastifyRequest,
  LogController,
} from 'fastify';
import { AppError, errors } from '../errors';
import { observeIntakeRequest } from '../observability/delivery-metrics';
import { registry } from '../observability/metrics';
import type { LiveFeed } from '../deliveries/live-feed';
import type { DeliveryService } from '../deliveries/service';
import type { EventIntake } from '../intake/event-intake';
import type { IntegrationService } from '../integrations/service';
import type { Logger } from '../logger';
import type { AccessTokenStore } from '../store/access-tokens';
import type { AuditLog } from '../store/audit-log';
import { Authenticator, bearerToken, type Principal } from './auth';
import { registerAuditLogRoutes } from './routes/audit-logs';
import { registerCatalogRoutes } from './routes/catalog';
import { registerDeliveryRoutes } from './routes/deliveries';
import { registerLivePage } from './routes/live-page';
import { registerIntakeRoutes } from './routes/events';
import { registerIntegrationRoutes } from './routes/integrations';
import { registerTokenRoutes } from './routes/tokens';

declare module 'fastify' {
  interface FastifyRequest {
    principal?: Principal;
  }
  interface FastifyContextConfig {
    /** The route accepts the bearer token as ?token= (EventSource cannot send headers). */
    queryToken?: boolean;
  }
}

export interface RateLimits {
  /** Events API requests per second per pipeline key (Signal's gateway default: 1000). */
  intakePerSecond: number;
  /** Management API requests per second per token. */
  adminPerSecond: number;
  /** Failed authentications per minute per client address before it is told to slow down. */
  authFailuresPerMinute: number;
}

export interface ApiDeps {
  logger: Logger;
  integrations: IntegrationService;
  tokens: AccessTokenStore;
  audit: AuditLog;
  intake: EventIntake;
  deliveries: DeliveryService;
  live: LiveFeed;
  bootstrapAdminToken?: string;
  bootstrapPipelineKey?: string;
  rateLimits?: Partial<RateLimits>;
  /** Readiness: the database and Temporal answer. */
  ready?: () => Promise<Record<string, 'ok' | string>>;
}

const DEFAULT_LIMITS: RateLimits = { intakePerSecond: 1000, adminPerSecond: 50, authFailuresPerMinute: 30 };

/** The HTTP service: management API under /v1/admin, event intake under /v1. Built by a function so tests make their own. */
export function buildApp(deps: ApiDeps): FastifyInstance {
  const limits = { ...DEFAULT_LIMITS, ...deps.rateLimits };
  const app = Fastify({
    loggerInstance: deps.logger as FastifyBaseLogger,
    // Our own one-line access log below: Fastify's would include query strings, which may carry tokens.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: 1_048_576,
    genReqId: () => randomUUID(),
  });
  // JSON only: without this Fastify would hand text/plain bodies to the handlers as strings.
  app.removeContentTypeParser('text/plain');
  const auth = new Authenticator({
    tokens: deps.tokens,
    bootstrapAdminToken: deps.bootstrapAdminToken,
    bootstrapPipelineKey: deps.bootstrapPipelineKey,
  });
  void app.register(helmet, {
    // Helmet's default policy is written for HTML sites; a JSON answer loads nothing and is never framed. The one page
    // sets its own (routes/live-page.ts).
    contentSecurityPolicy: { useDefaults: false, directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] } },
    // Says the same as frame-ancestors 'none' to browsers that only know the older header.
    xFrameOptions: { action: 'deny' },
  });
  // Nothing is limited unless a scope asks: each scope below keys its own limiter after authentication.
  void app.register(rateLimit, { global: false });

  app.setErrorHandler((err: FastifyError | AppError, request, reply) => {
    const appError = toAppError(err);
    if (appError.status >= 500) request.log.error({ err, reqId: request.id }, 'request failed');
    const retryAfter = (appError.details as { retry_after_seconds?: number } | undefined)?.retry_after_seconds;
    if (retryAfter) void reply.header('retry-after', String(retryAfter));
    void reply.code(appError.status).send({
      error: {
        code: appError.code,
        message: appError.message,
        ...(appError.details !== undefined ? { details: appError.details } : {}),
      },
    });
  });
  app.setNotFoundHandler((request, reply) => {
    void reply
      .code(404)
      .send({ error: { code: 'NOT_FOUND', message: `No route ${request.method} ${request.url.split('?')[0]}` } });
  });
  app.addHook('onResponse', async (request, reply) => {
    request.log.info(
      {
        reqId: request.id,
        method: request.method,
        path: request.url.split('?')[0],
        status: reply.statusCode,
        ms: Math.round(reply.elapsedTime),
        principal: request.principal?.id,
      },
      'request',
    );
  });

  /** An onRequest hook: authenticates the bearer token with `check`. Only failed authentications count against the
   * caller's address, so a client with a good token is never slowed down by its neighbours' guessing; once an address
   * is over the limit, a bad token gets 429 instead of 401. */
  const authenticate =
    (check: (token: string | undefined) => Promise<Principal | undefined>, authFailures: AuthFailureLimiter) =>
    async (request: FastifyRequest) => {
      const token =
        bearerToken(request) ??
        (request.routeOptions.config.queryToken ? (request.query as { token?: string }).token : undefined);
      const principal = await check(token);
      if (principal) {
        request.principal = principal;
        return;
      }
      const failures = await authFailures(request);
      if (!failures.isAllowed && failures.isExceeded) throw errors.rateLimited(failures.ttlInSeconds);
      throw errors.unauthorized(token ? 'The bearer token is not valid (unknown or revoked)' : undefined);
    };

  app.get('/healthz', async () => ({ status: 'ok' }));
  // Prometheus scrapes without a token: the figures are counts and rates, never event data or secrets.
  app.get('/metrics', async (_request, reply) =>
    reply.header('content-type', registry.contentType).send(await registry.metrics()),
  );
  registerLivePage(app);
  app.get('/readyz', async (_request, reply) => {
    const checks = (await deps.ready?.()) ?? {};
    const ok = Object.values(checks).every((v) => v === 'ok');
    return reply.code(ok ? 200 : 503).send({ status: ok ? 'ready' : 'not_ready', checks });
  });

  void app.register(async (api) => {
    // One budget per address across the admin API and intake, so guessing cannot be spread over both.
    const authFailures = api.createRateLimit({
      ...fixedWindow(limits.authFailuresPerMinute / 60, limits.authFailuresPerMinute),
      keyGenerator: (request) => request.ip,
    });

    void api.register(
      async (admin) => {
        admin.addHook(
          'onRequest',
          authenticate((t) => auth.admin(t), authFailures),
        );
        admin.addHook('onRequest', admin.rateLimit(perPrincipal(limits.adminPerSecond)));
        registerCatalogRoutes(admin, deps.integrations);
        registerIntegrationRoutes(admin, deps.integrations, deps.deliveries);
        registerDeliveryRoutes(admin, { deliveries: deps.deliveries, live: deps.live, audit: deps.audit });
        registerTokenRoutes(admin, {
          tokens: deps.tokens,
          audit: deps.audit,
          kind: 'api_token',
          path: '/tokens',
          onRevoke: () => undefined,
        });
        registerTokenRoutes(admin, {
          tokens: deps.tokens,
          audit: deps.audit,
          kind: 'pipeline_key',
          path: '/pipeline-keys',
          onRevoke: () => auth.forgetPipelineKeys(),
        });
        registerAuditLogRoutes(admin, deps.audit);
      },
      { prefix: '/v1/admin' },
    );

    void api.register(
      async (intake) => {
        intake.addHook(
          'onRequest',
          authenticate((t) => auth.pipeline(t), authFailures),
        );
        intake.addHook('onRequest', intake.rateLimit(perPrincipal(limits.intakePerSecond)));
        intake.addHook('onResponse', async (request, reply) => observeIntakeRequest(request, reply));
        registerIntakeRoutes(intake, deps.intake);
      },
      { prefix: '/v1' },
    );
  });

  return app;
}

type AuthFailureLimiter = ReturnType<FastifyInstance['createRateLimit']>;

/**
 * `perSecond` on average with bursts up to `burst`, as the plugin's fixed windows can say it: at most `burst` requests
 * per window of burst/perSecond seconds. A fresh caller may spend the whole burst at once; across a window's edge up to
 * twice the burst gets through, which a token bucket would not allow but which still caps the sustained rate.
 * Counters live in the plugin's in-memory LRU store (its default: 5000 keys per limiter). An unseen key evicts the
 * least recently used one in constant time, so no request pays for a sweep over every key (as the hand-written bucket
 * map did once it grew), however many addresses show up.
 */
function fixedWindow(perSecond: number, burst: number): { max: number; timeWindow: number } {
  const max = Math.max(1, Math.round(burst));
  return { max, timeWindow: Math.round((max / perSecond) * 1000) };
}

/** Requests per second per authenticated principal (token or pipeline key id), bursts up to twice that; runs after
 * authentication, which sets the principal. Over the limit is the usual 429 envelope with Retry-After. */
function perPrincipal(perSecond: number): RateLimitOptions {
  return {
    ...fixedWindow(perSecond, perSecond * 2),
    keyGenerator: (request) => request.principal?.id ?? request.ip,
    errorResponseBuilder: (_request, context) => errors.rateLimited(Math.max(1, Math.ceil(context.ttl / 1000))),
  };
}

function toAppError(err: FastifyError | AppError): AppError {
  if (err instanceof AppError) return err;
  switch (err.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new AppError(413, 'PAYLOAD_TOO_LARGE', `The body is larger than this endpoint accepts`);
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new AppError(415, 'UNSUPPORTED_MEDIA_TYPE', 'Send JSON with Content-Type: application/json');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new AppError(400, 'MALFORMED_JSON', 'The body is empty: send a JSON object');
  }
  if (err.statusCode === 400 && (err instanceof SyntaxError || err.code?.startsWith('FST_ERR_CTP'))) {
    return new AppError(400, 'MALFORMED_JSON', `The body is not valid JSON: ${err.message}`);
  }
  if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500) {
    return new AppError(err.statusCode, 'BAD_REQUEST', err.message);
  }
  return new AppError(500, 'INTERNAL', 'Internal error: the service log has the details');
}
