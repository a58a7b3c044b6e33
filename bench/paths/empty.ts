import { EVENTS } from '../flags';
import type { PhaseResult } from '../report';
import type { Bench } from '../service';
import { baselineDone, startBaselines } from './baseline';
import { measure } from './measure';

/** Temporal's own floor: a workflow that returns at once. */
export function emptyPath(bench: Bench, round: number): Promise<PhaseResult> {
  return measure(
    bench,
    `empty workflow (round ${round})`,
    EVENTS,
    (tag) => startBaselines(bench, 'emptyWorkflow', EVENTS, tag),
    baselineDone('emptyWorkflow'),
  );
}
