import { isWellFormed } from './json-shape';

// C0, DEL and C1: nothing a name, filter or identifier needs, and PostgreSQL cannot store NUL in text at all.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001F\u007F-\u009F]/;

/**
 * Why `value` is not plain text (a name, a filter value, an identifier), or undefined when it is: no control
 * characters, and well-formed Unicode (a lone UTF-16 surrogate cannot be encoded as UTF-8 or in a URL).
 */
export function plainTextProblem(value: string): string | undefined {
  if (CONTROL.test(value)) return 'must not contain control characters';
  if (!isWellFormed(value)) return 'is not well-formed Unicode text (it holds a lone UTF-16 surrogate)';
  return undefined;
}
