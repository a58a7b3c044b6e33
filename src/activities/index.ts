import type { IntegrationStore } from '../store/integrations';
import type { DeliveryActivities } from './contract';
import { createCredentialsState } from './credentials-state';
import { createFinishOrder } from './finish-order';
import type { OrderDeps } from './order-gate';
import { createSendToCustomerIo, type SendDeps } from './send-to-customer-io';

interface ActivityDeps extends SendDeps {
  store: Pick<IntegrationStore, 'revisionMarker'>;
  order: OrderDeps;
}

/** Every activity of the delivery worker, built around its dependencies (credentials cache, HTTP pool, rate limiter, store). */
export function createActivities(deps: ActivityDeps): DeliveryActivities {
  return {
    sendToCustomerIo: createSendToCustomerIo(deps),
    credentialsState: createCredentialsState(deps.store),
    finishOrder: createFinishOrder(deps.order),
  };
}
