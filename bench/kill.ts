import { randomUUID } from 'node:crypto';
import { percentile, round } from './report';
import { runNode } from './layouts';
import { type Bench, deliveredTo, postEvents, until, waitForCount } from './service';

/**
 * `--kill`: a second worker (`npm run worker`) is SIGKILLed with attempts in flight; how soon another worker makes
 * those attempts again.
 */
export async function killWorker(bench: Bench): Promise<string> {
  const { fake } = bench;
  const integrationId = await bench.install('bench kill');
  const extra = runNode('worker/main', { ...bench.workerEnv, LOG_LEVEL: 'info' });
  bench.children.push(extra.child);
  await extra.waitFor(/delivery worker running/, 60_000);
  fake.reset();
  // Slow answers keep attempts in flight in both workers when one of them dies.
  fake.delayMs = 3_000;
  const events = 200;
  await postEvents(bench.apiUrl, bench.pipelineKey, `kill-${randomUUID().slice(0, 8)}`, events);
  await until(() => fake.arrivals.length >= 60, 60_000);
  const killedAt = Date.now();
  extra.child.kill('SIGKILL');
  await waitForCount(bench.client, deliveredTo(integrationId), events, 300_000);
  fake.delayMs = 0;
  const cut = new Set(fake.cutOff.filter((c) => c.at >= killedAt - 50).map((c) => c.key));
  const retriedAfter = [...cut].map((key) => {
    const retry = fake.arrivals.find((a) => a.key === key && a.at > killedAt);
    return retry ? retry.at - killedAt : Number.POSITIVE_INFINITY;
  });
  await bench.disable(integrationId);
  if (retriedAfter.length === 0) return 'the killed worker had no attempt in flight: no figure';
  return `${retriedAfter.length} attempts in flight in the killed worker; tried again after p50 ${round(percentile(retriedAfter, 0.5)! / 1000, 1)} s, max ${round(Math.max(...retriedAfter) / 1000, 1)} s`;
}
