import type { TrackApiRequest } from '../customerio/requests/types';
import type { HttpExchange } from '../customerio/transport';

/** Input of one HTTP attempt: the request is planned by the workflow, so the history records exactly what was sent. */
export interface SendAttemptInput {
  integrationId: string;
  attempt: number;
  request: TrackApiRequest;
}

export type SendAttemptResult =
  | { outcome: 'delivered'; exchange: HttpExchange; revisionNumber: number }
  | { outcome: 'skipped'; reason: 'integration_disabled' | 'integration_deleted'; detail: string };

/** Carried as the details of a failed attempt, next to the failure message. */
export interface AttemptFailureDetails {
  exchange: HttpExchange;
  revisionNumber: number;
}

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

/** The integration's credentials as a parked delivery needs to know them: has a fix arrived? */
export interface CredentialsState {
  revisionNumber: number;
  /** Disabled or deleted: the parked delivery should move on (its next attempt ends filtered). */
  usable: boolean;
}
