/**
 * The baselines the pipeline is measured against, written the way a first Temporal design would be: Temporal's own
 * floor (a workflow that returns at once), and one workflow calling one regular activity that POSTs the event.
 */
import { proxyActivities } from '@temporalio/workflow';

export interface BareActivities {
  post(body: Record<string, unknown>): Promise<number>;
}

const { post } = proxyActivities<BareActivities>({ startToCloseTimeout: '1 minute' });

export async function bareDelivery(body: Record<string, unknown>): Promise<number> {
  return post(body);
}

export async function emptyWorkflow(): Promise<void> {}
