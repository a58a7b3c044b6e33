import type { CustomerResolution } from '../shared/delivery';
import type { SignalEvent } from '../shared/event';
import { identifierProblem } from '../shared/identifier-rules';

/** Customer.io's limit on a person identifier, in UTF-8 bytes. */
const MAX_IDENTIFIER_BYTES = 150;

const EMAIL_SHAPE = /^[^\s@]+@[^\s@]+$/;

const MISSING_IDENTIFIER_MESSAGE =
  '400 Bad Request: Missing customer identifier. The event has no userId and no email ' +
  '(traits.email, context.traits.email, properties.email or email). Ensure events include a user_id or email ' +
  'property for Customer.io to identify the customer.';

type Candidate = { id: string; source: string };

/**
 * The person a delivery addresses, the first found of:
 * 1. `userId`;
 * 2. an id in the traits (`traits.userId`, `traits.id`, then `context.traits.userId`, `context.traits.id`), as
 *    RudderStack takes it for events sent without a userId;
 * 3. a reverse-ETL identifier (`context.externalId` of type id or userId);
 * 4. an email: `traits.email`, `context.traits.email`, `properties.email`, `email`, or a `context.externalId` of type
 *    email.
 * `cio_…` ids pass through as they are (Customer.io reads the prefix itself). Identifiers are never guessed from
 * anonymousId: Customer.io would create a person per anonymous visitor; anonymous events are their own action.
 */
export function resolveCustomerId(event: SignalEvent): CustomerResolution {
  const email = findEmail(event);
  const candidate = findPersonId(event) ?? email;
  const anonymousId = text(event.anonymousId);
  const anon = anonymousId ? { anonymousId } : {};
  if (!candidate) return { ok: false, reason: 'missing', message: MISSING_IDENTIFIER_MESSAGE, ...anon };
  const problem = identifierProblem(candidate.id);
  if (problem) {
    return {
      ok: false,
      reason: 'invalid',
      message: `Invalid customer identifier: ${candidate.source} ${problem}.`,
      ...anon,
    };
  }
  const bytes = utf8Length(candidate.id);
  if (bytes > MAX_IDENTIFIER_BYTES) {
    return {
      ok: false,
      reason: 'too_long',
      message:
        `Invalid customer identifier: ${candidate.source} is ${bytes} bytes; Customer.io accepts identifiers up to ` +
        `${MAX_IDENTIFIER_BYTES} bytes. Send a shorter user_id (or email) for Customer.io to identify the customer.`,
      ...anon,
    };
  }
  return {
    ok: true,
    customerId: candidate.id,
    source: candidate.source,
    ...(email ? { email: email.id } : {}),
    ...anon,
  };
}

/** Whether an identifier names a person by email (Customer.io reads the shape of the value the same way). */
export function isEmailShaped(id: string): boolean {
  return EMAIL_SHAPE.test(id);
}

/**
 * One identifier as Customer.io's merge and v2 calls want it: exactly one of id, email or cio_id (without its prefix).
 */
export function personIdentifiers(id: string): { id: string } | { email: string } | { cio_id: string } {
  if (id.startsWith('cio_')) return { cio_id: id.slice(4) };
  return isEmailShaped(id) ? { email: id } : { id };
}

function findPersonId(event: SignalEvent): Candidate | undefined {
  const places: [string, unknown][] = [
    ['userId', event.userId],
    ['traits.userId', event.traits?.userId],
    ['traits.id', event.traits?.id],
    ['context.traits.userId', event.context?.traits?.userId],
    ['context.traits.id', event.context?.traits?.id],
    ...externalIds(event, (type) => type === 'id' || type === 'userid'),
  ];
  for (const [source, value] of places) {
    const id = text(value);
    if (id) return { id, source };
  }
  return undefined;
}

function findEmail(event: SignalEvent): Candidate | undefined {
  const places: [string, unknown][] = [
    ['traits.email', event.traits?.email],
    ['context.traits.email', event.context?.traits?.email],
    ['properties.email', event.properties?.email],
    ['email', event.email],
    ...externalIds(event, (type) => type === 'email'),
  ];
  for (const [source, value] of places) {
    const id = text(value);
    if (id && EMAIL_SHAPE.test(id)) return { id, source };
  }
  return undefined;
}

/** Reverse-ETL identifiers (`context.externalId`) whose identifierType (or type suffix) passes `accept`. */
function externalIds(event: SignalEvent, accept: (type: string) => boolean): [string, unknown][] {
  const list = Array.isArray(event.context?.externalId) ? event.context.externalId : [];
  return list
    .filter((x) => {
      const declared =
        typeof x.identifierType === 'string'
          ? x.identifierType
          : String(x.type ?? '')
              .split('-')
              .pop();
      return accept(String(declared ?? '').toLowerCase());
    })
    .map((x): [string, unknown] => ['context.externalId', x.id]);
}

/** A usable identifier value: a non-empty string, or a finite number as Segment-style sources send ids. */
function text(value: unknown): string | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value !== 'string') return undefined;
  const trimmed = value.trim();
  return trimmed === '' ? undefined : trimmed;
}

export function utf8Length(text: string): number {
  return new TextEncoder().encode(text).length;
}
