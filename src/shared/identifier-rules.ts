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
