/** Every workflow the delivery worker runs. Workflow code is deterministic: no I/O, clocks or randomness of its own. */
import type { DELIVERY_WORKFLOW_TYPES } from '../shared/names';
import { deliverEvent, deliverEventV2 } from './deliver-event';

export { deliverEvent, deliverEventV2 };

/** The names table and the registered workflows cannot drift apart: a rename that misses one fails type-checking. */
const _registered = { deliverEvent, deliverEventV2 } satisfies Record<
  (typeof DELIVERY_WORKFLOW_TYPES)[number],
  unknown
>;
