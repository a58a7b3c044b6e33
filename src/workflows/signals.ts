import { defineSignal } from '@temporalio/workflow';
import {
  CIRCUIT_CLOSED_SIGNAL,
  CREDENTIALS_UPDATED_SIGNAL,
  INTEGRATION_CHANGED_SIGNAL,
  ORDER_RELEASED_SIGNAL,
} from '../shared/names';

/** A new credentials revision of this delivery's integration exists (PATCH); carries its number. */
export const credentialsUpdated = defineSignal<[number]>(CREDENTIALS_UPDATED_SIGNAL);

/** This delivery's integration was disabled or deleted: a parked delivery asks for its state now, not in an hour. */
export const integrationChanged = defineSignal<[]>(INTEGRATION_CHANGED_SIGNAL);

/** The circuit this delivery waited on closed (Customer.io answers again): try again now. */
export const circuitClosed = defineSignal<[]>(CIRCUIT_CLOSED_SIGNAL);

/** An earlier delivery of this delivery's person finished (issue 16): ask the order book again. */
export const orderReleased = defineSignal<[]>(ORDER_RELEASED_SIGNAL);
