import type { CustomerResolution, DeliverEventInput, MappingOptions } from '../shared/delivery';
import { actionFor, type DeliveryPlan, planDelivery, unsupportedDetail } from './actions';
import type { Action } from './actions/types';
import { resolveCustomerId } from './identifiers';
import { DEFAULT_MAPPING_OPTIONS } from './mapping-options';
import { DeliveryFailureType } from './outcomes';
import { ADOPT_ALL, type AdoptRevision } from './plan-revisions';

/** A delivery's input before the start settles it: its customer is still to be resolved. */
export type UnsettledInput = Omit<DeliverEventInput, 'customer'>;

/** A settled input and the action it maps to (undefined: none applies, the run records the event as filtered). */
export interface SettledDelivery {
  input: DeliverEventInput;
  action: Action | undefined;
}

/**
 * The decisions made once per delivery, before its workflow starts: the customer it addresses, and whether any
 * Customer.io action applies (if none, the run records the event as filtered). The action comes back with the input,
 * so whoever starts the run labels it without asking the registry again.
 */
export function settleDelivery(unsettled: UnsettledInput): SettledDelivery {
  const customer = resolveCustomerId(unsettled.event);
  const scope = { event: unsettled.event, options: unsettled.mapping, customer };
  const action = actionFor(scope);
  return { input: settled(unsettled, customer, action ? undefined : unsupportedDetail(scope)), action };
}

/**
 * What a run started before 2026-12-07 may hold: no customer (resolved in the workflow then), no mapping, or a mapping
 * without a setting added since. Only upgradeInput and the readers of old histories see this shape.
 */
export type StartedInput = Omit<DeliverEventInput, 'customer' | 'mapping'> & {
  customer?: CustomerResolution;
  mapping?: Partial<MappingOptions>;
};

/**
 * Makes any input a run was ever started with the settled input it is started with today: runs from before the
 * customer was resolved at start resolve it here, the same way, and a mapping setting a run predates gets its default.
 * Pure, so the workflow replays it. Can go after 2026-12-28 (listed in src/shared/compatibility.ts): every run started
 * before 2026-12-07 has ended by then (at most the 7-day retry window plus the 14-day wait for credentials).
 */
export function upgradeInput(started: StartedInput): DeliverEventInput {
  const mapping = { ...DEFAULT_MAPPING_OPTIONS, ...started.mapping };
  if (started.customer) return { ...started, mapping, customer: started.customer };
  const customer = resolveCustomerId(started.event);
  // Not asked for a filtered event (consent denied): the run records it as filtered, whatever its type.
  const unsupported = started.filter
    ? undefined
    : unsupportedDetail({ event: started.event, options: mapping, customer });
  return settled({ ...started, mapping }, customer, unsupported);
}

function settled(unsettled: UnsettledInput, customer: CustomerResolution, unsupported?: string): DeliverEventInput {
  return {
    ...unsettled,
    customer,
    ...(unsupported && !unsettled.filter ? { filter: { reason: 'unsupported_event_type', detail: unsupported } } : {}),
  };
}

/** The personal data a delivery may quote, which hash_pii hashes: the customer id it addresses and the email found. */
export function personalData(input: DeliverEventInput): string[] {
  return input.customer.ok ? [input.customer.customerId, input.customer.email ?? ''] : [];
}

/** What becomes of a delivery, decided from its input alone. */
export type PreparedDelivery =
  | { kind: 'filtered'; input: DeliverEventInput; filter: NonNullable<DeliverEventInput['filter']> }
  | {
      kind: 'refused';
      input?: DeliverEventInput;
      failureType: DeliveryFailureType;
      message: string;
      operation?: string;
    }
  | { kind: 'planned'; input: DeliverEventInput; plan: Extract<DeliveryPlan, { ok: true }> };

/**
 * Upgrades (upgradeInput) and plans a delivery: the workflow's first step. Whatever an input holds, this ends in a
 * decision: an error thrown on the way (an input no schema checked, a bug) refuses the delivery as InvalidEvent. The
 * workflow relies on it: a planning error that escaped would fail its workflow task again and again, forever.
 * `adopt`: the planning revisions this run takes (the workflow answers with patched(), so runs started before a
 * revision replay as they ran).
 */
export function prepareDelivery(started: StartedInput, adopt: AdoptRevision = ADOPT_ALL): PreparedDelivery {
  let input: DeliverEventInput | undefined;
  try {
    input = upgradeInput(started);
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
