import type { CustomerResolution } from '../shared/delivery';
import type { SignalEvent } from '../shared/event';
import { identifierProblem } from '../shared/identifier-rules';

/** Customer.io's limit on a person identifier, in UTF-8 bytes. */
const MAX_IDENTIFIER_BYTES = 150;

type IdentifierSource = 'userId' | 'traits.email' | 'context.traits.email' | 'properties.email' | 'email';

const EMAIL_SHAPE = /^[^\s@]+@[^\s@]+$/;

const MISSING_IDENTIFIER_MESSAGE =
  '400 Bad Request: Missing customer identifier. The event has no userId and no email ' +
  '(traits.email, context.traits.email, properties.email or email). Ensure events include a user_id or email ' +
  'property for Customer.io to identify the customer.';

/**
 * The person a delivery addresses: `userId`, else the first email found. `cio_…` ids pass through as they are
 * (Customer.io reads the prefix itself). Identifiers are never guessed from anonymousId: Customer.io would create
 * a person per anonymous visitor.
 */
export function resolveCustomerId(event: SignalEvent): CustomerResolution {
  const email = findEmail(event);
  const userId = event.userId?.trim();
  const candidate = userId ? { id: userId, source: 'userId' as const } : email;
  if (!candidate) return { ok: false, reason: 'missing', message: MISSING_IDENTIFIER_MESSAGE };
  const problem = identifierProblem(candidate.id);
  if (problem) {
    return { ok: false, reason: 'invalid', message: `Invalid customer identifier: ${candidate.source} ${problem}.` };
  }
  const bytes = utf8Length(candidate.id);
  if (bytes > MAX_IDENTIFIER_BYTES) {
    return {
      ok: false,
      reason: 'too_long',
      message:
        `Invalid customer identifier: ${candidate.source} is ${bytes} bytes; Customer.io accepts identifiers up to ` +
        `${MAX_IDENTIFIER_BYTES} bytes. Send a shorter user_id (or email) for Customer.io to identify the customer.`,
    };
  }
  return {
    ok: true,
    customerId: candidate.id,
    source: candidate.source,
    ...(email ? { email: email.id } : {}),
  };
}

function findEmail(event: SignalEvent): { id: string; source: IdentifierSource } | undefined {
  const places: [IdentifierSource, unknown][] = [
    ['traits.email', event.traits?.email],
    ['context.traits.email', event.context?.traits?.email],
    ['properties.email', event.properties?.email],
    ['email', event.email],
  ];
  for (const [source, value] of places) {
    if (typeof value === 'string' && EMAIL_SHAPE.test(value.trim())) return { id: value.trim(), source };
  }
  return undefined;
}

export function utf8Length(text: string): number {
  return new TextEncoder().encode(text).length;
}
