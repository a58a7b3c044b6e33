import type { SignalEvent } from '../shared/event';
import type { ActionLimits } from './actions/types';
import type { TrackApiCall } from './exchange';
import { utf8Length } from './identifiers';

/** Customer.io's limit on an event name (custom event, page or screen view), in UTF-8 bytes. */
export const EVENT_NAME_MAX_BYTES = 100;

/** Customer.io Track API limits (journeys-track OpenAPI); checked before sending so an oversized event fails fast. */
const LIMITS = {
  eventNameBytes: EVENT_NAME_MAX_BYTES,
  attributeNameBytes: 150,
  attributeValueBytes: 1000,
  attributesPerCall: 300,
  eventDataBytes: 100_000,
} as const;

type LimitCheck = { ok: true } | { ok: false; field: string; message: string };

/** Holds a built request to the limits its action declares; fields are named as the event names them. */
export function checkLimits(request: TrackApiCall, limits: ActionLimits, event: SignalEvent): LimitCheck {
  const body = request.body ?? {};
  switch (limits.kind) {
    case 'none':
      return { ok: true };
    case 'attributes': {
      const field = limits.field(event);
      const found = attributeLimits(limits.from(body), field);
      if (!found.ok || limits.maxRequestBytes === undefined) return found;
      const bytes = utf8Length(JSON.stringify(body));
      return bytes > limits.maxRequestBytes
        ? fail(
            field,
            `the request is ${bytes} bytes as JSON; Customer.io accepts up to ${limits.maxRequestBytes} bytes per object`,
          )
        : found;
    }
    case 'event':
      return eventLimits(body, limits);
  }
}

function attributeLimits(attributes: Record<string, unknown>, source: string): LimitCheck {
  const keys = Object.keys(attributes).filter((k) => !k.startsWith('_'));
  if (keys.length > LIMITS.attributesPerCall) {
    return fail(
      source,
      `${source} has ${keys.length} attributes; Customer.io accepts at most ${LIMITS.attributesPerCall} per call`,
    );
  }
  for (const key of keys) {
    const field = `${source}.${key}`;
    const nameBytes = utf8Length(key);
    if (nameBytes > LIMITS.attributeNameBytes) {
      return fail(
        field,
        `attribute name ${field} is ${nameBytes} bytes; Customer.io accepts up to ${LIMITS.attributeNameBytes}`,
      );
    }
    const value = attributes[key];
    const valueBytes = utf8Length(typeof value === 'string' ? value : (JSON.stringify(value) ?? ''));
    if (valueBytes > LIMITS.attributeValueBytes) {
      return fail(
        field,
        `${field} is ${valueBytes} bytes; Customer.io accepts attribute values up to ${LIMITS.attributeValueBytes} bytes`,
      );
    }
  }
  return { ok: true };
}

function eventLimits(body: Record<string, unknown>, limits: Extract<ActionLimits, { kind: 'event' }>): LimitCheck {
  if (limits.limitName) {
    const nameBytes = utf8Length(String(limits.name(body) ?? ''));
    if (nameBytes > LIMITS.eventNameBytes) {
      return fail(
        'event',
        `event name is ${nameBytes} bytes; Customer.io accepts event names up to ${LIMITS.eventNameBytes} bytes`,
      );
    }
  }
  const dataBytes = utf8Length(JSON.stringify(limits.data(body) ?? {}));
  if (dataBytes > LIMITS.eventDataBytes) {
    return fail(
      limits.field,
      `${limits.field} is ${dataBytes} bytes as JSON; Customer.io accepts event data up to ${LIMITS.eventDataBytes} bytes`,
    );
  }
  return { ok: true };
}

function fail(field: string, detail: string): LimitCheck {
  return { ok: false, field, message: `Payload too large for Customer.io: ${detail}. Trim ${field} before sending.` };
}
