/** gRPC status codes the service tells apart (the SDK's errors carry them as `code`, possibly on a cause). */
export const GRPC = { INVALID_ARGUMENT: 3, DEADLINE_EXCEEDED: 4, ALREADY_EXISTS: 6, UNAVAILABLE: 14 } as const;

/** Whether the error, or one of its causes, is a gRPC error with one of `codes`. */
export function hasGrpcCode(err: unknown, ...codes: number[]): boolean {
  let e = err as { code?: unknown; cause?: unknown } | undefined;
  for (let depth = 0; e && depth < 5; depth++, e = e.cause as typeof e) {
    if (typeof e.code === 'number' && codes.includes(e.code)) return true;
  }
  return false;
}

/** Temporal is out of reach or did not answer in time: the request may be retried, nothing about it was wrong. */
export function isTemporalUnreachable(err: unknown): boolean {
  return hasGrpcCode(err, GRPC.UNAVAILABLE, GRPC.DEADLINE_EXCEEDED);
}

/**
 * A visibility query naming a search attribute the server does not know yet: a cluster registers them at setup (or a
 * worker at its start) and its frontends' caches take up to a minute to see them. Not ready, rather than wrong.
 */
export function isSearchAttributeNotReady(err: unknown): boolean {
  return hasGrpcCode(err, GRPC.INVALID_ARGUMENT) && /invalid search attribute/i.test((err as Error)?.message ?? '');
}

/**
 * Runs a call to Temporal that must answer within `ms`. A deadline that passed surfaces in more than one shape: grpc-js
 * and the server say DEADLINE_EXCEEDED, the native client (the connection `npm start` shares with its worker) says
 * CANCELLED "Timeout expired". Past its deadline, any failure is Temporal not answering in time, so it is rethrown as
 * DEADLINE_EXCEEDED (the original as its cause), which `isTemporalUnreachable` knows.
 */
export async function withinDeadline<T>(
  client: { withDeadline<R>(deadline: number, fn: () => Promise<R>): Promise<R> },
  ms: number,
  call: () => Promise<T>,
): Promise<T> {
  const deadline = Date.now() + ms;
  try {
    return await client.withDeadline(deadline, call);
  } catch (err) {
    if (Date.now() < deadline || isTemporalUnreachable(err)) throw err;
    throw Object.assign(new Error(`Temporal did not answer within ${ms} ms`, { cause: err }), {
      code: GRPC.DEADLINE_EXCEEDED,
    });
  }
}
