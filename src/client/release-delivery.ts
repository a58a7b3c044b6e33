import { type Client, WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { DELIVER_EVENT_WORKFLOW, ORDER_RELEASED_SIGNAL } from '../shared/names';

/**
 * Tells a delivery waiting for this one that it may go: `orderReleased` by signal-with-start, which also ends the
 * start delay of a run chained behind its predecessor at intake (a plain signal would wait out the delay). A waiter
 * always exists when it is released (it is marked waiting only once started), so the start half never starts one;
 * if it somehow did, the run would have no event and would end at once (deliverEventV2). A waiter that has closed is
 * left alone (REJECT_DUPLICATE): `not_found`.
 */
export async function releaseWaiter(
  client: Client,
  workflowId: string,
  taskQueue: string,
): Promise<'signalled' | 'not_found'> {
  try {
    await client.workflow.signalWithStart(DELIVER_EVENT_WORKFLOW, {
      workflowId,
      taskQueue,
      args: [] as unknown as [never],
      signal: ORDER_RELEASED_SIGNAL,
      signalArgs: [],
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
    });
    return 'signalled';
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) return 'not_found';
    throw err;
  }
}
