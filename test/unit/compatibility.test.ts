import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { CustomerIoConfigSchema } from '../../src/customerio/config';
import { PLAN_REVISIONS } from '../../src/customerio/plan-revisions';
import {
  COMPATIBILITY_DATES,
  COMPATIBILITY_PATHS,
  LONGEST_RUN_DAYS,
  RELEASED,
  RETENTION_DAYS,
} from '../../src/shared/compatibility';

const ROOT = join(__dirname, '../..');
const read = (file: string) => readFileSync(join(ROOT, file), 'utf8');
const daysAfter = (day: string, days: number) =>
  new Date(Date.parse(`${day}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sourceFiles(path) : path.endsWith('.ts') ? [relative(ROOT, path)] : [];
  });
}

describe('compatibility paths (src/shared/compatibility.ts)', () => {
  test('none is past the day it can go: remove it then (or move its date, saying why)', () => {
    const today = new Date().toISOString().slice(0, 10);
    const due = COMPATIBILITY_PATHS.flatMap(({ what, steps }) =>
      steps.filter((step) => step.after < today).map((step) => `${what}: after ${step.after}, ${step.remove}`),
    );
    expect(due).toEqual([]);
  });

  test('each is still where the list says', () => {
    const missing = COMPATIBILITY_PATHS.flatMap(({ what, where }) =>
      where.filter(({ file, text }) => !read(file).includes(text)).map(({ file }) => `${what} (${file})`),
    );
    expect(missing).toEqual([]);
  });

  test('every patched() id in src is listed', () => {
    const sources = sourceFiles(join(ROOT, 'src')).map(read);
    const constant = (name: string) =>
      sources.map((s) => new RegExp(`const ${name} = '([^']+)'`).exec(s)?.[1]).find((v) => v !== undefined);
    const ids = sources.flatMap((s) =>
      [...s.matchAll(/\bpatched\((\w+)\)/g)].flatMap(([, arg]) =>
        // The planning asks patched() with whichever revision differs for the input (plan-revisions.ts).
        arg === 'revision' ? Object.values(PLAN_REVISIONS) : [constant(arg!) ?? `unresolved ${arg}`],
      ),
    );
    expect(ids.length).toBeGreaterThanOrEqual(4);
    const listed = COMPATIBILITY_PATHS.map((p) => p.what);
    expect(ids.filter((id) => !listed.some((what) => what.startsWith(`patch ${id}:`)))).toEqual([]);
  });

  test('the dates follow from the longest run and the retention', () => {
    const maxDays = (field: 'retry_window_hours' | 'credentials_wait_hours') =>
      (CustomerIoConfigSchema.shape[field].unwrap().maxValue ?? Infinity) / 24;
    expect(LONGEST_RUN_DAYS).toBe(maxDays('retry_window_hours') + maxDays('credentials_wait_hours'));
    expect(read('deploy/temporal/cluster.env')).toMatch(
      new RegExp(`^TEMPORAL_NAMESPACE_RETENTION=${RETENTION_DAYS}d$`, 'm'),
    );
    const { RUNS_ENDED, RUNS_GONE, MARKED_RUNS_ENDED } = COMPATIBILITY_DATES;
    expect(RUNS_ENDED).toBe(daysAfter(RELEASED, LONGEST_RUN_DAYS));
    expect(RUNS_GONE).toBe(daysAfter(RUNS_ENDED, RETENTION_DAYS));
    expect(MARKED_RUNS_ENDED).toBe(daysAfter(RUNS_ENDED, LONGEST_RUN_DAYS));
  });
});
