import { log } from './report';
import { stream } from './outage';
import type { Bench } from './service';

const SITE = 'bench-steady';

/**
 * `--steady SECONDS`: `--steady-rate` events a second, one a request, to an integration of their own for that long,
 * with nothing else running: event→Customer.io p50/p99 at a fixed rate, the latency one delivery sees on a quiet
 * service (the other phases measure throughput, whose latencies are those of a queue).
 */
export async function steady(bench: Bench, rate: number, seconds: number): Promise<string> {
  const integrationId = await bench.install('bench steady', { site_id: SITE });
  bench.fake.reset();
  const { p50, p99 } = await stream(bench, rate, seconds, undefined, SITE);
  await bench.disable(integrationId);
  const report = `${rate} events/s for ${seconds} s, one a request: event→Customer.io p50 ${p50} ms, p99 ${p99} ms`;
  log(`steady: ${report}`);
  return report;
}
