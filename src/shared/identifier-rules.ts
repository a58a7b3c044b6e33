import { plainTextProblem } from './plain-text';

/**
 * Why a value cannot identify a person or a message, or undefined when it can. Identifiers become URL path segments
 * and workflow ids: `.` and `..` are dot segments, which URL parsing collapses (sending a track to another endpoint),
 * and control characters have no business in either.
 */
export function identifierProblem(value: string): string | undefined {
  if (value === '.' || value === '..')
    return `must not be "${value}": as a URL path segment it would change which Customer.io endpoint is called`;
  return plainTextProblem(value);
}

// Zero-width spaces and joiners, bidi marks and overrides, the BOM, soft hyphens: characters that show as nothing.
const INVISIBLE = /\p{Cf}/u;

/**
 * Why a value cannot name a person or an object in Customer.io, or undefined when it can: what identifierProblem
 * refuses, and invisible format characters (Unicode category Cf). Customer.io compares ids byte for byte, so `ann` and
 * `ann` with a zero-width space are two people nobody can tell apart; the sender is told rather than the character
 * silently dropped, which would decide who the person is for them. Checked at intake only: deliveries started before
 * keep the rules they started with. Ids are NFC-normalised before this check (see normalizeIdentifier).
 */
export function personIdProblem(value: string): string | undefined {
  const problem = identifierProblem(value);
  if (problem) return problem;
  const invisible = INVISIBLE.exec(value)?.[0];
  if (invisible !== undefined) {
    const code = invisible.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0');
    return `must not contain invisible format characters (it holds U+${code}): Customer.io would file it as a person apart from the same id without it`;
  }
  return undefined;
}

/**
 * An id as Customer.io should see it: trimmed, and in Unicode NFC, so `é` typed as one code point or as `e` and a
 * combining accent names the same person (Customer.io itself compares bytes and does not normalise).
 */
export function normalizeIdentifier(value: string): string {
  return value.trim().normalize('NFC');
}

/** The largest integer a JSON number carries exactly: 2^53 - 1. */
const MAX_EXACT_ID = Number.MAX_SAFE_INTEGER;

/**
 * Why a number cannot be a person or object id, or undefined when it can. Past 2^53 - 1 a JSON number has already
 * lost digits when it is parsed (12345678901234567890 arrives as 12345678901234567000, 9007199254740993 as
 * 9007199254740992), so two people would become one; 2^53 itself is refused too, since 2^53 + 1 arrives as it.
 * Fractions are no ids (1e21 would become "1e+21"). Such ids must be sent as strings.
 */
export function numericIdProblem(value: number): string | undefined {
  if (Number.isSafeInteger(value)) return undefined;
  return (
    `is the number ${String(value)}, not a whole number from -${MAX_EXACT_ID} to ${MAX_EXACT_ID} (2^53 - 1): ` +
    'a JSON number past that has lost digits before it is read, so send the id as a string'
  );
}
