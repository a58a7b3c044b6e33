import { randomUUID } from 'node:crypto';
import { cpuMs, sampleRss } from '../proc';
import { log, type PhaseResult, percentile, round } from '../report';
import { type Bench, waitForCount } from '../service';

/**
 * Times one phase: `run` sends `events` (tagged `tag`), and the phase ends when the visibility query `done(tag)`
 * counts them all. CPU of the server, the service (all its processes) and the bench per delivery, latencies as the fake
 * saw them.
 */
export async function measure(
  bench: Bench,
  name: string,
  events: number,
  run: (tag: string) => Promise<Partial<PhaseResult>>,
  done: (tag: string) => string,
): Promise<PhaseResult> {
  const { fake, serverPid, servicePids } = bench;
  const serviceCpuMs = () => servicePids.reduce((sum, pid) => sum + cpuMs(pid), 0);
  fake.reset();
  const tag = `${name.split(' ')[0]}-${randomUUID().slice(0, 8)}`;
  const before = { server: cpuMs(serverPid), service: serviceCpuMs(), bench: process.cpuUsage() };
  const databaseBefore = await databaseCpu(bench);
  const rss = sampleRss(servicePids);
  const t0 = performance.now();
  const partial = await run(tag);
  await waitForCount(bench.client, done(tag), events);
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(before.bench);
  const databaseAfter = await databaseCpu(bench);
  const latencies = fake.arrivals.map((a) => a.latencyMs).filter((l): l is number => l !== undefined);
  const result: PhaseResult = {
    name,
    events,
    perSecond: round(events / seconds),
    serverCpuMsPerDelivery: round((cpuMs(serverPid) - before.server) / events, 2),
    serviceCpuMsPerDelivery: round((serviceCpuMs() - before.service) / events, 2),
    ...(databaseBefore && databaseAfter
      ? { databaseCpuMsPerDelivery: round(databaseCpuSince(databaseBefore, databaseAfter) / events, 2) }
      : {}),
    benchCpuMsPerDelivery: round((cpu.user + cpu.system) / 1000 / events, 2),
    latencyP50: percentile(latencies, 0.5),
    latencyP99: percentile(latencies, 0.99),
    serviceRssMaxMb: rss.stop(),
    ...partial,
  };
  log(`${name}: ${result.perSecond}/s`);
  return result;
}

/** CPU-ms of each PostgreSQL backend of the layout's databases now, by pid; undefined without any (the dev server). */
async function databaseCpu(bench: Bench): Promise<Map<number, number> | undefined> {
  if (!bench.databasePids) return undefined;
  const cpu = new Map<number, number>();
  for (const pid of await bench.databasePids()) {
    try {
      cpu.set(pid, cpuMs(pid));
    } catch {
      // the connection closed meanwhile
    }
  }
  return cpu;
}

/**
 * What the backends used between two readings: at least that, since a connection that closed in between takes its
 * share with it (Temporal's and the store's pools keep theirs open, so little goes missing).
 */
function databaseCpuSince(before: Map<number, number>, after: Map<number, number>): number {
  let sum = 0;
  for (const [pid, ms] of after) sum += ms - (before.get(pid) ?? 0);
  return sum;
}
