/**
 * Changes to what the planning computes from an input that earlier code planned differently. A delivery's plan is
 * computed inside its workflow, so a run started before a change must replay with the result it had: the workflow
 * answers `adopt` with `patched()`, everything else (the intake, tests) adopts every revision. A revision is asked
 * about only when its new and old results differ for the input at hand, so runs it does not concern get no marker.
 */
export const PLAN_REVISIONS = {
  /** Years 0001–0099 are those years (not 1900s), and offsets beyond ±23:59 are no offsets (event-time.ts). */
  calendarDates: 'calendar-dates',
  /** A page's name is held to Customer.io's 100-byte event-name limit (actions/page.ts). */
  pageNameWithinLimit: 'page-name-within-limit',
} as const;

export type PlanRevision = (typeof PLAN_REVISIONS)[keyof typeof PLAN_REVISIONS];

/** Whether this run plans with `revision`; the workflow's answer is Temporal's `patched(revision)`. */
export type AdoptRevision = (revision: PlanRevision) => boolean;

export const ADOPT_ALL: AdoptRevision = () => true;

/** The current result, unless it differs from the one before `revision` and the run predates it. */
export function revised<T>(adopt: AdoptRevision, revision: PlanRevision, current: T, previous: T): T {
  return current === previous || adopt(revision) ? current : previous;
}
