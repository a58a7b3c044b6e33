import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

/** One line per answered request. Fastify's own would include query strings, which may carry tokens. */
async function accessLog(app: FastifyInstance): Promise<void> {
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
}

export default fp(accessLog, { name: 'access-log' });
