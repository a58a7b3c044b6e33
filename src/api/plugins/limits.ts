import rateLimit, { type RateLimitOptions } from '@fastify/rate-limit';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { errors } from '../../errors';

export interface RateLimits {
  /** Events API requests per second per pipeline key (Signal's gateway default: 1000). */
  intakePerSecond: number;
  /** Management API requests per second per token. */
  adminPerSecond: number;
  /** Failed authentications per minute per client address before it is told to slow down. */
  authFailuresPerMinute: number;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Counts a failed authentication against the caller's address (see plugins/authenticate.ts). */
    authFailures: ReturnType<FastifyInstance['createRateLimit']>;
  }
}

/**
 * The rate-limit plugin, with nothing limited unless a scope asks (each keys its own limiter after authentication),
 * and the budget of failed authentications: one per address across the admin API and intake, so guessing cannot be
 * spread over both.
 */
async function limits(app: FastifyInstance, { authFailuresPerMinute }: Pick<RateLimits, 'authFailuresPerMinute'>) {
  await app.register(rateLimit, { global: false });
  app.decorate(
    'authFailures',
    app.createRateLimit({
      ...fixedWindow(authFailuresPerMinute / 60, authFailuresPerMinute),
      keyGenerator: (request) => request.ip,
    }),
  );
}

/** Requests per second per authenticated principal (token or pipeline key id), bursts up to twice that; runs after
 * authentication, which sets the principal. Over the limit is the usual 429 envelope with Retry-After. */
async function principalLimit(app: FastifyInstance, { perSecond }: { perSecond: number }): Promise<void> {
  const options: RateLimitOptions = {
    ...fixedWindow(perSecond, perSecond * 2),
    keyGenerator: (request) => request.principal?.id ?? request.ip,
    errorResponseBuilder: (_request, context) => errors.rateLimited(Math.max(1, Math.ceil(context.ttl / 1000))),
  };
  app.addHook('onRequest', app.rateLimit(options));
}

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

export default fp(limits, { name: 'limits' });
export const perPrincipalLimit = fp(principalLimit, { name: 'per-principal-limit' });
