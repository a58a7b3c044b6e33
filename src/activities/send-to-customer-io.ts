import { Context } from '@temporalio/activity';
import type { TrackTransport } from '../customerio/http/transport';
import { attemptFailure, outcomeOf } from '../customerio/outcomes';
import type { TrackBaseUrls } from '../customerio/regions';
import type { DeliveryTargets } from '../store/delivery-targets';
import type { DeliveryActivities } from './contract';

export interface SendDeps {
  targets: DeliveryTargets;
  transport: TrackTransport;
  baseUrls: TrackBaseUrls;
}

/**
 * One HTTP attempt, never retried by Temporal: the workflow owns the schedule so each attempt is its own entry in
 * the history. Credentials are loaded here, at call time, so a fixed config reaches deliveries still retrying.
 */
export function createSendToCustomerIo(deps: SendDeps): DeliveryActivities['sendToCustomerIo'] {
  return async function sendToCustomerIo(input) {
    const target = await deps.targets.get(input.integrationId);
    if (!target || target.deleted) {
      return {
        outcome: 'skipped',
        reason: 'integration_deleted',
        detail: `integration ${input.integrationId} no longer exists`,
      };
    }
    if (!target.enabled) {
      return {
        outcome: 'skipped',
        reason: 'integration_disabled',
        detail: `integration ${input.integrationId} is disabled`,
      };
    }
    const exchange = await deps.transport.send(
      { baseUrl: deps.baseUrls[target.region], siteId: target.siteId, apiKey: target.trackingApiKey },
      input.request,
      Context.current().cancellationSignal,
    );
    const next = outcomeOf(exchange.error ? undefined : exchange.status).next;
    if (next === 'deliver') return { outcome: 'delivered', exchange, revisionNumber: target.revisionNumber };
    // A parked delivery's next attempt must read the credentials again instead of trusting the cache.
    if (next === 'park') deps.targets.invalidate(input.integrationId);
    throw attemptFailure(exchange, target.revisionNumber);
  };
}
