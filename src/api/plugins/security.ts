import helmet from '@fastify/helmet';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { AppError, errors } from '../../errors';
import { API_HELMET } from '../security-headers';

/** Longer URLs are refused (414) before routing: no route needs them, and they end up in logs and error messages. */
const MAX_URL_LENGTH = 8_192;

export interface SecurityOptions {
  /**
   * False while the store's schema is not up to date yet (the database was out of reach at start): every /v1 route
   * answers 503 STORE_UNAVAILABLE meanwhile; /healthz, /readyz and /metrics answer as ever.
   */
  storeReady?: () => boolean;
}

/**
 * Helmet's headers on every answer, JSON bodies only, and the refusals due before any route runs: the API is
 * stopping, the URL is too long, the store is not ready.
 */
async function security(app: FastifyInstance, { storeReady }: SecurityOptions): Promise<void> {
  await app.register(helmet, API_HELMET);
  // JSON only: without this Fastify would hand text/plain bodies to the handlers as strings.
  app.removeContentTypeParser('text/plain');
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  // After helmet's hooks, so these early refusals carry its headers too.
  app.addHook('onRequest', async (request, reply) => {
    if (closing) {
      void reply.header('connection', 'close');
      throw new AppError(503, 'SHUTTING_DOWN', 'The API is stopping: retry against another replica or in a moment');
    }
    if (request.url.length > MAX_URL_LENGTH)
      throw new AppError(414, 'URI_TOO_LONG', `The URL is longer than ${MAX_URL_LENGTH} characters`);
    if (storeReady && !storeReady() && request.url.startsWith('/v1/')) throw errors.storeUnavailable();
  });
}

/** Admin answers hold personal data and, once, secrets: nothing along the way may keep a copy. */
async function noStore(app: FastifyInstance): Promise<void> {
  app.addHook('onSend', async (_request, reply, payload) => {
    if (!reply.hasHeader('cache-control')) void reply.header('cache-control', 'no-store');
    return payload;
  });
}

export default fp(security, { name: 'security' });
export const noStoreAnswers = fp(noStore, { name: 'no-store' });
