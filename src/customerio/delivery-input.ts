import type { CustomerResolution, DeliverEventInput } from '../shared/delivery';
import { unsupportedDetail } from './actions';
import { resolveCustomerId } from './identifiers';

/** A delivery's input once the decisions about its event are made: who it addresses, and whether it is sent at all. */
export type SettledInput = DeliverEventInput & { customer: CustomerResolution };

/**
 * The decisions made once per delivery, before its workflow starts: the customer it addresses, and whether any
 * Customer.io action applies (if none, the run records the event as filtered). Pure, so the workflow can settle inputs
 * of runs started before these decisions moved to the start, the same way.
 */
export function settleDeliveryInput(input: DeliverEventInput): SettledInput {
  if (input.customer) return input as SettledInput;
  const unsupported = input.filter ? undefined : unsupportedDetail(input.event);
  return {
    ...input,
    customer: resolveCustomerId(input.event),
    ...(unsupported ? { filter: { reason: 'unsupported_event_type', detail: unsupported } } : {}),
  };
}
