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
export { openOrderBook } from './order-deliveries';
export { connectClient } from '../temporal/connect';
export type { DeliverEventInput, DeliveryResult } from '../shared/delivery';
export type { SignalEvent } from '../shared/event';
export type { SignalEventInput } from '../shared/event-schema';
