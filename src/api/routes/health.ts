import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { registry } from '../../observability/metrics';
import { UNAVAILABLE_RETRY_AFTER_SECONDS } from '../error-replies';
import { ERROR_RESPONSES, NoQuery } from '../schemas/common';
import { Health, Readiness } from '../schemas/health';

export interface HealthOptions {
  /** Readiness: each dependency answers ('ok') or not (`down`); why not goes to the log, never to the caller. */
  ready?: () => Promise<Record<string, 'ok' | 'down'>>;
}

/**
 * Liveness, readiness and Prometheus metrics: no token, since probes and scrapers have none. They are for the
 * platform, not API callers, so the OpenAPI document leaves them out (`hide`).
 */
export async function healthRoutes(app: FastifyInstance, { ready }: HealthOptions): Promise<void> {
  const api = app.withTypeProvider<ZodTypeProvider>();
  api.get(
    '/healthz',
    {
      schema: { hide: true, summary: 'Liveness', querystring: NoQuery, response: { 200: Health, ...ERROR_RESPONSES } },
    },
    async () => ({ status: 'ok' as const }),
  );
  // The figures are counts and rates, never event data or secrets.
  api.get(
    '/metrics',
    { schema: { hide: true, summary: 'Prometheus metrics', querystring: NoQuery } },
    async (_request, reply) => reply.header('content-type', registry.contentType).send(await registry.metrics()),
  );
  api.get(
    '/readyz',
    {
      schema: {
        hide: true,
        summary: 'Readiness: the database and Temporal answer',
        querystring: NoQuery,
        response: { 200: Readiness, 503: Readiness, ...ERROR_RESPONSES },
      },
    },
    async (_request, reply) => {
      const checks = (await ready?.()) ?? {};
      const ok = Object.values(checks).every((v) => v === 'ok');
      if (!ok) void reply.header('retry-after', String(UNAVAILABLE_RETRY_AFTER_SECONDS));
      return reply.code(ok ? 200 : 503).send({ status: ok ? 'ready' : 'not_ready', checks });
    },
  );
}
