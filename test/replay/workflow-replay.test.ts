import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { bundleWorkflowCode, Worker } from '@temporalio/worker';
import { DeterminismViolationError } from '@temporalio/workflow';
import { deliveryMetricsSinks } from '../../src/worker/metrics-sinks';
import { installTestRuntime, workflowBundlePath } from '../support/temporal';

const DIR = join(__dirname, '../fixtures/histories');
const KINDS = [
  'delivered',
  'retried-then-delivered',
  'invalid-missing-identifier',
  'filtered-consent',
  'parked-then-resumed',
  'rejected-400',
  'replayed',
];
/**
 * v2 histories the recorder cannot make with today's code, kept as recorded. parked-signal-before-handler: a parked run
 * told its integration was disabled by a worker that had no handler for that signal yet (before the
 * recheck-on-integration-change patch), then resumed by new credentials; today's code must ignore that signal on replay.
 * circuit-woken: a run held back by its integration's open circuit and woken by the worker's signal when it closed
 * (recorded by test/integration/circuit.test.ts with RECORD_HISTORY_FIXTURES=1).
 */
const FROZEN_V2 = ['parked-signal-before-handler', 'circuit-woken'];
/**
 * One folder per workflow version: v1 (`deliverEvent`, an activity per attempt) is frozen, its runs still finish on
 * today's code; v2 (`deliverEventV2`, a local activity per attempt) is what `npm run fixtures:histories` records.
 */
const VERSIONS: Record<string, string[]> = {
  v1: KINDS,
  v2: [...KINDS, 'rate-limited', 'parked-then-disabled', 'ordered-waited', 'ordered-overtook', ...FROZEN_V2],
};

function histories(version: string) {
  return readdirSync(join(DIR, version))
    .filter((f) => f.endsWith('.json'))
    .map((f) => ({
      kind: f.replace(/\.json$/, ''),
      history: JSON.parse(readFileSync(join(DIR, version, f), 'utf8')) as unknown,
    }));
}

const cases = Object.entries(VERSIONS).flatMap(([version, kinds]) => kinds.map((kind) => [version, kind] as const));

/**
 * Saved histories of every kind of delivery run, of every workflow version, are replayed against the current workflow
 * code: a change that would break deliveries already running in production fails here.
 */
describe('workflow code stays replay-compatible', () => {
  beforeAll(() => installTestRuntime());

  test.each(Object.entries(VERSIONS))('a %s history of each kind of run is on file', (version, kinds) => {
    expect(
      histories(version)
        .map((h) => h.kind)
        .sort(),
    ).toEqual([...kinds].sort());
  });

  test.each(cases)('%s %s replays without a determinism error', async (version, kind) => {
    const { history } = histories(version).find((h) => h.kind === kind)!;
    await expect(
      Worker.runReplayHistory(
        // The production worker's sinks: a replay calls none of them, but the workflow must find them registered.
        { workflowBundle: { codePath: workflowBundlePath() }, sinks: deliveryMetricsSinks },
        history,
        `${version}-${kind}`,
      ),
    ).resolves.toBeUndefined();
  });

  test('an incompatible change to the workflow is caught', async () => {
    const { code } = await bundleWorkflowCode({
      workflowsPath: require.resolve('./nondeterministic-workflow'),
      logger: { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error: console.error },
    });
    for (const version of Object.keys(VERSIONS)) {
      const { history } = histories(version).find((h) => h.kind === 'retried-then-delivered')!;
      await expect(
        Worker.runReplayHistory({ workflowBundle: { code } }, history, 'retried-then-delivered'),
      ).rejects.toBeInstanceOf(DeterminismViolationError);
    }
  });
});
