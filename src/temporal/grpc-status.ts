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
