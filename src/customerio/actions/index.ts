import type { CustomerResolution, MappingOptions } from '../../shared/delivery';
import type { DeliveryEvent } from '../../shared/event';
import { jsonShapeProblem } from '../../shared/json-shape';
import { deliveryEventId } from '../event-id';
import type { TrackApiRequest } from '../exchange';
import { checkLimits } from '../limits';
import { DeliveryFailureType } from '../outcomes';
import { ADOPT_ALL, type AdoptRevision } from '../plan-revisions';
import { readTime } from '../timestamps';
import { anonymousEvent } from './anonymous-event';
import { deletePerson } from './delete-person';
import { deviceAdd, deviceDelete } from './device';
import { identify } from './identify';
import { merge } from './merge';
import { object } from './group/object';
import { relationship } from './group/relationship';
import { objectDelete } from './object-delete';
import { page } from './page';
import { screen } from './screen';
import { suppressPerson, unsuppressPerson } from './suppress-person';
import { track } from './track';
import type { Action, ActionScope, MappingContext } from './types';

/**
 * Every Customer.io action this integration performs, most specific first: the first that applies to an event sends
 * it. Adding one is a module of its own and a line here.
 */
const ACTIONS: readonly Action[] = [
  merge,
  object,
  relationship,
  objectDelete,
  deviceAdd,
  deviceDelete,
  deletePerson,
  suppressPerson,
  unsuppressPerson,
  anonymousEvent,
  identify,
  track,
  page,
  screen,
];

/** The action that sends this event, or undefined when the integration records it without sending anything. */
export function actionFor(scope: ActionScope): Action | undefined {
  return ACTIONS.find((action) => action.appliesTo(scope));
}

/** Why an event is recorded as filtered rather than sent: no action applies to it. */
export function unsupportedDetail(scope: ActionScope): string | undefined {
  return actionFor(scope)
    ? undefined
    : `${scope.event.type} events have no Customer.io Track API call in this integration`;
}

export type DeliveryPlan =
  | { ok: true; request: TrackApiRequest; customerId: string }
  | { ok: false; failureType: DeliveryFailureType; message: string; operation?: string };

/**
 * The one place a Signal event becomes a Customer.io Track API call: the action, whom it addresses, the time, the
 * event id, the request, the limits. Pure and deterministic, so the workflow runs it and the request it yields is
 * recorded in the history.
 */
export function planDelivery(
  input: {
    integrationId: string;
    event: DeliveryEvent;
    customer: CustomerResolution;
    mapping: MappingOptions;
  },
  adopt: AdoptRevision = ADOPT_ALL,
): DeliveryPlan {
  const { integrationId, event, customer, mapping: options } = input;
  // An input that never passed the event schema (a run started by other code, an old history) is held to its rules.
  const shape = jsonShapeProblem(event);
  if (shape) {
    return {
      ok: false,
      failureType: DeliveryFailureType.InvalidEvent,
      message: `Invalid event: ${shape.path} ${shape.message}`,
    };
  }
  const action = actionFor({ event, options, customer });
  if (!action) {
    return {
      ok: false,
      failureType: DeliveryFailureType.InvalidEvent,
      message: `Unsupported event type "${event.type}"`,
    };
  }
  const { operation } = action;
  if (action.addresses === 'person' && !customer.ok) {
    const failureType =
      customer.reason === 'invalid' ? DeliveryFailureType.InvalidEvent : DeliveryFailureType.MissingCustomerIdentifier;
    return { ok: false, failureType, message: customer.message, operation };
  }

  const eventTimeMs = readTime(event.timestamp, adopt);
  if (eventTimeMs === undefined) {
    return {
      ok: false,
      failureType: DeliveryFailureType.InvalidEvent,
      message: `Invalid timestamp ${JSON.stringify(event.timestamp)}: send an ISO 8601 date-time or unix time`,
      operation,
    };
  }
  const ctx: MappingContext = {
    event,
    options,
    customer,
    customerId: customer.ok ? customer.customerId : '',
    email: customer.ok ? customer.email : undefined,
    eventTimeMs,
    eventId: deliveryEventId(integrationId, event.messageId, eventTimeMs),
    adopt,
  };
  const refusal = action.refuse?.(ctx);
  if (refusal) return { ok: false, failureType: DeliveryFailureType.InvalidEvent, message: refusal, operation };

  // The action builds the call; its name rides with it into the history.
  const request: TrackApiRequest = { operation, ...action.build(ctx) };
  const limits = checkLimits(request, action.limits, event);
  if (!limits.ok)
    return { ok: false, failureType: DeliveryFailureType.PayloadTooLarge, message: limits.message, operation };
  return { ok: true, request, customerId: action.addressee?.(ctx) ?? ctx.customerId };
}
