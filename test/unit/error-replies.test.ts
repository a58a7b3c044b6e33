import type { FastifyReply } from 'fastify';
import { ERROR_CODES } from '../../src/api/error-codes';
import { sendError, UNAVAILABLE_RETRY_AFTER_SECONDS } from '../../src/api/error-replies';
import { AppError, errors } from '../../src/errors';

/** What sendError did to a reply: its status, headers and body. */
function sent(err: AppError, { requestComplete = true } = {}) {
  const headers: Record<string, string> = {};
  let status = 0;
  let body: unknown;
  const reply = {
    request: { raw: { complete: requestComplete } },
    header(name: string, value: string) {
      headers[name.toLowerCase()] = value;
      return reply;
    },
    code(code: number) {
      status = code;
      return reply;
    },
    send(payload: unknown) {
      body = payload;
      return reply;
    },
  };
  sendError(reply as unknown as FastifyReply, err);
  return { status, headers, body };
}

describe('error replies', () => {
  const unavailable = Object.entries(ERROR_CODES).filter(([, [status]]) => status === 503);

  test('every 503 the API can answer with carries Retry-After', () => {
    expect(unavailable.map(([code]) => code).sort()).toEqual([
      'SHUTTING_DOWN',
      'STORE_UNAVAILABLE',
      'TEMPORAL_UNAVAILABLE',
    ]);
    for (const [code, [status, what]] of unavailable) {
      const reply = sent(new AppError(status, code, what));
      expect([code, reply.status, reply.headers['retry-after']]).toEqual([
        code,
        503,
        String(UNAVAILABLE_RETRY_AFTER_SECONDS),
      ]);
      expect(reply.body).toEqual({ error: { code, message: what } });
    }
    // Whatever its code: a 503 is always worth retrying later, and says when.
    expect(sent(new AppError(503, 'SOMETHING_NEW', 'x')).headers['retry-after']).toBe(
      String(UNAVAILABLE_RETRY_AFTER_SECONDS),
    );
  });

  test('a 429 says the wait its details give; other errors say none', () => {
    expect(sent(errors.rateLimited(7)).headers['retry-after']).toBe('7');
    for (const [code, [status, what]] of Object.entries(ERROR_CODES)) {
      if (status === 503 || status === 429) continue;
      expect([code, sent(new AppError(status, code, what)).headers['retry-after']]).toEqual([code, undefined]);
    }
  });

  test('an error answered before its request finished arriving closes the connection; otherwise keep-alive stays', () => {
    expect(sent(errors.unauthorized(), { requestComplete: false }).headers.connection).toBe('close');
    expect(sent(errors.unauthorized(), { requestComplete: true }).headers.connection).toBeUndefined();
  });
});
