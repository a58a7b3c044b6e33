import { EVENTS } from '../flags';
import type { PhaseResult } from '../report';
import type { Bench } from '../service';
import { baselineDone, startBaselines } from './baseline';
import { measure } from './measure';

/** A first design: one workflow calling one regular activity that POSTs the event. */
export function barePath(bench: Bench, round: number): Promise<PhaseResult> {
  return measure(
    bench,
    `bare one-activity workflow (round ${round})`,
    EVENTS,
    (tag) => startBaselines(bench, 'bareDelivery', EVENTS, tag),
    baselineDone('bareDelivery'),
  );
}
