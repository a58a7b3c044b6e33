/**
 * Every path the code keeps only for runs started by earlier releases, with the day after which it can go. One list,
 * so nobody has to find them: test/unit/compatibility.test.ts fails once a date has passed (remove the path then, or
 * move its date with a reason), checks that each path is still where the list says, and that every patched() call
 * in src is listed here.
 *
 * The dates count from RELEASED, the day this release (settled inputs, the starter, the patches below) went out:
 * - a run lives at most LONGEST_RUN_DAYS: the longest retry window an integration can set (7 days) plus the longest
 *   wait for credentials (14 days), both bounded in src/customerio/config.ts. A run that parks twice, or that the
 *   rate limit or an open circuit holds back, lives longer: before removing, check that Temporal lists no running
 *   delivery started before RELEASED (`temporal workflow list --query "ExecutionStatus='Running' AND
 *   StartTime < '<RELEASED>'"`).
 * - a closed run can still be read (records, replays) for RETENTION_DAYS, the namespace retention
 *   (deploy/temporal/cluster.env).
 *
 * Removing a patch takes two releases (Temporal's patching): once no run started before the patch is left, patched()
 * becomes deprecatePatch() and the old branch goes; once no run that recorded the marker is left, deprecatePatch() goes.
 */

export const RELEASED = '2026-12-07';
export const LONGEST_RUN_DAYS = 7 + 14;
export const RETENTION_DAYS = 7;

/** RELEASED + LONGEST_RUN_DAYS: every run started before this release has ended. */
const RUNS_ENDED = '2026-12-28';
/** RUNS_ENDED + RETENTION_DAYS: no run started before this release can be read any more. */
const RUNS_GONE = '2027-01-04';
/** RUNS_ENDED + LONGEST_RUN_DAYS: every run that recorded a patch marker before deprecatePatch() went out has ended. */
const MARKED_RUNS_ENDED = '2027-01-18';

export const COMPATIBILITY_DATES = { RUNS_ENDED, RUNS_GONE, MARKED_RUNS_ENDED } as const;

export interface CompatibilityPath {
  /** What it keeps working, for which runs. */
  what: string;
  /** Where it lives: a file and a text in it that goes with the path. */
  where: { file: string; text: string }[];
  /** The day after which it can go (YYYY-MM-DD), and what to do then. */
  steps: { after: string; remove: string }[];
}

/** A patch id passed to patched() in src; the test matches them against the source. */
const patch = (id: string, what: string, where: CompatibilityPath['where'], fixtures?: string): CompatibilityPath => ({
  what: `patch ${id}: ${what}`,
  where,
  steps: [
    {
      after: RUNS_ENDED,
      remove: `call deprecatePatch('${id}') instead of patched() and drop the branch for runs without it${fixtures ? `, with ${fixtures}` : ''}`,
    },
    { after: MARKED_RUNS_ENDED, remove: `drop the deprecatePatch('${id}') call and this entry` },
  ],
});

export const COMPATIBILITY_PATHS: readonly CompatibilityPath[] = [
  {
    what: 'inputs without customer or mapping (or a mapping without a later setting): runs started before 2026-12-07',
    where: [{ file: 'src/customerio/delivery-input.ts', text: 'export function upgradeInput(' }],
    steps: [
      {
        after: RUNS_ENDED,
        remove: 'the workflow plans its input as given: prepareDelivery takes a DeliverEventInput without upgradeInput',
      },
      {
        after: RUNS_GONE,
        remove: 'delete upgradeInput and StartedInput: records read the stored input as a DeliverEventInput',
      },
    ],
  },
  {
    what: 'labelling runs started unlabelled (before labels were set at start)',
    where: [
      { file: 'src/workflows/deliver-event.ts', text: 'typedSearchAttributes.get(IntegrationIdKey) === undefined' },
    ],
    steps: [
      {
        after: RUNS_ENDED,
        remove: 'delete the upsert (a command: re-record test/fixtures/histories with npm run fixtures:histories)',
      },
    ],
  },
  {
    what: 'the deliverEvent (v1) workflow: runs started as it, each attempt a regular activity',
    where: [
      { file: 'src/workflows/deliver-event.ts', text: 'export async function deliverEvent(' },
      { file: 'src/shared/names.ts', text: "'deliverEvent'" },
    ],
    steps: [
      {
        after: RUNS_ENDED,
        remove:
          'delete deliverEvent, the activity proxy it uses, and test/fixtures/histories/v1 with its entry in test/replay',
      },
      { after: RUNS_GONE, remove: "drop 'deliverEvent' from DELIVERY_WORKFLOW_TYPES (closed v1 runs are gone)" },
    ],
  },
  {
    what: 'reading v1 histories (attempts as regular activities) for records and replays',
    where: [{ file: 'src/deliveries/history.ts', text: '!== DELIVER_EVENT_V1_WORKFLOW' }],
    steps: [{ after: RUNS_GONE, remove: 'read attempts from local-activity markers only' }],
  },
  {
    what: 'test/fixtures/histories/v1: saved v1 runs, replayed by test/replay',
    where: [{ file: 'test/replay/workflow-replay.test.ts', text: 'v1: KINDS' }],
    steps: [{ after: RUNS_ENDED, remove: 'delete the folder and its entry, with the v1 workflow' }],
  },
  {
    what: 'legacy replay ids (<original>:replay): replays started before replays had their own id space',
    where: [
      { file: 'src/shared/names.ts', text: 'export function legacyReplayWorkflowId(' },
      { file: 'src/deliveries/service.ts', text: 'legacyReplayWorkflowId(originalWorkflowId)' },
    ],
    steps: [{ after: RUNS_GONE, remove: 'delete legacyReplayWorkflowId; latestReplay looks at replayWorkflowId only' }],
  },
  patch(
    'calendar-dates',
    'planning revision, years 0001-0099 and offsets beyond ±23:59 (plan-revisions.ts)',
    [{ file: 'src/customerio/plan-revisions.ts', text: "calendarDates: 'calendar-dates'" }],
    'test/fixtures/histories/before-plan-revisions',
  ),
  patch(
    'page-name-within-limit',
    "planning revision, a page's name within 100 bytes (plan-revisions.ts)",
    [{ file: 'src/customerio/plan-revisions.ts', text: "pageNameWithinLimit: 'page-name-within-limit'" }],
    'test/fixtures/histories/before-plan-revisions',
  ),
  patch(
    'deferred-waits-outside-retry-window',
    'a wait the rate limit or an open circuit imposes does not count against the retry window',
    [{ file: 'src/workflows/deliver-event.ts', text: "'deferred-waits-outside-retry-window'" }],
  ),
  patch(
    'recheck-on-integration-change',
    'a parked run heeds integrationChanged',
    [{ file: 'src/shared/names.ts', text: "'recheck-on-integration-change'" }],
    'the frozen v2 history parked-signal-before-handler',
  ),
];
