/**
 * A deliberately incompatible change to both workflow versions, used to prove the replay test can fail: it waits before its
 * first attempt, so its commands no longer match any recorded history.
 */
import { proxyActivities, sleep } from '@temporalio/workflow';
import type { DeliveryActivities } from '../../src/activities/contract';
import type { DeliverEventInput } from '../../src/shared/delivery';

const { sendToCustomerIo } = proxyActivities<DeliveryActivities>({ startToCloseTimeout: '1 minute' });

export async function deliverEvent(input: DeliverEventInput): Promise<unknown> {
  await sleep('1 second');
  return sendToCustomerIo({
    integrationId: input.integrationId,
    attempt: 1,
    request: { operation: 'track', method: 'POST', path: '/', body: {} },
  });
}

export const deliverEventV2 = deliverEvent;
