import type { FastifyError, FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { type AppError, errors } from '../../errors';
import { sendError, toAppError } from '../error-replies';

/**
 * Every error a route, a hook or Fastify raises, and every unknown route, answered in the envelope. (Errors met while
 * routing, and requests Node's parser refuses, are Fastify options: see buildApp.)
 */
async function errorReplies(app: FastifyInstance): Promise<void> {
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
}

export default fp(errorReplies, { name: 'error-replies' });
