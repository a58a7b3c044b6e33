import type { FieldDiff } from './compare';
import { PEERS } from './peer-cases';
import { PENDING } from './pending';
import type { CaseResult, Outcome } from './run-case';

const OUTCOMES: readonly Outcome[] = [
  'agrees',
  'differs (deliberate)',
  'differs',
  'unsupported',
  'error-agrees',
  'error-differs',
];

/** The outcome as the table shows it, with the reasons or the listing that accounts for it. */
export function outcomeLabel(r: CaseResult): string {
  if (r.outcome === 'differs (deliberate)') return `differs (deliberate: ${r.deliberate.join(', ')})`;
  if (r.outcome === 'unsupported' && r.byDesign) return `unsupported (by design: ${r.byDesign})`;
  return r.outcome;
}

/** The first thing a reader needs to see about a case that does not agree. */
export function firstDifference(r: CaseResult): string {
  if (r.ours.kind === 'refused') return `ours refused at ${r.ours.stage}: ${clip(r.ours.message, 110)}`;
  if (r.ours.kind === 'filtered') return `ours filtered: ${r.ours.reason}`;
  const diffs = r.unexcused.length > 0 ? r.unexcused : r.diffs;
  const first = diffs[0];
  if (!first) return '';
  // An operation only one side sends: show what each side sends instead.
  if (!first.field.includes('.')) {
    const unmatched = diffs.filter((d) => !d.field.includes('.'));
    const side = (pick: (d: FieldDiff) => unknown) =>
      unmatched
        .map(pick)
        .filter((v) => v !== undefined)
        .join(' + ') || 'nothing more';
    return `ours sends ${side((d) => d.ours)}; peer sends ${side((d) => d.peer)}`;
  }
  return describeDiff(first);
}

export function describeDiff(d: FieldDiff): string {
  return `${d.field}: ours ${show(d.ours)} ≠ peer ${show(d.peer)}`;
}

/** Counts per outcome and peer, then one line per case that does not plainly agree. */
export function renderSummary(results: readonly CaseResult[]): string {
  const lines: string[] = [];
  const width = Math.max(...OUTCOMES.map((o) => o.length)) + 2;
  lines.push(`Peer conformance: ${results.length} cases`);
  lines.push(`${'outcome'.padEnd(width)}${PEERS.map((p) => p.padStart(13)).join('')}`);
  for (const outcome of OUTCOMES) {
    const counts = PEERS.map((p) => results.filter((r) => r.case.peer === p && r.outcome === outcome).length);
    lines.push(`${outcome.padEnd(width)}${counts.map((n) => String(n).padStart(13)).join('')}`);
  }
  const totals = PEERS.map((p) => results.filter((r) => r.case.peer === p).length);
  lines.push(`${'total'.padEnd(width)}${totals.map((n) => String(n).padStart(13)).join('')}`);
  const byDesign = PEERS.map((p) => results.filter((r) => r.case.peer === p && r.byDesign).length);
  lines.push(`${'  of which by design'.padEnd(width)}${byDesign.map((n) => String(n).padStart(13)).join('')}`);
  const pending = PEERS.map((p) => results.filter((r) => r.case.peer === p && PENDING[r.case.id]).length);
  lines.push(`${'PENDING (temporary)'.padEnd(width)}${pending.map((n) => String(n).padStart(13)).join('')}`);

  lines.push('', 'Cases that do not agree (id · outcome · first difference · what is missing):');
  for (const r of results) {
    if (r.outcome === 'agrees' || r.outcome === 'error-agrees') continue;
    const missing = PENDING[r.case.id];
    const tail = missing ? `  [PENDING: ${missing.join(', ')}]` : '';
    lines.push(`  ${r.case.id} · ${outcomeLabel(r)} · ${firstDifference(r)}${tail}`);
  }

  const missingConfig = new Map<string, number>();
  for (const r of results) {
    for (const s of r.missingConfig) missingConfig.set(s.field, (missingConfig.get(s.field) ?? 0) + 1);
  }
  if (missingConfig.size > 0) {
    lines.push('', 'Config fields the peers imply that the project does not have yet (cases):');
    for (const [field, n] of [...missingConfig].sort()) lines.push(`  ${field} (${n})`);
  }
  return lines.join('\n');
}

function show(value: unknown): string {
  return value === undefined ? '(absent)' : clip(JSON.stringify(value), 90);
}

function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
