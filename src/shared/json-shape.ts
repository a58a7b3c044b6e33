/**
 * What every event must be, whatever its fields say: bounded in depth and size, and made of well-formed Unicode text.
 * Checked without recursion, so a hostile nesting depth cannot overflow the stack of whoever looks at it. Pure: the
 * event schema runs it at intake, and delivery planning runs it again on inputs that never passed the schema.
 */

export const JSON_LIMITS = {
  /** Objects and arrays inside one another. Customer.io attributes are shallow; Segment's own limit is far below. */
  maxDepth: 32,
  /** Keys and array items in the whole event. */
  maxEntries: 10_000,
} as const;

export interface ShapeProblem {
  path: string;
  message: string;
}

/** The first problem with `value`'s shape, or undefined. */
export function jsonShapeProblem(value: unknown): ShapeProblem | undefined {
  const stack: { value: unknown; path: (string | number)[] }[] = [{ value, path: [] }];
  let entries = 0;
  while (stack.length > 0) {
    const { value: current, path } = stack.pop()!;
    if (typeof current === 'string') {
      if (!isWellFormed(current)) return { path: label(path), message: NOT_UNICODE };
      continue;
    }
    if (current === null || typeof current !== 'object') continue;
    if (path.length >= JSON_LIMITS.maxDepth) {
      return { path: label(path), message: `nests deeper than ${JSON_LIMITS.maxDepth} levels` };
    }
    const children: [string | number, unknown][] = Array.isArray(current)
      ? current.map((item, i) => [i, item])
      : Object.entries(current as Record<string, unknown>);
    entries += children.length;
    if (entries > JSON_LIMITS.maxEntries) {
      return { path: label(path), message: `the event holds more than ${JSON_LIMITS.maxEntries} keys and items` };
    }
    for (const [key, child] of children) {
      if (typeof key === 'string' && !isWellFormed(key))
        return { path: label([...path, key]), message: `its name ${NOT_UNICODE}` };
      stack.push({ value: child, path: [...path, key] });
    }
  }
  return undefined;
}

const NOT_UNICODE = 'is not well-formed Unicode text (it holds a lone UTF-16 surrogate)';

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export function isWellFormed(text: string): boolean {
  return !LONE_SURROGATE.test(text);
}

const LONE_SURROGATES = new RegExp(LONE_SURROGATE.source, 'g');

/** `text` with every lone UTF-16 surrogate replaced by U+FFFD, as String.prototype.toWellFormed (ES2024) does. */
export function toWellFormed(text: string): string {
  return text.replace(LONE_SURROGATES, '\uFFFD');
}

function label(path: (string | number)[]): string {
  return path.length === 0 ? '(event)' : path.join('.');
}

/** A JSON object (not null, not an array): what an event and its nested fields are read as. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
