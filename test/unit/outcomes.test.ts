import { ActivityFailure, ApplicationFailure, RetryState, TimeoutFailure } from '@temporalio/common';
import {
  attemptFailure,
  AttemptFailureType,
  customerIoErrorDetail,
  outcomeOf,
  parseRetryAfter,
  readAttemptFailure,
  troubleshooting,
} from '../../src/customerio/outcomes';
import type { HttpExchange } from '../../src/customerio/exchange';

describe('the outcome table', () => {
  test.each([
    [200, 'deliver', undefined, 'accepted'],
    [201, 'deliver', undefined, 'accepted'],
    [204, 'deliver', undefined, 'accepted'],
    [400, 'fail', 'CustomerIoRejected', 'rejected'],
    [401, 'park', 'CustomerIoUnauthorized', 'rejected'],
    [403, 'park', 'CustomerIoUnauthorized', 'rejected'],
    [404, 'fail', 'CustomerIoRejected', 'unreachable'],
    [408, 'backoff', 'CustomerIoRetryableError', 'unreachable'],
    [413, 'fail', 'CustomerIoRejected', 'unreachable'],
    [422, 'fail', 'CustomerIoRejected', 'unreachable'],
    [429, 'backoff', 'CustomerIoRetryableError', 'unreachable'],
    [500, 'backoff', 'CustomerIoRetryableError', 'unreachable'],
    [501, 'fail', 'CustomerIoRejected', 'unreachable'],
    [502, 'backoff', 'CustomerIoRetryableError', 'unreachable'],
    [503, 'backoff', 'CustomerIoRetryableError', 'unreachable'],
    [504, 'backoff', 'CustomerIoRetryableError', 'unreachable'],
    [505, 'fail', 'CustomerIoRejected', 'unreachable'],
    [522, 'backoff', 'CustomerIoRetryableError', 'unreachable'],
    [302, 'fail', 'CustomerIoRejected', 'unreachable'],
    [undefined, 'backoff', 'CustomerIoNetworkError', 'unreachable'],
  ])('%p → %s (%s), credentials %s', (status, next, attemptType, credentials) =>
    expect({ attemptType: undefined, ...outcomeOf(status) }).toMatchObject({ next, attemptType, credentials }),
  );
});

describe('an attempt failure, encoded by the activity and decoded by the workflow', () => {
  const exchange = (status?: number, extra: Partial<HttpExchange> = {}): HttpExchange => ({
    method: 'POST',
    url: 'https://track.customer.io/api/v1/customers/u/events',
    durationMs: 12,
    ...(status === undefined ? { error: { code: 'ECONNRESET', message: 'socket hang up' } } : { status }),
    ...extra,
  });
  const roundTrip = (failure: ApplicationFailure) =>
    readAttemptFailure(
      new ActivityFailure('activity failed', 'sendToCustomerIo', '1', RetryState.NON_RETRYABLE_FAILURE, 'id', failure),
      '1 minute',
    );

  test.each([
    [429, 'backoff', AttemptFailureType.Retryable],
    [401, 'park', AttemptFailureType.Unauthorized],
    [400, 'fail', AttemptFailureType.Rejected],
    [undefined, 'backoff', AttemptFailureType.Network],
  ])('%p comes back as %s with its type, status, Retry-After and credentials revision', (status, next, type) => {
    const encoded = attemptFailure(exchange(status, { retryAfterMs: 2000 }), 7);
    expect(encoded.type).toBe(type);
    expect(roundTrip(encoded)).toMatchObject({ next, type, httpStatus: status, retryAfterMs: 2000, revisionNumber: 7 });
  });

  test('messages carry the troubleshooting text; retried ones also say where the attempt went', () => {
    expect(attemptFailure(exchange(401), 1).message).toBe(troubleshooting(401));
    expect(attemptFailure(exchange(503), 1).message).toBe(
      `${troubleshooting(503)} (POST https://track.customer.io/api/v1/customers/u/events, 12 ms)`,
    );
    expect(attemptFailure(exchange(undefined), 1).message).toMatch(
      /^No response from Customer.io: ECONNRESET socket hang up \(POST /,
    );
  });

  test('a timeout or a fault inside the worker is retried', () => {
    const timeout = new ActivityFailure(
      'timed out',
      'sendToCustomerIo',
      '1',
      RetryState.TIMEOUT,
      'id',
      new TimeoutFailure('timeout', undefined, 'START_TO_CLOSE'),
    );
    expect(readAttemptFailure(timeout, '1 minute')).toMatchObject({
      next: 'backoff',
      type: 'AttemptTimedOut',
      message: expect.stringContaining('1 minute limit'),
    });
    const fault = ApplicationFailure.create({ type: 'Error', message: 'database is locked' });
    expect(roundTrip(fault)).toMatchObject({ next: 'backoff', type: 'Error' });
  });

  test('anything that is not an activity failure is not swallowed', () => {
    const bug = new TypeError('boom');
    expect(() => readAttemptFailure(bug, '1 minute')).toThrow(bug);
  });
});

describe('troubleshooting', () => {
  test('401 carries the product page resolution and the region hint', () => {
    const text = troubleshooting(401);
    expect(text).toContain(
      'invalid Site ID or API key: verify the credentials in Customer.io Settings > API Credentials and update the integration config',
    );
    expect(text).toContain('fly-eu.customer.io');
  });
  test('quotes what Customer.io said', () => {
    expect(troubleshooting(400, 'bad name')).toContain('Customer.io said: bad name.');
  });
});

describe('customerIoErrorDetail', () => {
  test.each<[string | undefined, string | undefined]>([
    ['{"meta":{"errors":["a","b"]}}', 'a; b'],
    ['{"meta":{"error":"merge failed"}}', 'merge failed'],
    ['{}', undefined],
    ['<html>', undefined],
    [undefined, undefined],
  ])('%p → %p', (body, detail) => expect(customerIoErrorDetail(body)).toBe(detail));
});

describe('parseRetryAfter', () => {
  const now = Date.parse('2026-02-25T14:30:00Z');
  test.each<[string | undefined, number | undefined]>([
    ['3', 3000],
    ['0', 0],
    ['Wed, 25 Feb 2026 14:30:10 GMT', 10_000],
    ['Wed, 25 Feb 2026 14:29:00 GMT', 0],
    ['999999999', 24 * 3600 * 1000],
    ['soon', undefined],
    [undefined, undefined],
  ])('%p → %p', (header, ms) => expect(parseRetryAfter(header, now)).toBe(ms));
});

describe('what counts against an integration circuit', () => {
  test.each([
    [undefined, 'failure'],
    [500, 'failure'],
    [501, 'failure'],
    [503, 'failure'],
    [200, 'success'],
    [400, 'success'],
    [401, 'success'],
    [408, 'success'],
    [429, 'success'],
    [404, 'success'],
  ])('status %s: %s', (status, circuit) => {
    expect(outcomeOf(status).circuit).toBe(circuit);
  });
});
