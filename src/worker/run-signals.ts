import { Client, WorkflowNotFoundError } from '@temporalio/client';
import type { NativeConnection } from '@temporalio/worker';
import type { RunSignals } from '../activities/run-signals';
import { releaseWaiter } from '../client/release-delivery';

/**
 * Signals over the worker's own connection to Temporal (a NativeConnection serves a client too), so waking other runs
 * costs no second connection. A closed run answers `not_found` like a missing one: either way there is no one to wake.
 */
export function runSignalsOver(connection: NativeConnection, namespace: string, taskQueue: string): RunSignals {
  const client = new Client({ connection, namespace });
  return {
    release: (workflowId) => releaseWaiter(client, workflowId, taskQueue),
    async signal(workflowId, signalName, args = []) {
      try {
        await client.workflow.getHandle(workflowId).signal(signalName, ...args);
        return 'signalled';
      } catch (err) {
        if (err instanceof WorkflowNotFoundError) return 'not_found';
        throw err;
      }
    },
  };
}

/** Whether a run is running, closed, or unknown to Temporal (never started, or gone after retention). */
export function runStateOver(
  connection: NativeConnection,
  namespace: string,
): (workflowId: string) => Promise<'running' | 'closed' | 'not_found'> {
  const client = new Client({ connection, namespace });
  return async (workflowId) => {
    try {
      const { status } = await client.workflow.getHandle(workflowId).describe();
      return status.name === 'RUNNING' ? 'running' : 'closed';
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return 'not_found';
      throw err;
    }
  };
}
