/** Every workflow the delivery worker runs. Workflow code is deterministic: no I/O, clocks or randomness of its own. */
export { deliverEvent } from './deliver-event';
