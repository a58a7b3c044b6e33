import { createSendToCustomerIo, type SendDeps } from './send-to-customer-io';

export type ActivityDeps = SendDeps;

/** Every activity of the delivery worker, built around its dependencies (credentials cache, HTTP pool). */
export function createActivities(deps: ActivityDeps) {
  return {
    sendToCustomerIo: createSendToCustomerIo(deps),
  };
}

export type DeliveryActivities = ReturnType<typeof createActivities>;
