/**
 * The one error type that crosses from the service layer to HTTP: a status, a stable machine code and a message a
 * human can act on. Rendered as {"error":{"code","message","details"}}.
 */
export class AppError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

export interface FieldProblem {
  field: string;
  message: string;
}

/**
 * What every 503 tells its caller to wait before retrying: Temporal or the database out of reach, or a replica
 * stopping, are matters of seconds, and a caller that comes back sooner only adds to the load.
 */
export const UNAVAILABLE_RETRY_AFTER_SECONDS = 5;

export const errors = {
  validation: (details: FieldProblem[], message = 'The request is invalid: see details for each field.') =>
    new AppError(422, 'VALIDATION_FAILED', message, details),
  notFound: (what: string) => new AppError(404, 'NOT_FOUND', `${what} was not found`),
  conflict: (code: string, message: string) => new AppError(409, code, message),
  unauthorized: (message = 'A valid bearer token is required: send Authorization: Bearer <token>') =>
    new AppError(401, 'UNAUTHORIZED', message),
  forbidden: (message: string) => new AppError(403, 'FORBIDDEN', message),
  rateLimited: (retryAfterSeconds: number) =>
    new AppError(429, 'RATE_LIMITED', `Too many requests: retry in ${retryAfterSeconds} s`, {
      retry_after_seconds: retryAfterSeconds,
    }),
  storeUnavailable: (retryAfterSeconds = UNAVAILABLE_RETRY_AFTER_SECONDS) =>
    new AppError(
      503,
      'STORE_UNAVAILABLE',
      `The service's database is out of reach: retry the whole request in ${retryAfterSeconds} s`,
      { retry_after_seconds: retryAfterSeconds },
    ),
};

/** zod issues → per-field problems, with paths relative to `prefix`. */
export function fieldProblems(
  issues: { path: PropertyKey[]; message: string; code?: string; keys?: string[] }[],
  prefix = '',
): FieldProblem[] {
  const field = (path: PropertyKey[]) => [prefix, path.map(String).join('.')].filter(Boolean).join('.') || '(body)';
  return issues.flatMap((i) =>
    i.code === 'unrecognized_keys' && i.keys
      ? i.keys.map((k) => ({ field: field([...i.path, k]), message: 'is not a known field' }))
      : [{ field: field(i.path), message: i.message }],
  );
}
