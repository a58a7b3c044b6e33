/**
 * The one place an outcome from Customer.io is classified: a table of what each answer means for a delivery attempt
 * (deliver, back off, park until the credentials change, fail), for a credentials check, and the troubleshooting text
 * users read. The activity encodes a failed attempt with `attemptFailure`, the workflow decodes it with
 * `readAttemptFailure`; the type strings are part of recorded histories and must not change.
 */
import { ActivityFailure, ApplicationFailure, TimeoutFailure } from '@temporalio/common';
import { hours } from '../shared/time';
import { type HttpExchange, statusOf, type TrackApiRequest } from './exchange';

/** `ApplicationFailure.type` of a failed attempt. */
export const AttemptFailureType = {
  /** No HTTP response: DNS, connect, reset, timeout. */
  Network: 'CustomerIoNetworkError',
  /** 408, 429, 5xx. */
  Retryable: 'CustomerIoRetryableError',
  /** Other 4xx: the request itself is wrong and will stay wrong. */
  Rejected: 'CustomerIoRejected',
  /** 401/403: the credentials are wrong until someone fixes the integration config. */
  Unauthorized: 'CustomerIoUnauthorized',
} as const;
export type AttemptFailureType = (typeof AttemptFailureType)[keyof typeof AttemptFailureType];

/** Failure types a delivery can end with: `ApplicationFailure.type` on the failed workflow. */
export const DeliveryFailureType = {
  MissingCustomerIdentifier: 'MissingCustomerIdentifier',
  InvalidEvent: 'InvalidEvent',
  PayloadTooLarge: 'PayloadTooLarge',
  /** A `fail` outcome ends the delivery under its attempt's type, */
  Rejected: AttemptFailureType.Rejected,
  /** and so does a `park` whose wait for new credentials runs out. */
  Unauthorized: AttemptFailureType.Unauthorized,
  /** `backoff` outcomes until the retry window closed. */
  RetryWindowExhausted: 'RetryWindowExhausted',
} as const;
export type DeliveryFailureType = (typeof DeliveryFailureType)[keyof typeof DeliveryFailureType];

/** What the workflow does after an attempt. */
type NextStep = 'deliver' | 'backoff' | 'park' | 'fail';

/** What an answer says about credentials being checked at install or PATCH. */
type CredentialVerdict = 'accepted' | 'rejected' | 'unreachable';

interface OutcomeRule {
  matches: (status: number | undefined) => boolean;
  next: NextStep;
  /** Absent for a delivered attempt. */
  attemptType?: AttemptFailureType;
  credentials: CredentialVerdict;
  /** Whether the answer counts against the integration's circuit: Customer.io down or failing, not the request. */
  circuit: 'failure' | 'success';
}

const NOT_RETRYABLE_5XX = new Set([501, 505]); // the request can never work; other 5xx are the server's trouble and pass

/** First match wins. Changing what a status means for deliveries or credential checks is a change to this table. */
const OUTCOMES: readonly OutcomeRule[] = [
  {
    matches: (s) => s === undefined,
    next: 'backoff',
    attemptType: AttemptFailureType.Network,
    credentials: 'unreachable',
    circuit: 'failure',
  },
  { matches: (s) => s! >= 200 && s! < 300, next: 'deliver', credentials: 'accepted', circuit: 'success' },
  {
    matches: (s) => s === 401 || s === 403,
    next: 'park',
    attemptType: AttemptFailureType.Unauthorized,
    credentials: 'rejected',
    circuit: 'success',
  },
  {
    matches: (s) => s === 400,
    next: 'fail',
    attemptType: AttemptFailureType.Rejected,
    credentials: 'rejected',
    circuit: 'success',
  },
  {
    matches: (s) => s === 408 || s === 429,
    next: 'backoff',
    attemptType: AttemptFailureType.Retryable,
    credentials: 'unreachable',
    circuit: 'success',
  },
  {
    matches: (s) => s! >= 500 && !NOT_RETRYABLE_5XX.has(s!),
    next: 'backoff',
    attemptType: AttemptFailureType.Retryable,
    credentials: 'unreachable',
    circuit: 'failure',
  },
  {
    matches: (s) => s! >= 500,
    next: 'fail',
    attemptType: AttemptFailureType.Rejected,
    credentials: 'unreachable',
    circuit: 'failure',
  },
  {
    matches: () => true,
    next: 'fail',
    attemptType: AttemptFailureType.Rejected,
    credentials: 'unreachable',
    circuit: 'success',
  },
];

/** The row for an HTTP status, or for no response at all (undefined). */
export function outcomeOf(status: number | undefined): Readonly<OutcomeRule> {
  return OUTCOMES.find((rule) => rule.matches(status))!;
}

/** Carried as the details of a failed attempt, next to the failure message. */
export interface AttemptFailureDetails {
  exchange: HttpExchange;
  revisionNumber: number;
  /** The request the attempt sent (a local activity's marker keeps no input). */
  request?: TrackApiRequest;
}

/** The activity's side: a failed exchange as the failure the workflow will read back. */
export function attemptFailure(
  exchange: HttpExchange,
  revisionNumber: number,
  request?: TrackApiRequest,
): ApplicationFailure {
  const rule = outcomeOf(statusOf(exchange));
  const status = exchange.status;
  const details: AttemptFailureDetails = { exchange, revisionNumber, request };
  let message: string;
  if (rule.attemptType === AttemptFailureType.Network || status === undefined) {
    message = `No response from Customer.io: ${exchange.error?.code} ${exchange.error?.message} (${describe(exchange)})`;
  } else {
    message = troubleshooting(status, customerIoErrorDetail(exchange.responseExcerpt));
    // A retried attempt's message says where it went: the next one may go elsewhere (a redirect, a fixed region).
    if (rule.next === 'backoff') message += ` (${describe(exchange)})`;
  }
  return ApplicationFailure.create({
    type: rule.attemptType ?? AttemptFailureType.Rejected,
    message,
    details: [details],
  });
}

/** A failed attempt as the workflow acts on it. */
export interface AttemptFailure {
  next: Exclude<NextStep, 'deliver'>;
  /** The attempt's failure type: one of AttemptFailureType, or AttemptTimedOut / WorkerError for faults of our own. */
  type: string;
  message: string;
  httpStatus?: number;
  retryAfterMs?: number;
  /** The credentials revision the attempt used: a parked delivery waits for a newer one. */
  revisionNumber?: number;
  cause: Error;
}

/**
 * The workflow's side: reads a failed attempt. The activity's own classification when it got that far; a timeout or a
 * fault inside the worker (database, decryption) deserves another try.
 */
export function readAttemptFailure(err: unknown, attemptTimeout: string): AttemptFailure {
  // A regular activity's failure arrives wrapped in an ActivityFailure; a local activity's arrives as it was thrown.
  const cause = err instanceof ActivityFailure ? err.cause : err;
  if (cause instanceof ApplicationFailure) {
    const details = cause.details?.[0] as AttemptFailureDetails | undefined;
    const known = Object.values(AttemptFailureType).includes(cause.type as AttemptFailureType);
    const rule = known ? OUTCOMES.find((r) => r.attemptType === cause.type)! : undefined;
    return {
      next: rule && rule.next !== 'deliver' ? rule.next : 'backoff',
      type: cause.type ?? 'Error',
      message: cause.message,
      httpStatus: details?.exchange?.status,
      retryAfterMs: details?.exchange?.retryAfterMs,
      revisionNumber: details?.revisionNumber,
      cause: err as Error,
    };
  }
  if (cause instanceof TimeoutFailure) {
    const message = `The attempt did not finish within its ${attemptTimeout} limit (worker lost or stalled)`;
    return { next: 'backoff', type: 'AttemptTimedOut', message, cause: err as Error };
  }
  if (!(err instanceof ActivityFailure)) throw err;
  const message = `The attempt failed inside the worker: ${err.cause?.message ?? err.message}`;
  return { next: 'backoff', type: 'WorkerError', message, cause: err };
}

export const UNAUTHORIZED_HELP =
  'invalid Site ID or API key: verify the credentials in Customer.io Settings > API Credentials and update the integration config';

const REGION_HELP =
  'If your Customer.io dashboard URL contains fly-eu.customer.io the account is in the EU region: set region to "eu" (else "us")';

/** What an operator should read for a given status; `detail` is Customer.io's own error text, when it gave one. */
export function troubleshooting(status: number, detail?: string): string {
  const said = detail ? ` Customer.io said: ${detail}.` : '';
  switch (status) {
    case 400:
      return `400 Bad Request: Customer.io rejected the request as invalid.${said} Check the event's identifier, name, timestamp and attributes against the Track API.`;
    case 401:
      return `401 Unauthorized: ${UNAUTHORIZED_HELP}. ${REGION_HELP}.`;
    case 403:
      return `403 Forbidden: Customer.io refused these credentials for the Track API.${said} Use the Tracking API key from Customer.io Settings > API Credentials (not an App API key) and update the integration config.`;
    case 404:
      return `404 Not Found: the Track API did not recognise the request path.${said} ${REGION_HELP}.`;
    case 413:
      return `413 Payload Too Large: the request exceeds Customer.io's size limits.${said} Trim the event's properties or traits.`;
    case 422:
      return `422 Unprocessable Entity: Customer.io could not process the request.${said}`;
    case 429:
      return `429 Too Many Requests: Customer.io is rate limiting this workspace; retrying after its Retry-After delay.`;
    default:
      if (status >= 300 && status < 400) return `${status} redirect that was not followed.${said} ${REGION_HELP}.`;
      if (status >= 500) return `${status} server error from Customer.io.${said}`;
      return `${status} from Customer.io.${said}`;
  }
}

/** Customer.io's error bodies: v1 `{"meta":{"errors":[…]}}` or `{"meta":{"error":"…"}}`, v2 `{"errors":[{field, message}]}`. */
export function customerIoErrorDetail(body: string | undefined): string | undefined {
  if (!body) return undefined;
  try {
    const parsed = JSON.parse(body) as { meta?: { error?: unknown; errors?: unknown }; errors?: unknown };
    const errors = parsed.meta?.errors;
    if (Array.isArray(errors) && errors.length > 0) return errors.map(String).join('; ').slice(0, 300);
    if (typeof parsed.meta?.error === 'string') return parsed.meta.error.slice(0, 300);
    if (Array.isArray(parsed.errors) && parsed.errors.length > 0) {
      return parsed.errors
        .map((e: { field?: unknown; message?: unknown; reason?: unknown }) =>
          [e?.field, e?.message ?? e?.reason].filter((x) => typeof x === 'string' && x !== '').join(': '),
        )
        .join('; ')
        .slice(0, 300);
    }
  } catch {
    // not JSON: fall through to nothing, the raw excerpt is recorded elsewhere
  }
  return undefined;
}

const MAX_RETRY_AFTER_MS = hours(24);

/** Retry-After in seconds or as an HTTP-date, relative to `nowMs`; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | undefined, nowMs: number): number | undefined {
  if (!value) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Math.min(Number(text) * 1000, MAX_RETRY_AFTER_MS);
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.min(Math.max(at - nowMs, 0), MAX_RETRY_AFTER_MS);
}

function describe(exchange: HttpExchange): string {
  return `${exchange.method} ${exchange.url}, ${exchange.durationMs} ms`;
}
