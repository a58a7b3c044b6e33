import type { ServerOptions } from 'node:http';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { AppError } from '../../errors';
import { sendError } from '../error-replies';

/** How long a client may take to send its request; the answer's own time is not bounded here. */
export interface RequestDeadlines {
  /** The whole request (line, headers and body) must arrive within this; else 408 and the connection closes. */
  requestMs: number;
  /** A body that stops arriving for this long is answered 408 and its connection closed. */
  bodyIdleMs: number;
}

/**
 * Fastify's (and so Node's) whole-request deadline. Node answers a request that is not complete by then with 408 (our
 * client error reply) and closes its connection; a request that has arrived is not timed, so a live stream and an
 * answer that waits on Temporal are never cut by it, and idle keep-alive connections keep Fastify's own timeout.
 */
export function requestDeadlineOptions(deadlines: RequestDeadlines): { requestTimeout: number; http: ServerOptions } {
  return {
    requestTimeout: deadlines.requestMs,
    http: {
      // At construction, so the headers deadline defaults to the smaller of 60 s and this one.
      requestTimeout: deadlines.requestMs,
      // Node looks for expired requests on this interval (30 s by default, which would almost double a 30 s deadline).
      connectionsCheckingInterval: Math.max(10, Math.min(1_000, Math.floor(deadlines.requestMs / 10))),
    },
  };
}

/**
 * A body that stops arriving for `idleMs` is answered 408 and its connection closed (the reply says
 * Connection: close, as every answer given before its request arrived does). Only while a body is due: a live
 * stream's socket, idle between heartbeats, is never timed.
 */
async function slowClients(
  app: FastifyInstance,
  { bodyIdleMs: idleMs }: Pick<RequestDeadlines, 'bodyIdleMs'>,
): Promise<void> {
  app.addHook('onRequest', async (request, reply) => {
    const { raw, headers } = request;
    if (raw.complete || (headers['content-length'] === undefined && headers['transfer-encoding'] === undefined)) return;
    const socket = raw.socket;
    const before = socket.timeout ?? 0;
    const onIdle = () => {
      if (reply.sent || raw.complete) return;
      void sendError(
        reply,
        new AppError(408, 'REQUEST_TIMEOUT', `The request body stopped arriving for ${idleMs} ms: send it again`),
      );
    };
    // On the request, not the socket: with a listener there Node leaves the socket to us instead of destroying it.
    raw.setTimeout(idleMs, onIdle);
    raw.once('end', () => {
      raw.off('timeout', onIdle);
      socket.setTimeout(before);
    });
  });
}

export default fp(slowClients, { name: 'slow-clients' });
