/** Names shared by the worker, the client, the API and tests. Changing one breaks running deliveries. */

export const VENDOR_KEY = 'customer_io';
export const TASK_QUEUE = 'customer-io-delivery';
export const DELIVER_EVENT_WORKFLOW = 'deliverEvent';

/** One workflow per (integration, message): Temporal itself rejects a second start of the same delivery. */
export function deliveryWorkflowId(integrationId: string, messageId: string): string {
  return `${VENDOR_KEY}:${integrationId}:${messageId}`;
}

/**
 * Replays of a delivery share one workflow id, one run per replay: Temporal refuses a second replay while one runs.
 */
export function replayWorkflowId(originalWorkflowId: string): string {
  return `${originalWorkflowId}:replay`;
}

/** Sent to parked deliveries when their integration gets a new credentials revision; carries its number. */
export const CREDENTIALS_UPDATED_SIGNAL = 'credentialsUpdated';
