/** Names shared by the worker, the client, the API and tests. Changing one breaks running deliveries. */

export const VENDOR_KEY = 'customer_io';
export const TASK_QUEUE = 'customer-io-delivery';
/** Every workflow type deliveries have run as; earlier ones stay registered so the runs they started finish. */
export const DELIVERY_WORKFLOW_TYPES = ['deliverEvent', 'deliverEventV2'] as const;
/** The type new deliveries start as (v2: each HTTP attempt is a local activity). */
export const DELIVER_EVENT_WORKFLOW = 'deliverEventV2' satisfies (typeof DELIVERY_WORKFLOW_TYPES)[number];
/** The first version, whose attempts are regular activities rather than local-activity markers. */
export const DELIVER_EVENT_V1_WORKFLOW = 'deliverEvent' satisfies (typeof DELIVERY_WORKFLOW_TYPES)[number];

/** One workflow per (integration, message): Temporal itself rejects a second start of the same delivery. */
export function deliveryWorkflowId(integrationId: string, messageId: string): string {
  return `${VENDOR_KEY}:${integrationId}:${messageId}`;
}

/**
 * Replays of a delivery share one workflow id, one run per replay: Temporal refuses a second replay while one runs.
 * The prefix keeps replays in an id space no event can reach (every delivery's id starts with the vendor key).
 */
export function replayWorkflowId(originalWorkflowId: string): string {
  return `replay:${originalWorkflowId}`;
}

/** The workflow id a delivery runs under: one per (integration, messageId); a replay under its original's replay id. */
export function deliveryRunWorkflowId(input: {
  integrationId: string;
  event: { messageId: string };
  replayOf?: { workflowId: string };
}): string {
  return input.replayOf
    ? replayWorkflowId(input.replayOf.workflowId)
    : deliveryWorkflowId(input.integrationId, input.event.messageId);
}

/** Where replays started before their id space was separated live (`<original>:replay`); still looked at. */
export function legacyReplayWorkflowId(originalWorkflowId: string): string {
  return `${originalWorkflowId}:replay`;
}

/** Sent to parked deliveries when their integration gets a new credentials revision; carries its number. */
export const CREDENTIALS_UPDATED_SIGNAL = 'credentialsUpdated';
/** Sent to parked deliveries when their integration is disabled or deleted: they ask for its state at once. */
export const INTEGRATION_CHANGED_SIGNAL = 'integrationChanged';
/** Sent by a worker to deliveries waiting for their integration's circuit, when it closes: they try again at once. */
export const CIRCUIT_CLOSED_SIGNAL = 'circuitClosed';
/** Sent to a delivery waiting for its person's earlier deliveries (issue 16) when one of them finished: ask again. */
export const ORDER_RELEASED_SIGNAL = 'orderReleased';
/** The patch id of parked deliveries heeding INTEGRATION_CHANGED_SIGNAL (runs parked before it ignore the signal). */
export const RECHECK_ON_INTEGRATION_CHANGE_PATCH = 'recheck-on-integration-change';
