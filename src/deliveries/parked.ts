import type { Client } from '@temporalio/client';
import { credentialsUpdated, integrationChanged } from '../workflows/signals';
import { deliveryQuery } from './query';

const parkedQuery = (integrationId: string) =>
  deliveryQuery({ integrationId, status: 'awaiting_credentials', running: true });

/** How many deliveries of an integration are waiting for new credentials. */
export async function countParkedDeliveries(client: Client, integrationId: string): Promise<number> {
  return (await client.workflow.count(parkedQuery(integrationId))).count;
}

/**
 * Wakes every delivery of the integration that is waiting for credentials: each makes its next attempt with the new
 * revision. Returns how many were signalled. A delivery that closed in the meantime is skipped.
 */
export function resumeParkedDeliveries(client: Client, integrationId: string, revisionNumber: number): Promise<number> {
  return signalParked(client, integrationId, (handle) => handle.signal(credentialsUpdated, revisionNumber));
}

/**
 * Tells every delivery of the integration that is waiting for credentials that the integration was disabled or
 * deleted: each asks for its state at once and ends as `filtered`, as any delivery to it does. Returns how many.
 */
export function stopParkedDeliveries(client: Client, integrationId: string): Promise<number> {
  return signalParked(client, integrationId, (handle) => handle.signal(integrationChanged));
}

type Handle = ReturnType<Client['workflow']['getHandle']>;

async function signalParked(
  client: Client,
  integrationId: string,
  send: (handle: Handle) => Promise<void>,
): Promise<number> {
  let signalled = 0;
  for await (const execution of client.workflow.list({ query: parkedQuery(integrationId), pageSize: 200 })) {
    try {
      await send(client.workflow.getHandle(execution.workflowId, execution.runId));
      signalled++;
    } catch (err) {
      if ((err as Error).name !== 'WorkflowNotFoundError') throw err;
    }
  }
  return signalled;
}
