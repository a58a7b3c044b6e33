import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { AppError, errors, fieldProblems, UNAVAILABLE_RETRY_AFTER_SECONDS } from '../errors';
import { isStoreUnreachable } from '../store/database';
import { API_SECURITY_HEADERS } from './security-headers';

/** How many problems an error lists; the rest are counted, so a hostile body cannot make a huge answer. */
export const MAX_DETAILS = 20;
/** Field names and messages can echo the request (an unknown key, a path): each is clipped to this many characters. */
const MAX_TEXT = 200;
const MAX_MESSAGE = 1_000;

export interface ErrorBody {
  error: { code: string; message: string; details?: unknown };
}

/** The one shape of every error answer: {"error":{"code","message","details"}}, bounded in size. */
export function errorBody(err: AppError): ErrorBody {
  return {
    error: {
      code: err.code,
      message: clip(err.message, MAX_MESSAGE),
      ...(err.details !== undefined ? { details: boundedDetails(err.details) } : {}),
    },
  };
}

function boundedDetails(details: unknown): unknown {
  if (!Array.isArray(details)) return details;
  const shown: unknown[] = details
    .slice(0, MAX_DETAILS)
    .map((d: unknown) =>
      d && typeof d === 'object'
        ? Object.fromEntries(Object.entries(d).map(([k, v]) => [k, typeof v === 'string' ? clip(v, MAX_TEXT) : v]))
        : d,
    );
  const rest = details.length - MAX_DETAILS;
  if (rest > 0) shown.push({ field: '(more)', message: `${rest} more problem${rest === 1 ? '' : 's'} not shown` });
  return shown;
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

export { UNAVAILABLE_RETRY_AFTER_SECONDS };

/**
 * Sends `err` as the envelope. Retry-After repeats what a 429 says in its details, and every 503 has one. An answer
 * given before the request finished arriving (a bad token, a body over the limit) closes the connection: otherwise
 * Node would go on reading, and dropping, the rest of the body for as long as the client cares to send it.
 */
export function sendError(reply: FastifyReply, err: AppError): FastifyReply {
  const retryAfter =
    (err.details as { retry_after_seconds?: number } | undefined)?.retry_after_seconds ??
    (err.status === 503 ? UNAVAILABLE_RETRY_AFTER_SECONDS : undefined);
  if (retryAfter) void reply.header('retry-after', String(retryAfter));
  if (reply.request.raw.complete === false) void reply.header('connection', 'close');
  return reply.code(err.status).send(errorBody(err));
}

const VALIDATION_PART: Record<string, string> = {
  body: '(body)',
  querystring: '(query)',
  params: '(path)',
  headers: '(headers)',
};

/** Any error a handler, hook or Fastify itself raised, as the AppError it is answered with. */
export function toAppError(err: FastifyError | AppError): AppError {
  if (err instanceof AppError) return err;
  // Any route or hook that needed the store while PostgreSQL is down (or restarting): retry, not a bug.
  if (isStoreUnreachable(err)) return errors.storeUnavailable();
  if (hasZodFastifySchemaValidationErrors(err)) {
    // A route schema refused the request: the same 422 and per-field details as a body the service refuses.
    const issues = err.validation.map((v) => ({
      path: v.instancePath.split('/').filter(Boolean),
      message: v.message ?? 'is invalid',
      code: v.keyword,
      keys: (v.params as { keys?: string[] }).keys,
    }));
    const problems = fieldProblems(issues).map((p) =>
      p.field === '(body)' ? { ...p, field: VALIDATION_PART[err.validationContext ?? 'body'] ?? p.field } : p,
    );
    return errors.validation(problems);
  }
  switch (err.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new AppError(413, 'PAYLOAD_TOO_LARGE', 'The body is larger than this endpoint accepts');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new AppError(415, 'UNSUPPORTED_MEDIA_TYPE', 'Send JSON with Content-Type: application/json');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new AppError(400, 'MALFORMED_JSON', 'The body is empty: send a JSON object');
    case 'FST_ERR_BAD_URL':
      return new AppError(400, 'BAD_URL', 'The URL path is not valid: it holds a malformed percent-encoding');
    case 'FST_ERR_MAX_PARAM_LENGTH':
      return new AppError(414, 'URI_TOO_LONG', 'A path parameter is longer than this API accepts');
  }
  if (err.statusCode === 400 && (err instanceof SyntaxError || err.code?.startsWith('FST_ERR_CTP'))) {
    return new AppError(400, 'MALFORMED_JSON', `The body is not valid JSON: ${err.message}`);
  }
  if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500) {
    return new AppError(err.statusCode, codeOf(err.statusCode), err.message);
  }
  return new AppError(500, 'INTERNAL', 'Internal error: the service log has the details');
}

/** BAD_REQUEST, URI_TOO_LONG, …: the status's own name. */
function codeOf(status: number): string {
  return (STATUS_CODES[status] ?? 'Error')
    .toUpperCase()
    .replace(/[^A-Z0-9]+/g, '_')
    .replace(/^_|_$/g, '');
}

/**
 * Fastify's `frameworkErrors`: errors found while routing, before any hook ran (so helmet did not either): a
 * malformed percent-encoding in the path, a path parameter over `maxParamLength`.
 */
export function frameworkErrorReply(err: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  const appError = toAppError(err);
  if (appError.status >= 500) request.log.error({ err, reqId: request.id }, 'request failed while routing');
  void reply.headers(API_SECURITY_HEADERS);
  void sendError(reply, appError);
}

/**
 * Fastify's `clientErrorHandler`: a request Node's HTTP parser refused (headers or URL over 16 KB, a malformed request
 * line). No request object exists; the answer is written to the socket, still in the envelope, then it is closed.
 */
export function clientErrorReply(err: NodeJS.ErrnoException & { bytesParsed?: number }, socket: Socket): void {
  // An answer already on its way (a request that timed out after it was refused) must not be followed by another.
  const inFlight = (socket as Socket & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
  if (err.code === 'ECONNRESET' || socket.destroyed || !socket.writable || inFlight?.headersSent) {
    socket.destroy();
    return;
  }
  const status = err.code === 'HPE_HEADER_OVERFLOW' ? 431 : err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
  const message =
    status === 431
      ? 'The request line and headers are larger than this server accepts (16 KB)'
      : status === 408
        ? 'The request took too long to arrive'
        : 'The request is not valid HTTP';
  const body = JSON.stringify(errorBody(new AppError(status, codeOf(status), message)));
  const headers = {
    ...API_SECURITY_HEADERS,
    'content-type': 'application/json; charset=utf-8',
    'content-length': String(Buffer.byteLength(body)),
    connection: 'close',
  };
  const head = Object.entries(headers)
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join('');
  socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\n${head}\r\n${body}`);
  // Closed once the answer is out, not half-closed: the server's sockets allow half-open, and a client that goes on
  // trickling bytes would otherwise keep this one.
  socket.destroySoon();
}
