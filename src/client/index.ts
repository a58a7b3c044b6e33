/** The typed client Signal uses to hand events over without going through HTTP. */
export {
  InvalidEventError,
  startDeliveries,
  startDelivery,
  type StartDeliveryOptions,
  type StartDeliveryOutcome,
  TemporalUnavailableError,
} from './start-delivery';
export { deliveryWorkflowId, TASK_QUEUE } from '../shared/names';
// The order book needs the store's database drivers: it is `signal-customerio/order-book` in the package, so that
// starting deliveries unordered loads none of them (src/client/open-order-book.ts).
export { connectClient } from '../temporal/connect';
export type { DeliverEventInput, DeliveryResult } from '../shared/delivery';
export type { SignalEvent } from '../shared/event';
export type { SignalEventInput } from '../shared/event-schema';
