import { DeliveryFailureType, type Operation } from '../../shared/delivery';
import type { SignalEvent } from '../../shared/event';
import { deliveryEventId } from '../event-id';
import { resolveCustomerId } from '../identifiers';
import { checkLimits } from '../limits';
import { parseEventTime } from '../timestamps';
import { identifyRequest } from './identify';
import { pageRequest, pageUrl } from './page';
import { trackRequest } from './track';
import type { MappingContext, TrackApiRequest } from './types';

export type { TrackApiRequest } from './types';

export type DeliveryPlan =
  | { ok: true; request: TrackApiRequest; customerId: string }
  | { ok: false; failureType: DeliveryFailureType; message: string; operation?: Operation };

export interface PlanInput {
  integrationId: string;
  event: SignalEvent;
  /** The dedupe key of the delivery; normally event.messageId. */
  messageId: string;
  /** Used only when the event carries no timestamp at all. */
  fallbackTimeMs: number;
}

/**
 * The one place a Signal event becomes a Customer.io Track API call: identifier, mapping, limits.
 * Pure and deterministic, so the workflow runs it and the request it yields is recorded in the history.
 */
export function planDelivery({ integrationId, event, messageId, fallbackTimeMs }: PlanInput): DeliveryPlan {
  const operation = operationOf(event);
  if (!operation) {
    return { ok: false, failureType: DeliveryFailureType.InvalidEvent, message: `Unsupported event type "${event.type}"` };
  }
  const who = resolveCustomerId(event);
  if (!who.ok) return { ok: false, failureType: DeliveryFailureType.MissingCustomerIdentifier, message: who.message, operation };

  let eventTimeMs = fallbackTimeMs;
  if (event.timestamp !== undefined) {
    const parsed = parseEventTime(event.timestamp);
    if (parsed === undefined) {
      return {
        ok: false,
        failureType: DeliveryFailureType.InvalidEvent,
        message: `Invalid timestamp ${JSON.stringify(event.timestamp)}: send an ISO 8601 date-time or unix time`,
        operation,
      };
    }
    eventTimeMs = parsed;
  }
  const ctx: MappingContext = {
    customerId: who.customerId,
    ...(who.email ? { email: who.email } : {}),
    eventTimeMs,
    eventId: deliveryEventId(integrationId, messageId, eventTimeMs),
  };

  let request: TrackApiRequest;
  let limitsSource: { attributesFrom: string; dataFrom: string };
  switch (operation) {
    case 'identify':
      request = identifyRequest(event, ctx);
      limitsSource = { attributesFrom: event.traits ? 'traits' : 'context.traits', dataFrom: 'traits' };
      break;
    case 'track':
      if (!event.event?.trim()) {
        return { ok: false, failureType: DeliveryFailureType.InvalidEvent, message: 'A track event needs an event name', operation };
      }
      request = trackRequest(event, ctx);
      limitsSource = { attributesFrom: 'properties', dataFrom: 'properties' };
      break;
    case 'page': {
      const url = pageUrl(event);
      if (!url) {
        return {
          ok: false,
          failureType: DeliveryFailureType.InvalidEvent,
          message: 'A page event needs its URL in context.page.url (or properties.url): Customer.io names page views by URL',
          operation,
        };
      }
      request = pageRequest(event, url, ctx);
      limitsSource = { attributesFrom: 'properties', dataFrom: 'properties' };
      break;
    }
  }
  const limits = checkLimits(request, limitsSource);
  if (!limits.ok) return { ok: false, failureType: DeliveryFailureType.PayloadTooLarge, message: limits.message, operation };
  return { ok: true, request, customerId: who.customerId };
}

export function operationOf(event: Pick<SignalEvent, 'type'>): Operation | undefined {
  return event.type === 'identify' || event.type === 'track' || event.type === 'page' ? event.type : undefined;
}
