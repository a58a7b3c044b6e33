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
import { validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import type { z } from 'zod';
import { AppError, errors } from '../errors';
import { observeIntakeRequest } from '../observability/delivery-metrics';
import { registry } from '../observability/metrics';
import type { LiveFeed } from '../deliveries/live-feed';
import type { DeliveryService } from '../deliveries/service';
import type { EventIntake } from '../intake/event-intake';
import type { IntegrationService } from '../integrations/service';
import type { Logger } from '../logger';
import type { AccessTokenStore, Role } from '../store/access-tokens';
import type { AuditLog } from '../store/audit-log';
import { Authenticator, bearerToken, hasRole, type Principal } from './auth';
import {
  clientErrorReply,
  frameworkErrorReply,
  sendError,
  toAppError,
  UNAVAILABLE_RETRY_AFTER_SECONDS,
} from './error-replies';
import { DEFAULT_LIVE_STREAM_LIMITS, type LiveStreamLimits, LiveStreams } from './live-streams';
import { registerOpenApi } from './openapi';
import { registerAuditLogRoutes } from './routes/audit-logs';
import { registerCatalogRoutes } from './routes/catalog';
import { registerDeliveryRoutes } from './routes/deliveries';
import { registerLivePage } from './routes/live-page';
import { registerIntakeRoutes } from './routes/events';
import { registerIntegrationRoutes } from './routes/integrations';
import { registerTokenRoutes } from './routes/tokens';
import { isDocumentedOnly } from './schemas/documented';
import { ERROR_RESPONSES, NoQuery } from './schemas/common';
import { Health, Readiness } from './schemas/health';
import { API_HELMET } from './security-headers';
import {
  DEFAULT_REQUEST_DEADLINES,
  limitBodyIdleTime,
  type RequestDeadlines,
  requestDeadlineOptions,
} from './slow-clients';
import type { CircuitReader } from './routes/integrations';

declare module 'fastify' {
  interface FastifyRequest {
    principal?: Principal;
    /** Asks the store again whether the token this request authenticated with is still valid (live streams). */
    recheckPrincipal?: () => Promise<boolean>;
  }
  interface FastifyContextConfig {
    /** The route accepts the bearer token as ?token= (EventSource cannot send headers). */
    queryToken?: boolean;
    /** The least role an admin route needs; checked before its schema, so a caller without it learns nothing more. */
    role?: Role;
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
  /** The workers' circuits per integration, as they report them through the store. */
  circuits: CircuitReader;
  bootstrapAdminToken?: string;
  bootstrapPipelineKey?: string;
  /** The settings' RATE_LIMIT_* (src/config.ts holds their defaults). */
  rateLimits: RateLimits;
  liveStreams?: Partial<LiveStreamLimits>;
  /** How long a good pipeline key is trusted before the store is asked again (the revocation bound across replicas). */
  pipelineKeyCacheMs?: number;
  /** How long a client may take to send its request (API_REQUEST_TIMEOUT_MS, API_BODY_IDLE_TIMEOUT_MS). */
  requestDeadlines?: Partial<RequestDeadlines>;
  /** Fastify's trustProxy: which proxies' X-Forwarded-For to believe for the client's address (TRUST_PROXY). */
  trustProxy?: boolean | number | string;
  /**
   * False while the store's schema is not up to date yet (the database was out of reach at start): every /v1 route
   * answers 503 STORE_UNAVAILABLE meanwhile; /healthz, /readyz and /metrics answer as ever.
   */
  storeReady?: () => boolean;
  /** Readiness: each dependency answers ('ok') or not (`down`); why not goes to the log, never to the caller. */
  ready?: () => Promise<Record<string, 'ok' | 'down'>>;
  /**
   * Checks every answer against its route's declared response schema and reports each that does not match (the test
   * harness fails on any): what the OpenAPI document promises is what the routes send. Off in production: it costs a
   * parse per answer.
   */
  onResponseMismatch?: (problem: string) => void;
}

/** Longer URLs are refused (414) before routing: no route needs them, and they end up in logs and error messages. */
const MAX_URL_LENGTH = 8_192;

/** The HTTP service: management API under /v1/admin, event intake under /v1. Built by a function so tests make their own. */
export function buildApp(deps: ApiDeps): FastifyInstance {
  const limits = deps.rateLimits;
  const streams = new LiveStreams({ ...DEFAULT_LIVE_STREAM_LIMITS, ...deps.liveStreams });
  const deadlines = { ...DEFAULT_REQUEST_DEADLINES, ...deps.requestDeadlines };
  const app = Fastify({
    loggerInstance: deps.logger as FastifyBaseLogger,
    // Our own one-line access log below: Fastify's would include query strings, which may carry tokens.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: 1_048_576,
    ...requestDeadlineOptions(deadlines),
    genReqId: () => randomUUID(),
    trustProxy: trustProxyOption(deps.trustProxy),
    // Workflow ids (a path parameter) hold a messageId of up to 200 characters, percent-encoded up to 9 bytes each.
    routerOptions: { maxParamLength: 2_048 },
    // Errors met while routing, and requests Node's parser refuses, get the envelope (and headers) like any other.
    frameworkErrors: frameworkErrorReply,
    clientErrorHandler: clientErrorReply,
    // Fastify's own 503 while closing is not the envelope: requests that arrive then are answered below.
    return503OnClosing: false,
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler((route) =>
    isDocumentedOnly(route.schema)
      ? (data: unknown) => ({ value: data })
      : validatorCompiler(route as Parameters<typeof validatorCompiler>[0]),
  );
  // Response schemas document the answers (for OpenAPI) but do not filter them: parsing an answer through its schema
  // would silently drop a field the schema does not list yet, or turn a mismatch into a 500.
  app.setSerializerCompiler(({ schema, method, url, httpStatus }) => {
    const report = deps.onResponseMismatch;
    if (!report) return (data) => JSON.stringify(data);
    return (data) => {
      const checked = (schema as z.ZodType).safeParse(data);
      if (!checked.success) {
        const where = checked.error.issues.map((i) => `${i.path.join('.') || '(answer)'}: ${i.message}`).join('; ');
        report(`${method} ${url} ${httpStatus}: ${where}`);
      }
      return JSON.stringify(data);
    };
  });
  registerOpenApi(app);
  limitBodyIdleTime(app, deadlines.bodyIdleMs);
  // JSON only: without this Fastify would hand text/plain bodies to the handlers as strings.
  app.removeContentTypeParser('text/plain');
  const auth = new Authenticator({
    tokens: deps.tokens,
    bootstrapAdminToken: deps.bootstrapAdminToken,
    bootstrapPipelineKey: deps.bootstrapPipelineKey,
    pipelineKeyCacheMs: deps.pipelineKeyCacheMs,
  });
  void app.register(helmet, API_HELMET);
  // Nothing is limited unless a scope asks: each scope below keys its own limiter after authentication.
  void app.register(rateLimit, { global: false });

  let closing = false;
  // Before the server stops listening: hijacked live streams would otherwise keep it open for ever.
  app.addHook('preClose', async () => {
    closing = true;
    streams.closeAll();
  });
  // After helmet's hooks, so these early refusals carry its headers too.
  void app.after(() =>
    app.addHook('onRequest', async (request, reply) => {
      if (closing) {
        void reply.header('connection', 'close');
        throw new AppError(503, 'SHUTTING_DOWN', 'The API is stopping: retry against another replica or in a moment');
      }
      if (request.url.length > MAX_URL_LENGTH)
        throw new AppError(414, 'URI_TOO_LONG', `The URL is longer than ${MAX_URL_LENGTH} characters`);
      if (deps.storeReady && !deps.storeReady() && request.url.startsWith('/v1/')) throw errors.storeUnavailable();
    }),
  );

  app.setErrorHandler((err: FastifyError | AppError, request, reply) => {
    const appError = toAppError(err);
    if (appError.status >= 500) request.log.error({ err, reqId: request.id }, 'request failed');
    return sendError(reply, appError);
  });
  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0] ?? '';
    return sendError(
      reply,
      errors.notFound(`No route ${request.method} ${path.length > 200 ? `${path.slice(0, 199)}…` : path}`),
    );
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
      const query = request.query as { token?: unknown } | undefined;
      const token =
        bearerToken(request) ??
        (request.routeOptions.config.queryToken && typeof query?.token === 'string' ? query.token : undefined);
      const principal = await check(token);
      if (principal) {
        request.principal = principal;
        request.recheckPrincipal = async () => (await check(token))?.id === principal.id;
        return;
      }
      const failures = await authFailures(request);
      if (!failures.isAllowed && failures.isExceeded) throw errors.rateLimited(failures.ttlInSeconds);
      throw errors.unauthorized(token ? 'The bearer token is not valid (unknown or revoked)' : undefined);
    };

  app.get(
    '/healthz',
    { schema: { summary: 'Liveness', querystring: NoQuery, response: { 200: Health, ...ERROR_RESPONSES } } },
    async () => ({ status: 'ok' as const }),
  );
  // Prometheus scrapes without a token: the figures are counts and rates, never event data or secrets.
  app.get('/metrics', { schema: { summary: 'Prometheus metrics', querystring: NoQuery } }, async (_request, reply) =>
    reply.header('content-type', registry.contentType).send(await registry.metrics()),
  );
  registerLivePage(app);
  app.get(
    '/readyz',
    {
      schema: {
        summary: 'Readiness: the database and Temporal answer',
        querystring: NoQuery,
        response: { 200: Readiness, 503: Readiness, ...ERROR_RESPONSES },
      },
    },
    async (_request, reply) => {
      const checks = (await deps.ready?.()) ?? {};
      const ok = Object.values(checks).every((v) => v === 'ok');
      if (!ok) void reply.header('retry-after', String(UNAVAILABLE_RETRY_AFTER_SECONDS));
      return reply.code(ok ? 200 : 503).send({ status: ok ? 'ready' : 'not_ready', checks });
    },
  );

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
        // A route that does not say which role it needs is for admins only.
        admin.addHook('onRequest', async (request) => {
          const needed = request.routeOptions.config.role ?? 'admin';
          const principal = request.principal;
          if (principal && !hasRole(principal, needed)) {
            throw errors.forbidden(
              `This action needs the ${needed} role; the token "${principal.name}" has ${principal.role}`,
            );
          }
        });
        // Admin answers hold personal data and, once, secrets: nothing along the way may keep a copy.
        admin.addHook('onSend', async (_request, reply, payload) => {
          if (!reply.hasHeader('cache-control')) void reply.header('cache-control', 'no-store');
          return payload;
        });
        registerCatalogRoutes(admin, deps.integrations);
        registerIntegrationRoutes(admin, deps.integrations, deps.deliveries, deps.circuits);
        registerDeliveryRoutes(admin, { deliveries: deps.deliveries, live: deps.live, streams, audit: deps.audit });
        registerTokenRoutes(admin, {
          tokens: deps.tokens,
          audit: deps.audit,
          kind: 'api_token',
          path: '/tokens',
          // This replica's streams of the token end now; other replicas' at their next check of it.
          onRevoke: (id) => streams.revoke(id),
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

/** A hop count as the function proxy-addr understands: trust the nearest `hops` addresses. */
function trustProxyOption(setting: ApiDeps['trustProxy']): boolean | string | ((addr: string, hop: number) => boolean) {
  if (typeof setting === 'number') return (_addr, hop) => hop < setting;
  return setting ?? false;
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
