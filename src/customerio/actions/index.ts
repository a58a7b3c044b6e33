import type { CustomerResolution } from '../../shared/delivery';
import type { DeliveryEvent, SignalEvent } from '../../shared/event';
import { parseEventTime } from '../../shared/event-time';
import { jsonShapeProblem } from '../../shared/json-shape';
import { deliveryEventId } from '../event-id';
import { checkLimits } from '../limits';
import { DeliveryFailureType } from '../outcomes';
import { identify } from './identify';
import { page } from './page';
import { track } from './track';
import type { Action, MappingContext, TrackApiRequest } from './types';

/** Every Customer.io action this integration performs. Adding one is a module of its own and a line here. */
const ACTIONS: readonly Action[] = [identify, track, page];

/** The action that sends this event, or undefined when the integration records it without sending anything. */
export function actionFor(event: SignalEvent): Action | undefined {
  return ACTIONS.find((action) => action.appliesTo(event));
}

/** Why an event is recorded as filtered rather than sent: no action applies to it. */
export function unsupportedDetail(event: SignalEvent): string | undefined {
  return actionFor(event) ? undefined : `${event.type} events have no Customer.io Track API call in this integration`;
}

export type DeliveryPlan =
  | { ok: true; request: TrackApiRequest; customerId: string }
  | { ok: false; failureType: DeliveryFailureType; message: string; operation?: string };

/**
 * The one place a Signal event becomes a Customer.io Track API call: the action, the identifier, the time, the event
 * id, the request, the limits. Pure and deterministic, so the workflow runs it and the request it yields is recorded
 * in the history.
 */
export function planDelivery(input: {
  integrationId: string;
  event: DeliveryEvent;
  customer: CustomerResolution;
}): DeliveryPlan {
  const { integrationId, event } = input;
  // An input that never passed the event schema (a run started by other code, an old history) is held to its rules.
  const shape = jsonShapeProblem(event);
  if (shape)
    return {
      ok: false,
      failureType: DeliveryFailureType.InvalidEvent,
      message: `Invalid event: ${shape.path} ${shape.message}`,
    };
  const action = actionFor(event);
  if (!action) {
    return {
      ok: false,
      failureType: DeliveryFailureType.InvalidEvent,
      message: `Unsupported event type "${event.type}"`,
    };
  }
  const { operation } = action;
  const who = input.customer;
  if (!who.ok) {
    const failureType =
      who.reason === 'invalid' ? DeliveryFailureType.InvalidEvent : DeliveryFailureType.MissingCustomerIdentifier;
    return { ok: false, failureType, message: who.message, operation };
  }

  const eventTimeMs = parseEventTime(event.timestamp);
  if (eventTimeMs === undefined) {
    return {
      ok: false,
      failureType: DeliveryFailureType.InvalidEvent,
      message: `Invalid timestamp ${JSON.stringify(event.timestamp)}: send an ISO 8601 date-time or unix time`,
      operation,
    };
  }
  const refusal = action.refuse?.(event);
  if (refusal) return { ok: false, failureType: DeliveryFailureType.InvalidEvent, message: refusal, operation };

  const ctx: MappingContext = {
    customerId: who.customerId,
    email: who.email,
    eventTimeMs,
    eventId: deliveryEventId(integrationId, event.messageId, eventTimeMs),
  };
  const request = action.build(event, ctx);
  const limits = checkLimits(request, action.limits, event);
  if (!limits.ok)
    return { ok: false, failureType: DeliveryFailureType.PayloadTooLarge, message: limits.message, operation };
  return { ok: true, request, customerId: who.customerId };
}
