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

type FlagKind = 'string' | 'boolean';
export type FlagSpec = Record<string, FlagKind>;
export type Flags = Record<string, string | boolean | undefined>;

/**
 * `--name value`, `--name=value` and boolean `--name`; `-h` is `--help`. Anything not in the spec, a flag given twice,
 * a missing value or a stray positional argument is a UsageError.
 */
export function parseFlags(argv: readonly string[], spec: FlagSpec, command?: string): Flags {
  const flags: Flags = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '-h') {
      flags.help = true;
      continue;
    }
    if (!arg.startsWith('--') || arg === '--') throw new UsageError(`unexpected argument '${arg}'`, command);
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq === -1 ? undefined : eq);
    const kind = spec[name];
    if (!kind) throw new UsageError(`unknown flag --${name}`, command);
    if (flags[name] !== undefined) throw new UsageError(`--${name} is given more than once`, command);
    if (kind === 'boolean') {
      if (eq !== -1) throw new UsageError(`--${name} takes no value`, command);
      flags[name] = true;
      continue;
    }
    let value: string | undefined;
    if (eq !== -1) value = arg.slice(eq + 1);
    else {
      const next = argv[i + 1];
      if (next !== undefined && !next.startsWith('--')) value = argv[++i];
    }
    if (value === undefined || value === '') throw new UsageError(`--${name} needs a value`, command);
    flags[name] = value;
  }
  return flags;
}

export function stringFlag(flags: Flags, name: string): string | undefined {
  const value = flags[name];
  return typeof value === 'string' ? value : undefined;
}

export function oneOf<T extends string>(flags: Flags, name: string, allowed: readonly T[], command?: string): T | undefined {
  const value = stringFlag(flags, name);
  if (value === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(value)) throw new UsageError(`--${name} must be one of ${allowed.join(', ')} (got '${value}')`, command);
  return value as T;
}

export function integerFlag(flags: Flags, name: string, range: { min: number; max: number }, command?: string): number | undefined {
  const value = stringFlag(flags, name);
  if (value === undefined) return undefined;
  const n = /^\d+$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(n) || n < range.min || n > range.max) {
    throw new UsageError(`--${name} must be a whole number from ${range.min} to ${range.max} (got '${value}')`, command);
  }
  return n;
}

const UNIT_MS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };
const DURATION = /^(?:\d+[smhdw])+$/;
const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2}))?$/i;

/**
 * A point in time for --since/--until: a duration meaning that long ago (`30m`, `2h`, `7d`, `1h30m`; units s, m, h,
 * d, w) or an ISO 8601 date-time with `Z` or an offset (a bare date is midnight UTC). Returned as ISO 8601 UTC.
 */
export function parseTimeFlag(flags: Flags, name: string, now: Date, command?: string): string | undefined {
  const value = stringFlag(flags, name);
  if (value === undefined) return undefined;
  const problem = `--${name} must be a duration ago (30m, 2h, 7d) or an ISO 8601 date-time such as 2026-11-29T10:00:00Z (got '${value}')`;
  if (DURATION.test(value)) {
    let ms = 0;
    for (const [, amount, unit] of value.matchAll(/(\d+)([smhdw])/g)) ms += Number(amount) * UNIT_MS[unit!]!;
    const at = new Date(now.getTime() - ms);
    if (Number.isNaN(at.getTime()) || at.getUTCFullYear() < 1970) throw new UsageError(`${problem}: too long ago`, command);
    return at.toISOString();
  }
  if (ISO_DATE_TIME.test(value)) {
    const at = new Date(value.replace(' ', 'T').replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
    const [y, m, d] = value.slice(0, 10).split('-').map(Number) as [number, number, number];
    const calendarDay = new Date(Date.UTC(y, m - 1, d));
    if (!Number.isNaN(at.getTime()) && calendarDay.getUTCMonth() === m - 1 && calendarDay.getUTCDate() === d) return at.toISOString();
  }
  if (/^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/i.test(value)) throw new UsageError(`${problem}: add Z or an offset such as +02:00`, command);
  throw new UsageError(problem, command);
}
