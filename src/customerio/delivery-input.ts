import type { CustomerResolution, DeliverEventInput, MappingOptions } from '../shared/delivery';
import { type DeliveryPlan, planDelivery, unsupportedDetail } from './actions';
import { resolveCustomerId } from './identifiers';
import { DEFAULT_MAPPING_OPTIONS } from './mapping-options';
import { DeliveryFailureType } from './outcomes';
import { ADOPT_ALL, type AdoptRevision } from './plan-revisions';

/**
 * A delivery's input once the decisions about its event are made: who it addresses, how the mapping treats it, and
 * whether it is sent at all.
 */
export type SettledInput = DeliverEventInput & { customer: CustomerResolution; mapping: MappingOptions };

/**
 * The decisions made once per delivery, before its workflow starts: the customer it addresses, and whether any
 * Customer.io action applies (if none, the run records the event as filtered). Pure, so the workflow can settle inputs
 * of runs started before these decisions moved to the start, the same way.
 */
export function settleDeliveryInput(input: DeliverEventInput): SettledInput {
  // Runs started before mapping settings existed get today's defaults; those started before a setting existed, its default.
  const mapping = { ...DEFAULT_MAPPING_OPTIONS, ...input.mapping };
  if (input.customer) return { ...input, mapping, customer: input.customer };
  const customer = resolveCustomerId(input.event);
  const unsupported = input.filter ? undefined : unsupportedDetail({ event: input.event, options: mapping, customer });
  return {
    ...input,
    customer,
    mapping,
    ...(unsupported ? { filter: { reason: 'unsupported_event_type', detail: unsupported } } : {}),
  };
}

/** What becomes of a delivery, decided from its input alone. */
export type PreparedDelivery =
  | { kind: 'filtered'; input: SettledInput; filter: NonNullable<DeliverEventInput['filter']> }
  | { kind: 'refused'; input?: SettledInput; failureType: DeliveryFailureType; message: string; operation?: string }
  | { kind: 'planned'; input: SettledInput; plan: Extract<DeliveryPlan, { ok: true }> };

/**
 * Settles and plans a delivery. Whatever an input holds, this ends in a decision: an error thrown on the way (an input
 * no schema checked, a bug) refuses the delivery as InvalidEvent. The workflow relies on it: a planning error that
 * escaped would fail its workflow task again and again, forever. `adopt`: the planning revisions this run takes (the
 * workflow answers with patched(), so runs started before a revision replay as they ran).
 */
export function prepareDelivery(started: DeliverEventInput, adopt: AdoptRevision = ADOPT_ALL): PreparedDelivery {
  let input: SettledInput | undefined;
  try {
    input = settleDeliveryInput(started);
    if (input.filter) return { kind: 'filtered', input, filter: input.filter };
    const plan = planDelivery(input, adopt);
    return plan.ok ? { kind: 'planned', input, plan } : { kind: 'refused', input, ...plan };
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    return {
      kind: 'refused',
      input,
      failureType: DeliveryFailureType.InvalidEvent,
      message: `The event could not be turned into a Customer.io request: ${reason}`,
    };
  }
}
