import { isSearchAttributeNotReady, isTemporalUnreachable } from '../../src/temporal/grpc-status';

const grpcError = (code: number, message: string) => Object.assign(new Error(message), { code });

describe('what a Temporal error means to the API', () => {
  test('a search attribute the server does not know yet is "not ready" (503), not a server error', () => {
    const unknown = grpcError(3, '3 INVALID_ARGUMENT: invalid query: invalid search attribute: IntegrationId');
    expect(isSearchAttributeNotReady(unknown)).toBe(true);
    expect(isSearchAttributeNotReady(new Error('wrapped', { cause: unknown }))).toBe(false);
    // Any other invalid argument is a bug to see, not a wait.
    expect(isSearchAttributeNotReady(grpcError(3, '3 INVALID_ARGUMENT: invalid query: unexpected token'))).toBe(false);
    expect(isSearchAttributeNotReady(grpcError(14, 'invalid search attribute'))).toBe(false);
  });

  test('unavailable and deadline exceeded are Temporal out of reach, on the error or a cause', () => {
    expect(isTemporalUnreachable(grpcError(14, 'UNAVAILABLE'))).toBe(true);
    expect(isTemporalUnreachable(new Error('start failed', { cause: grpcError(4, 'DEADLINE_EXCEEDED') }))).toBe(true);
    expect(isTemporalUnreachable(grpcError(3, 'INVALID_ARGUMENT'))).toBe(false);
  });
});
