import { EVENTS } from '../flags';
import { round as roundTo, type PhaseResult } from '../report';
import { type Bench, deliveredTo, postEvents, scrapeEager } from '../service';
import { measure } from './measure';

/** The service as `npm start` runs it, its events through `POST /v1/batch`, to an integration of its own. */
export async function pipelinePath(bench: Bench, round: number): Promise<PhaseResult> {
  return throughPipeline(bench, `pipeline (round ${round})`, await bench.install(`bench round ${round}`));
}

/**
 * The same, to an integration with per-person order turned off (`order_wait_minutes` 0: no order book at all), so
 * what the order costs (issue 16: at most 10 %) is measured in the same run, on the same server.
 */
export async function unorderedPipelinePath(bench: Bench, round: number): Promise<PhaseResult> {
  const integrationId = await bench.install(`bench unordered round ${round}`, { order_wait_minutes: 0 });
  return throughPipeline(bench, `unordered pipeline (round ${round})`, integrationId);
}

async function throughPipeline(bench: Bench, name: string, integrationId: string): Promise<PhaseResult> {
  const result = await measure(
    bench,
    name,
    EVENTS,
    (tag) => sendThroughIntake(bench, tag, EVENTS),
    () => deliveredTo(integrationId),
  );
  await bench.disable(integrationId);
  return result;
}

/** Posts the events and reads the intake's figures, with the share of its starts that were eager. */
export async function sendThroughIntake(bench: Bench, tag: string, events: number): Promise<Partial<PhaseResult>> {
  const before = await scrapeEager(bench.apiUrl);
  const intake = await postEvents(bench.apiUrl, bench.pipelineKey, tag, events);
  const after = await scrapeEager(bench.apiUrl);
  const eagerTried = after.eager + after.notEager - before.eager - before.notEager;
  return {
    ...intake,
    ...(eagerTried > 0 ? { eagerRate: roundTo((after.eager - before.eager) / eagerTried, 2) } : {}),
  };
}
