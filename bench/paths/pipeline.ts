import { EVENTS } from '../flags';
import { round as roundTo, type PhaseResult } from '../report';
import { type Bench, deliveredTo, postEvents, scrapeEager } from '../service';
import { measure } from './measure';

/** The service as `npm start` runs it, its events through `POST /v1/batch`, to an integration of its own. */
export async function pipelinePath(bench: Bench, round: number): Promise<PhaseResult> {
  const integrationId = await bench.install(`bench round ${round}`);
  const result = await measure(
    bench,
    `pipeline (round ${round})`,
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
