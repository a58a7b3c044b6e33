import { ApplicationFailure, Context } from '@temporalio/activity';
import { classifyStatus, customerIoErrorDetail, troubleshooting } from '../customerio/outcomes';
import type { TrackBaseUrls } from '../customerio/regions';
import type { HttpExchange, TrackTransport } from '../customerio/transport';
import {
  type AttemptFailureDetails,
  AttemptFailureType,
  type SendAttemptInput,
  type SendAttemptResult,
} from '../shared/attempts';
import type { DeliveryTargets } from '../store/delivery-targets';

export interface SendDeps {
  targets: DeliveryTargets;
  transport: TrackTransport;
  baseUrls: TrackBaseUrls;
}

/**
 * One HTTP attempt, never retried by Temporal: the workflow owns the schedule so each attempt is its own entry in
 * the history. Credentials are loaded here, at call time, so a fixed config reaches deliveries still retrying.
 */
export function createSendToCustomerIo(deps: SendDeps) {
  return async function sendToCustomerIo(input: SendAttemptInput): Promise<SendAttemptResult> {
    const target = await deps.targets.get(input.integrationId);
    if (!target || target.deleted) {
      return { outcome: 'skipped', reason: 'integration_deleted', detail: `integration ${input.integrationId} no longer exists` };
    }
    if (!target.enabled) {
      return { outcome: 'skipped', reason: 'integration_disabled', detail: `integration ${input.integrationId} is disabled` };
    }
    const exchange = await deps.transport.send(
      { baseUrl: deps.baseUrls[target.region], siteId: target.siteId, apiKey: target.trackingApiKey },
      input.request,
      Context.current().cancellationSignal,
    );
    const details: AttemptFailureDetails = { exchange, revisionNumber: target.revisionNumber };
    if (exchange.error || exchange.status === undefined) {
      throw ApplicationFailure.create({
        type: AttemptFailureType.Network,
        message: `No response from Customer.io: ${exchange.error?.code} ${exchange.error?.message} (${describe(exchange)})`,
        details: [details],
      });
    }
    const status = exchange.status;
    switch (classifyStatus(status)) {
      case 'delivered':
        return { outcome: 'delivered', exchange, revisionNumber: target.revisionNumber };
      case 'retry':
        throw ApplicationFailure.create({
          type: AttemptFailureType.Retryable,
          message: `${troubleshooting(status, customerIoErrorDetail(exchange.responseExcerpt))} (${describe(exchange)})`,
          details: [details],
        });
      case 'unauthorized':
        // The next attempt must read the credentials again instead of trusting the cache.
        deps.targets.invalidate(input.integrationId);
        throw ApplicationFailure.create({
          type: AttemptFailureType.Unauthorized,
          message: troubleshooting(status, customerIoErrorDetail(exchange.responseExcerpt)),
          nonRetryable: true,
          details: [details],
        });
      case 'reject':
        throw ApplicationFailure.create({
          type: AttemptFailureType.Rejected,
          message: troubleshooting(status, customerIoErrorDetail(exchange.responseExcerpt)),
          nonRetryable: true,
          details: [details],
        });
    }
  };
}

function describe(exchange: HttpExchange): string {
  return `${exchange.method} ${exchange.url}, ${exchange.durationMs} ms`;
}
