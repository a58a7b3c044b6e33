/** The baseline: the least a Temporal delivery can be, one workflow calling one activity that POSTs the event. */
import { proxyActivities } from '@temporalio/workflow';

export interface BareActivities {
  post(body: Record<string, unknown>): Promise<number>;
}

const { post } = proxyActivities<BareActivities>({ startToCloseTimeout: '1 minute' });

export async function bareDelivery(body: Record<string, unknown>): Promise<number> {
  return post(body);
}
