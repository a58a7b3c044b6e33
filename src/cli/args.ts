import { parseArgs, type ParseArgsConfig } from 'node:util';

/** Bad command-line usage: the message says what is wrong; the CLI adds the usage text and exits 2. */
export class UsageError extends Error {
  constructor(
    message: string,
    /** The command whose usage to show (undefined: the general usage). */
    readonly command?: string,
  ) {
    super(message);
  }
}

/** A command's flags, as `node:util` parseArgs takes them. */
export type FlagTable = Readonly<NonNullable<ParseArgsConfig['options']>>;

/** What a flag table parses to: a string or a boolean per flag given, typed as parseArgs types it in strict mode. */
export type FlagValues<T extends FlagTable> = ReturnType<typeof parseArgs<{ options: T; strict: true }>>['values'];

/** Parsed flags as the value validators below read them. */
type Flags = Readonly<Record<string, string | boolean | undefined>>;

/** Every command's connection flags and help. */
export const COMMON_FLAGS = {
  'api-url': { type: 'string' },
  token: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies FlagTable;

/** Which deliveries a command looks at. */
export const FILTER_FLAGS = {
  status: { type: 'string' },
  since: { type: 'string' },
  until: { type: 'string' },
  integration: { type: 'string' },
  'event-type': { type: 'string' },
} as const satisfies FlagTable;

/**
 * `--name value`, `--name=value` and boolean `--name`; `-h` is `--help`. Anything not in the table, a flag given
 * twice, a missing or empty value, a value on a boolean flag or a positional argument is a UsageError.
 */
export function parseFlags<T extends FlagTable>(argv: readonly string[], table: T, command?: string): FlagValues<T> {
  // Not strict: strict mode rejects most of these too, but in Node's words (advising positionals after `--` to
  // commands that take none), and never a flag given twice. The tokens let each be said in the CLI's terms.
  const { values, tokens } = parseArgs({
    args: [...argv],
    options: table,
    strict: false,
    allowPositionals: true,
    tokens: true,
  });
  const seen = new Set<string>();
  for (const token of tokens) {
    if (token.kind === 'positional') throw new UsageError(`unexpected argument '${token.value}'`, command);
    if (token.kind === 'option-terminator') throw new UsageError(`unexpected argument '--'`, command);
    const spec = Object.hasOwn(table, token.name) ? table[token.name] : undefined;
    if (!spec) throw new UsageError(`unknown flag ${token.rawName}`, command);
    const flag = `--${token.name}`;
    if (seen.has(token.name)) throw new UsageError(`${flag} is given more than once`, command);
    seen.add(token.name);
    if (spec.type === 'boolean') {
      if (token.value !== undefined) throw new UsageError(`${flag} takes no value`, command);
    } else if (!token.value || (!token.inlineValue && token.value.startsWith('--'))) {
      // parseArgs takes whatever follows as the value, but `--since --dry-run` is a forgotten value.
      throw new UsageError(`${flag} needs a value`, command);
    }
  }
  return values as FlagValues<T>;
}

export function oneOf<F extends Flags, T extends string>(
  flags: F,
  name: keyof F & string,
  allowed: readonly T[],
  command?: string,
): T | undefined {
  const value = stringValue(flags, name);
  if (value === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(value))
    throw new UsageError(`--${name} must be one of ${allowed.join(', ')} (got '${value}')`, command);
  return value as T;
}

export function integerFlag<F extends Flags>(
  flags: F,
  name: keyof F & string,
  range: { min: number; max: number },
  command?: string,
): number | undefined {
  const value = stringValue(flags, name);
  if (value === undefined) return undefined;
  const n = /^\d+$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(n) || n < range.min || n > range.max) {
    throw new UsageError(
      `--${name} must be a whole number from ${range.min} to ${range.max} (got '${value}')`,
      command,
    );
  }
  return n;
}

function stringValue(flags: Flags, name: string): string | undefined {
  const value = flags[name];
  return typeof value === 'string' ? value : undefined;
}

const UNIT_MS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };
const DURATION = /^(?:\d+[smhdw])+$/;
const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2}))?$/i;

/**
 * A point in time for --since/--until: a duration meaning that long ago (`30m`, `2h`, `7d`, `1h30m`; units s, m, h,
 * d, w) or an ISO 8601 date-time with `Z` or an offset (a bare date is midnight UTC). Returned as ISO 8601 UTC.
 */
export function parseTimeFlag<F extends Flags>(
  flags: F,
  name: keyof F & string,
  now: Date,
  command?: string,
): string | undefined {
  const value = stringValue(flags, name);
  if (value === undefined) return undefined;
  const problem = `--${name} must be a duration ago (30m, 2h, 7d) or an ISO 8601 date-time such as 2026-11-29T10:00:00Z (got '${value}')`;
  if (DURATION.test(value)) {
    let ms = 0;
    for (const [, amount, unit] of value.matchAll(/(\d+)([smhdw])/g)) ms += Number(amount) * UNIT_MS[unit!]!;
    const at = new Date(now.getTime() - ms);
    if (Number.isNaN(at.getTime()) || at.getUTCFullYear() < 1970)
      throw new UsageError(`${problem}: too long ago`, command);
    return at.toISOString();
  }
  if (ISO_DATE_TIME.test(value)) {
    const at = new Date(value.replace(' ', 'T').replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
    const [y, m, d] = value.slice(0, 10).split('-').map(Number) as [number, number, number];
    const calendarDay = new Date(Date.UTC(y, m - 1, d));
    if (!Number.isNaN(at.getTime()) && calendarDay.getUTCMonth() === m - 1 && calendarDay.getUTCDate() === d)
      return at.toISOString();
  }
  if (/^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/i.test(value))
    throw new UsageError(`${problem}: add Z or an offset such as +02:00`, command);
  throw new UsageError(problem, command);
}
