import type { SignalEvent } from './event';
import type { RetryPolicy } from './retry-policy';

/** Where a delivery run stands; mirrored into the DeliveryStatus search attribute. */
export type DeliveryStatus = 'pending' | 'retrying' | 'awaiting_credentials' | 'delivered' | 'failed' | 'filtered';

export const DELIVERY_STATUSES: readonly DeliveryStatus[] = ['pending', 'retrying', 'awaiting_credentials', 'delivered', 'failed', 'filtered'];

export type Operation = 'identify' | 'track' | 'page';

export interface DeliverEventInput {
  integrationId: string;
  event: SignalEvent;
  /** Overrides of the default retry schedule (tests, per-integration retry windows). */
  retry?: Partial<RetryPolicy>;
  /** Set by intake when the event must be recorded but not sent (consent denied, integration disabled). */
  filter?: { reason: FilterReason; detail?: string };
  /** A replay: the delivery this run repeats (same event, so the same Customer.io event id). */
  replayOf?: { workflowId: string; runId?: string };
}

/** What went wrong last, kept in the run's memo so lists and the Live Events view can show it without the history. */
export interface LastError {
  type: string;
  message: string;
  httpStatus?: number;
  attempt: number;
}

export type FilterReason =
  | 'consent_denied'
  | 'unsupported_event_type'
  | 'integration_disabled'
  | 'integration_deleted';

export type DeliveryResult =
  | {
      status: 'delivered';
      operation: Operation;
      customerId: string;
      httpStatus: number;
      attempts: number;
    }
  | {
      status: 'filtered';
      reason: FilterReason;
      detail?: string;
      operation?: Operation;
      customerId?: string;
      httpStatus?: number;
      attempts: number;
    };

/** Failure types a delivery can end with: `ApplicationFailure.type` on the failed workflow. */
export const DeliveryFailureType = {
  MissingCustomerIdentifier: 'MissingCustomerIdentifier',
  InvalidEvent: 'InvalidEvent',
  PayloadTooLarge: 'PayloadTooLarge',
  Rejected: 'CustomerIoRejected',
  Unauthorized: 'CustomerIoUnauthorized',
  RetryWindowExhausted: 'RetryWindowExhausted',
} as const;
export type DeliveryFailureType = (typeof DeliveryFailureType)[keyof typeof DeliveryFailureType];
