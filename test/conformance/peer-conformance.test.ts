import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { DELIBERATE, UNSUPPORTED_BY_DESIGN } from './deliberate';
import { loadPeerCases, PEERS } from './peer-cases';
import { PENDING } from './pending';
import { describeDiff, firstDifference, outcomeLabel, renderSummary } from './report';
import { type CaseResult, runCase } from './run-case';

/**
 * Every Segment and RudderStack test case for their Customer.io destinations, run through the project's real planning
 * and compared with what the peer sends (README.md here). A case passes when it agrees, differs only for a reason in
 * deliberate.ts, is refused by design, or is on the temporary PENDING list.
 */

const results: CaseResult[] = PEERS.flatMap((peer) => loadPeerCases(peer).map(runCase));
const byId = new Map(results.map((r) => [r.case.id, r]));

const PASSING = new Set(['agrees', 'differs (deliberate)', 'error-agrees']);

/** Why this case fails the suite, or undefined when it passes. */
function problem(r: CaseResult): string | undefined {
  const pending = PENDING[r.case.id];
  const label = outcomeLabel(r);
  if (PASSING.has(r.outcome)) {
    return pending
      ? `${label}, yet PENDING lists it (${pending.join(', ')}): take it off test/conformance/pending.ts`
      : undefined;
  }
  if (r.byDesign) {
    return pending ? `both PENDING and unsupported by design (${r.byDesign}): keep one` : undefined;
  }
  if (pending) return undefined;
  const details =
    r.unexcused.length > 0 ? r.unexcused.slice(0, 12).map((d) => `  ${describeDiff(d)}`) : [`  ${firstDifference(r)}`];
  return [
    `${label}, and no list accounts for it:`,
    ...details,
    'Fix the mapping, or add a reviewed reason to deliberate.ts (or, while it is being built, an entry to pending.ts).',
  ].join('\n');
}

describe('peer conformance', () => {
  afterAll(() => {
    const summary = renderSummary(results);
    mkdirSync(resolve(__dirname, '../../test-results'), { recursive: true });
    writeFileSync(resolve(__dirname, '../../test-results/conformance.txt'), `${summary}\n`);
    process.stdout.write(`\n${summary}\n\n`);
  });

  test('the fixtures hold every transcribed case, each id once', () => {
    expect(results.filter((r) => r.case.peer === 'segment')).toHaveLength(37);
    expect(results.filter((r) => r.case.peer === 'rudderstack')).toHaveLength(118);
    expect(byId.size).toBe(results.length);
  });

  test('the lists name real cases, and no case twice', () => {
    const listed = [...Object.keys(PENDING), ...UNSUPPORTED_BY_DESIGN.flatMap((u) => u.cases)];
    expect(listed.filter((id) => !byId.has(id))).toEqual([]);
    expect(listed.filter((id, i) => listed.indexOf(id) !== i)).toEqual([]);
  });

  test('a case listed as unsupported by design is one the project does not send', () => {
    const stale = UNSUPPORTED_BY_DESIGN.flatMap((u) =>
      u.cases.filter((id) => byId.get(id)?.outcome !== 'unsupported').map((id) => `${id} (${u.id})`),
    );
    expect(stale).toEqual([]);
  });

  test('every deliberate difference and design reason accounts for some case', () => {
    const usedReasons = new Set(results.flatMap((r) => r.deliberate));
    expect(DELIBERATE.map((d) => d.id).filter((id) => !usedReasons.has(id))).toEqual([]);
    expect(new Set(DELIBERATE.map((d) => d.id)).size).toBe(DELIBERATE.length);
  });

  test('the README gives every deliberate difference and design reason', () => {
    const readme = readFileSync(resolve(__dirname, 'README.md'), 'utf8');
    const ids = [...DELIBERATE.map((d) => d.id), ...UNSUPPORTED_BY_DESIGN.map((u) => u.id)];
    expect(ids.filter((id) => !readme.includes(`\`${id}\``))).toEqual([]);
  });

  test.each(results.map((r) => [r.case.id, r] as const))('%s', (_id, r) => {
    const why = problem(r);
    if (why) throw new Error(why);
  });
});
