import { cpus, totalmem } from 'node:os';
import { BATCH, CONCURRENCY, EVENTS, INTAKE_CONCURRENCY, ROUNDS } from './flags';
import { rssMb } from './proc';

/** One timed phase: a path's round, or the backlog. */
export interface PhaseResult {
  name: string;
  events: number;
  perSecond: number;
  serverCpuMsPerDelivery: number;
  serviceCpuMsPerDelivery: number;
  benchCpuMsPerDelivery: number;
  latencyP50?: number;
  latencyP99?: number;
  intakePerSecond?: number;
  batchP50?: number;
  batchP99?: number;
  eagerRate?: number;
  serviceRssMaxMb?: number;
}

/** The table, the medians and the ratios to quote (stdout). */
export function printReport(
  results: PhaseResult[],
  backlog: PhaseResult | undefined,
  kill: string | undefined,
  ctx: { serverPid: number; started: number },
): void {
  const median = (prefix: string) => medianOf(results.filter((r) => r.name.startsWith(prefix)).map((r) => r.perSecond));
  const empty = median('empty');
  const bare = median('bare');
  const pipe = median('pipeline');
  const cell = (v: number | undefined) => (v === undefined ? '-' : String(v));
  const lines = [
    '',
    `## Bench: ${EVENTS} events per path, ${ROUNDS} round(s), open loop (${CONCURRENCY} starts in flight; the pipeline in batches of ${BATCH}, ${INTAKE_CONCURRENCY} at a time)`,
    '',
    '| path | delivered/s | server CPU-ms/delivery | service CPU-ms/delivery | bench CPU-ms/delivery | event→Customer.io p50/p99 ms | intake accepted/s | batch answer p50/p99 ms | eager starts | service RSS max MB |',
    '|---|---|---|---|---|---|---|---|---|---|',
    ...[...results, ...(backlog ? [backlog] : [])].map(
      (r) =>
        `| ${r.name} | ${r.perSecond} | ${r.serverCpuMsPerDelivery} | ${r.serviceCpuMsPerDelivery} | ${r.benchCpuMsPerDelivery} | ${cell(r.latencyP50)}/${cell(r.latencyP99)} | ${cell(r.intakePerSecond)} | ${cell(r.batchP50)}/${cell(r.batchP99)} | ${r.eagerRate === undefined ? '-' : `${Math.round(r.eagerRate * 100)} %`} | ${cell(r.serviceRssMaxMb)} |`,
    ),
    '',
    `medians: empty ${empty}/s, bare ${bare}/s, pipeline ${pipe}/s`,
    `pipeline / bare one-activity = ${round(pipe / bare, 2)}×   (target ≥ 1.4×)`,
    `pipeline / empty workflow    = ${round(pipe / empty, 2)}×   (target ≥ 0.9×)`,
    ...(backlog
      ? [
          `backlog of ${backlog.events}: ${backlog.perSecond} deliveries/s sustained, intake ${backlog.intakePerSecond}/s, batch answer p50 ${backlog.batchP50} ms, p99 ${backlog.batchP99} ms, service RSS max ${backlog.serviceRssMaxMb} MB`,
        ]
      : []),
    ...(kill ? [`worker SIGKILLed mid-run: ${kill}`] : []),
    `machine: ${cpus().length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB; Temporal server pid ${ctx.serverPid} RSS ${rssMb(ctx.serverPid)} MB; bench took ${Math.round((Date.now() - ctx.started) / 1000)} s`,
    '',
  ];
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
