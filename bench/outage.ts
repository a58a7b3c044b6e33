import { randomUUID } from 'node:crypto';
import { request } from 'undici';
import { flags } from './flags';
import { cpuMs } from './proc';
import { log, percentile, round } from './report';
import { type Bench, benchEvent, call, http, postEvents, until } from './service';

const DOWN = 'bench-down';
const HEALTHY = 'bench-healthy';

/**
 * `--outage SECONDS`: Customer.io answers one integration 503 for that long while it has a backlog of
 * `--outage-events` deliveries, and another integration on the same worker gets `--outage-rate` events a second.
 * The healthy one's event→Customer.io latency is measured over SECONDS of that steady stream twice in this run:
 * without the outage, then during it (after the backlog's intake and first wave, which cost the same with or without
 * the circuit). Each integration requires a consent category of its own, so a stream event is delivered to the
 * healthy one only and a backlog event to the failing one only; the other's run ends filtered, in both runs alike.
 * Also: requests to the failing one during the outage (target < 30), attempts it deferred meanwhile (each is a
 * workflow task of a waiting delivery), and how soon after recovery its backlog was delivered (target < 2 min).
 */
export async function outage(bench: Bench, seconds: number): Promise<string> {
  const { fake } = bench;
  const backlog = Number(flags['outage-events']);
  const rate = Number(flags['outage-rate']);
  const down = await bench.install('bench outage: down', { site_id: DOWN, consent_categories: [DOWN] });
  const healthy = await bench.install('bench outage: healthy', { site_id: HEALTHY, consent_categories: [HEALTHY] });
  const consent = (to: string) => ({ [DOWN]: to === DOWN, [HEALTHY]: to === HEALTHY });

  fake.reset();
  const without = await stream(bench, rate, seconds, consent(HEALTHY));
  log(`outage: the healthy stream without the outage: p50 ${without.p50} ms, p99 ${without.p99} ms`);

  fake.reset();
  fake.failSite = DOWN;
  const downAt = Date.now();
  const tag = `outage-${randomUUID().slice(0, 8)}`;
  // One person per backlog event: the circuit, not per-person order (which holds a person's later events behind the
  // first), is what this measures.
  await postEvents(bench.apiUrl, bench.pipelineKey, tag, backlog, consent(DOWN), backlog);
  const openedAt = await circuitOpenedAt(bench, down);
  // The backlog's first attempts are over once every delivery of it has been deferred at least once.
  let deferredBefore = 0;
  for (const deadline = Date.now() + 600_000; deferredBefore < backlog;) {
    if (Date.now() > deadline) throw new Error(`only ${deferredBefore} of the backlog were deferred`);
    await new Promise((r) => setTimeout(r, 1_000));
    deferredBefore = await deferredCount(bench, down);
  }
  const firstWave = fake.arrivals.filter((a) => a.site === DOWN && a.at <= openedAt).length;
  const during = await stream(bench, rate, seconds, consent(HEALTHY));
  const deferred = (await deferredCount(bench, down)) - deferredBefore;
  log(`outage: the healthy stream during the outage: p50 ${during.p50} ms, p99 ${during.p99} ms`);
  fake.failSite = undefined;
  const recoveredAt = Date.now();
  const requestsDuring = fake.arrivals.filter((a) => a.site === DOWN && a.at < recoveredAt).length;
  if (process.env.BENCH_OUTAGE_TRACE) {
    for (const a of fake.arrivals.filter((x) => x.site === DOWN && x.at < recoveredAt))
      log(`outage trace: +${a.at - openedAt} ms ${a.key}`);
  }

  const delivered = new Set<string>();
  let seen = 0;
  await until(() => {
    for (; seen < fake.arrivals.length; seen++) {
      const a = fake.arrivals[seen]!;
      if (a.site === DOWN && a.at >= recoveredAt) delivered.add(a.key);
    }
    return delivered.size >= backlog;
  }, 600_000);
  const drainedAfter = (Date.now() - recoveredAt) / 1000;
  await bench.disable(down);
  await bench.disable(healthy);
  const outageSeconds = round((recoveredAt - downAt) / 1000, 0);
  return [
    `${outageSeconds} s of 503 for one integration with a backlog of ${backlog}, ${rate} events/s to a healthy one:`,
    `${requestsDuring} requests to the failing one during the outage (${firstWave} of them before its circuit opened);`,
    `${deferred} attempts of waiting deliveries deferred in the ${seconds} s measured (${round(deferred / backlog, 1)} per delivery);`,
    `its backlog delivered ${round(drainedAfter, 1)} s after recovery;`,
    `the healthy one's event→Customer.io p50/p99 ${during.p50}/${during.p99} ms during the outage, ${without.p50}/${without.p99} ms without it`,
    `(p99 ${round(during.p99! / without.p99!, 2)}×);`,
    `Temporal server / service CPU-ms per healthy event ${during.serverCpuMs}/${during.serviceCpuMs} during the outage,`,
    `${without.serverCpuMs}/${without.serviceCpuMs} without it`,
  ].join(' ');
}

/**
 * Sends `rate` events a second for `seconds`, open loop, and waits for all to reach Customer.io (at the integration of
 * site id `site`); their latency. Also the steady phase's (bench/steady.ts).
 */
export async function stream(
  bench: Bench,
  rate: number,
  seconds: number,
  consent?: Record<string, boolean>,
  site = HEALTHY,
) {
  const tag = `stream-${randomUUID().slice(0, 8)}`;
  const total = Math.round(rate * seconds);
  const serviceCpu = () => bench.servicePids.reduce((sum, pid) => sum + cpuMs(pid), 0);
  const cpuBefore = { server: cpuMs(bench.serverPid), service: serviceCpu() };
  const sends: Promise<unknown>[] = [];
  const t0 = Date.now();
  for (let i = 0; i < total; i++) {
    const due = t0 + (i * 1000) / rate;
    await new Promise((r) => setTimeout(r, Math.max(0, due - Date.now())));
    const event = benchEvent(tag, i, Date.now(), consent);
    sends.push(
      call(bench.apiUrl, bench.pipelineKey, 'POST', '/v1/batch', { batch: [event] }).then((res) => {
        if (res.status !== 202) throw new Error(`intake answered ${res.status}: ${JSON.stringify(res.body)}`);
      }),
    );
  }
  await Promise.all(sends);
  const ours = () => bench.fake.arrivals.filter((a) => a.site === site && a.key.startsWith(`${tag}-`));
  await until(() => ours().length >= total, 300_000);
  const latencies = ours().map((a) => a.latencyMs!);
  // CPU per event of the window: what the service and Temporal spent on everything, the stream's events and any
  // other work (an outage's waiting deliveries, its probes), so a systematic cost shows apart from latency noise.
  const perEvent = (ms: number) => round(ms / total, 2);
  return {
    p50: percentile(latencies, 0.5),
    p99: percentile(latencies, 0.99),
    serverCpuMs: perEvent(cpuMs(bench.serverPid) - cpuBefore.server),
    serviceCpuMs: perEvent(serviceCpu() - cpuBefore.service),
  };
}

/** When the integration's circuit opened, as the API reports it (polled until it has). */
async function circuitOpenedAt(bench: Bench, integrationId: string): Promise<number> {
  const deadline = Date.now() + 120_000;
  for (;;) {
    const res = await call(bench.apiUrl, bench.adminToken, 'GET', `/v1/admin/integrations/${integrationId}`);
    const circuit = (res.body as { circuit?: { workers: { opened_at: string | null }[] } }).circuit;
    const opened = circuit?.workers.map((w) => w.opened_at).find((at) => at !== null);
    if (opened) return Date.parse(opened);
    if (Date.now() > deadline) throw new Error('the failing integration’s circuit did not open');
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Attempts the service deferred for the integration's open circuit so far (its metric). */
async function deferredCount(bench: Bench, integrationId: string): Promise<number> {
  const text = await request(`${bench.apiUrl}/metrics`, { dispatcher: http }).then((r) => r.body.text());
  const line = new RegExp(
    `^signal_customerio_circuit_deferred_total\\{[^}]*integration_id="${integrationId}"[^}]*\\} (\\S+)$`,
    'm',
  );
  return Number(line.exec(text)?.[1] ?? 0);
}
