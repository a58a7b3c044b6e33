import type { IntegrationStore } from '../store/integrations';
import type { DeliveryActivities } from './contract';
import { createCredentialsState } from './credentials-state';
import { createSendToCustomerIo, type SendDeps } from './send-to-customer-io';

interface ActivityDeps extends SendDeps {
  store: Pick<IntegrationStore, 'revisionMarker'>;
}

/** Every activity of the delivery worker, built around its dependencies (credentials cache, HTTP pool, rate limiter, store). */
export function createActivities(deps: ActivityDeps): DeliveryActivities {
  return {
    sendToCustomerIo: createSendToCustomerIo(deps),
    credentialsState: createCredentialsState(deps.store),
  };
}
