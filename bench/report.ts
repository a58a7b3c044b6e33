import { cpus, totalmem } from 'node:os';
import { BATCH, CONCURRENCY, EVENTS, INTAKE_CONCURRENCY, ROUNDS } from './flags';

/** One timed phase: a path's round, or the backlog. */
export interface PhaseResult {
  name: string;
  events: number;
  perSecond: number;
  serverCpuMsPerDelivery: number;
  serviceCpuMsPerDelivery: number;
  /** PostgreSQL's backends for the layout's databases (the cluster's persistence, the store); none on the dev server. */
  databaseCpuMsPerDelivery?: number;
  benchCpuMsPerDelivery: number;
  latencyP50?: number;
  latencyP99?: number;
  intakePerSecond?: number;
  batchP50?: number;
  batchP99?: number;
  eagerRate?: number;
  serviceRssMaxMb?: number;
}

/** What one layout's run measured (bench/layouts.ts). */
export interface LayoutReport {
  /** The layout, as the report names it. */
  label: string;
  results: PhaseResult[];
  backlog?: PhaseResult | undefined;
  steady?: string | undefined;
  kill?: string | undefined;
  outage?: string | undefined;
  /** The Temporal server's RSS at the end, MB. */
  serverRssMb: number;
}

const cell = (v: number | undefined) => (v === undefined ? '-' : String(v));
const PATH_PREFIXES = ['empty', 'bare', 'pipeline', 'unordered'] as const;
const medianOfPath = (results: PhaseResult[], prefix: string, value: (r: PhaseResult) => number | undefined) => {
  const values = results
    .filter((r) => r.name.startsWith(prefix))
    .map(value)
    .filter((v): v is number => v !== undefined);
  return values.length === 0 ? undefined : medianOf(values);
};

/** A layout's table, the medians and the ratios to quote (stdout). */
export function printReport(report: LayoutReport): void {
  const { results, backlog, kill } = report;
  const median = (prefix: string) => medianOfPath(results, prefix, (r) => r.perSecond) ?? Number.NaN;
  const empty = median('empty');
  const bare = median('bare');
  const pipe = median('pipeline');
  const unordered = median('unordered');
  const lines = [
    '',
    `## Bench on the ${report.label}: ${EVENTS} events per path, ${ROUNDS} round(s), open loop (${CONCURRENCY} starts in flight; the pipeline in batches of ${BATCH}, ${INTAKE_CONCURRENCY} at a time)`,
    '',
    '| path | delivered/s | server CPU-ms/delivery | PostgreSQL CPU-ms/delivery | service CPU-ms/delivery | bench CPU-ms/delivery | event→Customer.io p50/p99 ms | intake accepted/s | batch answer p50/p99 ms | eager starts | service RSS max MB |',
    '|---|---|---|---|---|---|---|---|---|---|---|',
    ...[...results, ...(backlog ? [backlog] : [])].map(
      (r) =>
        `| ${r.name} | ${r.perSecond} | ${r.serverCpuMsPerDelivery} | ${cell(r.databaseCpuMsPerDelivery)} | ${r.serviceCpuMsPerDelivery} | ${r.benchCpuMsPerDelivery} | ${cell(r.latencyP50)}/${cell(r.latencyP99)} | ${cell(r.intakePerSecond)} | ${cell(r.batchP50)}/${cell(r.batchP99)} | ${r.eagerRate === undefined ? '-' : `${Math.round(r.eagerRate * 100)} %`} | ${cell(r.serviceRssMaxMb)} |`,
    ),
    '',
    `medians: empty ${empty}/s, bare ${bare}/s, pipeline ${pipe}/s, unordered pipeline ${unordered}/s`,
    `pipeline / bare one-activity = ${round(pipe / bare, 2)}×   (target ≥ 1.4×)`,
    `pipeline / empty workflow    = ${round(pipe / empty, 2)}×   (target ≥ 0.9×)`,
    `pipeline / unordered         = ${round(pipe / unordered, 2)}×   (what per-person order keeps; target ≥ 0.9×)`,
    ...(backlog
      ? [
          `backlog of ${backlog.events}: ${backlog.perSecond} deliveries/s sustained, intake ${backlog.intakePerSecond}/s, batch answer p50 ${backlog.batchP50} ms, p99 ${backlog.batchP99} ms, service RSS max ${backlog.serviceRssMaxMb} MB`,
        ]
      : []),
    ...(report.steady ? [`steady stream: ${report.steady}`] : []),
    ...(kill ? [`worker SIGKILLed mid-run: ${kill}`] : []),
    ...(report.outage ? [`Customer.io outage: ${report.outage}`] : []),
    `machine: ${cpus().length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB; Temporal server RSS at the end ${report.serverRssMb} MB`,
    '',
  ];
  process.stdout.write(lines.join('\n'));
}

/** With more than one layout: each path's medians side by side, so one layout's figures read against the other's. */
export function printComparison(reports: LayoutReport[]): void {
  const lines = [
    '',
    `## Layouts side by side (medians over ${ROUNDS} round(s) of ${EVENTS} events)`,
    '',
    '| layout | path | delivered/s | event→Customer.io p50/p99 ms | server CPU-ms/delivery | PostgreSQL CPU-ms/delivery | service CPU-ms/delivery | service RSS max MB |',
    '|---|---|---|---|---|---|---|---|',
  ];
  for (const report of reports) {
    for (const prefix of PATH_PREFIXES) {
      const m = (value: (r: PhaseResult) => number | undefined) => medianOfPath(report.results, prefix, value);
      if (m((r) => r.perSecond) === undefined) continue;
      lines.push(
        `| ${report.label} | ${prefix} | ${m((r) => r.perSecond)} | ${cell(m((r) => r.latencyP50))}/${cell(m((r) => r.latencyP99))} | ${m((r) => r.serverCpuMsPerDelivery)} | ${cell(m((r) => r.databaseCpuMsPerDelivery))} | ${m((r) => r.serviceCpuMsPerDelivery)} | ${cell(m((r) => r.serviceRssMaxMb))} |`,
      );
    }
  }
  lines.push('');
  for (const report of reports) {
    const m = (prefix: string) => medianOfPath(report.results, prefix, (r) => r.perSecond) ?? Number.NaN;
    lines.push(
      `${report.label}: pipeline ${round(m('pipeline') / m('bare'), 2)}× bare, ${round(m('pipeline') / m('empty'), 2)}× empty, ${round(m('pipeline') / m('unordered'), 2)}× unordered${report.steady ? `; steady stream ${report.steady}` : ''}${report.backlog ? `; backlog of ${report.backlog.events} ${report.backlog.perSecond}/s` : ''}`,
    );
  }
  lines.push('');
  process.stdout.write(lines.join('\n'));
}

export function percentile(values: number[], p: number): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  return Math.round(sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!);
}

function medianOf(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : round((sorted[mid - 1]! + sorted[mid]!) / 2);
}

export function round(value: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

export function log(text: string): void {
  process.stderr.write(`[bench] ${text}\n`);
}
