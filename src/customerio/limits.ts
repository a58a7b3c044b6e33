import { utf8Length } from './identifiers';
import type { TrackApiRequest } from './requests/types';

/** Customer.io Track API limits (journeys-track OpenAPI); checked before sending so an oversized event fails fast. */
export const LIMITS = {
  eventNameBytes: 100,
  attributeNameBytes: 150,
  attributeValueBytes: 1000,
  attributesPerCall: 300,
  eventDataBytes: 100_000,
} as const;

export type LimitCheck = { ok: true } | { ok: false; field: string; message: string };

export function checkLimits(request: TrackApiRequest, source: { attributesFrom: string; dataFrom: string }): LimitCheck {
  const { body } = request;
  if (request.operation === 'identify') {
    const keys = Object.keys(body).filter((k) => !k.startsWith('_'));
    if (keys.length > LIMITS.attributesPerCall) {
      return fail(
        source.attributesFrom,
        `${source.attributesFrom} has ${keys.length} attributes; Customer.io accepts at most ${LIMITS.attributesPerCall} per identify call`,
      );
    }
    for (const key of keys) {
      const field = `${source.attributesFrom}.${key}`;
      const nameBytes = utf8Length(key);
      if (nameBytes > LIMITS.attributeNameBytes) {
        return fail(field, `attribute name ${field} is ${nameBytes} bytes; Customer.io accepts up to ${LIMITS.attributeNameBytes}`);
      }
      const valueBytes = utf8Length(typeof body[key] === 'string' ? (body[key] as string) : JSON.stringify(body[key]) ?? '');
      if (valueBytes > LIMITS.attributeValueBytes) {
        return fail(field, `${field} is ${valueBytes} bytes; Customer.io accepts attribute values up to ${LIMITS.attributeValueBytes} bytes`);
      }
    }
    return { ok: true };
  }
  // Page names are URLs: Customer.io's own web SDK sends them whole, so only custom event names are held to 100 bytes.
  if (request.operation === 'track') {
    const nameBytes = utf8Length(String(body.name));
    if (nameBytes > LIMITS.eventNameBytes) {
      return fail('event', `event name is ${nameBytes} bytes; Customer.io accepts event names up to ${LIMITS.eventNameBytes} bytes`);
    }
  }
  const dataBytes = utf8Length(JSON.stringify(body.data ?? {}));
  if (dataBytes > LIMITS.eventDataBytes) {
    return fail(source.dataFrom, `${source.dataFrom} is ${dataBytes} bytes as JSON; Customer.io accepts event data up to ${LIMITS.eventDataBytes} bytes`);
  }
  return { ok: true };
}

function fail(field: string, detail: string): LimitCheck {
  return { ok: false, field, message: `Payload too large for Customer.io: ${detail}. Trim ${field} before sending.` };
}
