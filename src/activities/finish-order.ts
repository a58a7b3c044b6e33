import { Context } from '@temporalio/activity';
import type { DeliveryActivities } from './contract';
import { type OrderDeps, releaseOrder } from './order-gate';

/**
 * An ordered delivery that ended other than by a 2xx its attempt already recorded (failed for good, filtered, refused,
 * cancelled, or delivered while the order book was out of reach): marks it finished and wakes who waits for it.
 */
export function createFinishOrder(deps: OrderDeps): DeliveryActivities['finishOrder'] {
  return async function finishOrder(outcome) {
    const self = Context.current().info.workflowExecution?.workflowId ?? '';
    return { woken: await releaseOrder(deps, self, outcome) };
  };
}
