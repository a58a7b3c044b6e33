import { type Client, WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { type DeliverEventInput, type FilterReason } from '../shared/delivery';
import { parseSignalEvent, type SignalEvent, type SignalEventInput } from '../shared/event';
import { DELIVER_EVENT_WORKFLOW, deliveryWorkflowId, TASK_QUEUE } from '../shared/names';
import type { RetryPolicy } from '../shared/retry-policy';
import { initialSearchAttributes } from '../shared/search-attributes';
import type { deliverEvent } from '../workflows';

export interface StartDeliveryOptions {
  taskQueue?: string;
  retry?: Partial<RetryPolicy>;
  /** Record the event as filtered instead of sending it (consent denied, integration disabled). */
  filter?: { reason: FilterReason; detail?: string };
  /** Clock for events that arrive without a timestamp. */
  now?: () => Date;
}

export interface StartDeliveryOutcome {
  /** `duplicate`: a delivery of this message to this integration already exists; nothing new was started. */
  status: 'started' | 'duplicate';
  workflowId: string;
  runId?: string;
}

export class InvalidEventError extends Error {
  constructor(readonly issues: { path: string; message: string }[]) {
    super(`invalid event: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`);
  }
}

/**
 * How Signal hands an event to this integration: one workflow per (integration, messageId). Idempotent: starting
 * the same message twice yields one delivery and `duplicate` the second time (Temporal rejects the workflow id).
 */
export async function startDelivery(
  client: Client,
  integrationId: string,
  event: SignalEventInput | SignalEvent,
  options: StartDeliveryOptions = {},
): Promise<StartDeliveryOutcome> {
  const parsed = parseSignalEvent(event);
  if (!parsed.ok) throw new InvalidEventError(parsed.issues);
  return startValidatedDelivery(client, integrationId, parsed.event, options);
}

/**
 * startDelivery for an event that has already passed SignalEventSchema (HTTP intake parses each event once, then
 * starts one delivery per integration).
 */
export async function startValidatedDelivery(
  client: Client,
  integrationId: string,
  event: SignalEvent,
  options: StartDeliveryOptions = {},
): Promise<StartDeliveryOutcome> {
  if (!event.messageId) {
    throw new InvalidEventError([{ path: 'messageId', message: 'is required: it is what makes a delivery idempotent' }]);
  }
  // Fixed here, before the workflow starts, so a replay of this input derives the same Customer.io event id.
  const normalized: SignalEvent & { messageId: string } = { ...event, messageId: event.messageId, timestamp: event.timestamp ?? (options.now?.() ?? new Date()).toISOString() };

  const input: DeliverEventInput = { integrationId, event: normalized };
  if (options.retry) input.retry = options.retry;
  if (options.filter) input.filter = options.filter;
  const workflowId = deliveryWorkflowId(integrationId, normalized.messageId);
  try {
    const handle = await client.workflow.start<typeof deliverEvent>(DELIVER_EVENT_WORKFLOW, {
      taskQueue: options.taskQueue ?? TASK_QUEUE,
      workflowId,
      args: [input],
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
      workflowIdConflictPolicy: 'FAIL',
      typedSearchAttributes: initialSearchAttributes(integrationId, normalized),
    });
    return { status: 'started', workflowId, runId: handle.firstExecutionRunId };
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) return { status: 'duplicate', workflowId };
    throw err;
  }
}
