import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { bundleWorkflowCode, Worker } from '@temporalio/worker';
import { DeterminismViolationError } from '@temporalio/workflow';
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

function histories() {
  return readdirSync(DIR)
    .filter((f) => f.endsWith('.json'))
    .map((f) => ({
      workflowId: f.replace(/\.json$/, ''),
      history: JSON.parse(readFileSync(join(DIR, f), 'utf8')) as unknown,
    }));
}

/**
 * Saved histories of every kind of delivery run are replayed against the current workflow code: a change that would
 * break deliveries already running in production fails here. Refresh them with `npm run fixtures:histories`.
 */
describe('workflow code stays replay-compatible', () => {
  beforeAll(() => installTestRuntime());

  test('a history of each kind of run is on file', () => {
    expect(
      histories()
        .map((h) => h.workflowId)
        .sort(),
    ).toEqual([...KINDS].sort());
  });

  test.each(KINDS)('%s replays without a determinism error', async (kind) => {
    const { history } = histories().find((h) => h.workflowId === kind)!;
    await expect(
      Worker.runReplayHistory({ workflowBundle: { codePath: workflowBundlePath() } }, history, kind),
    ).resolves.toBeUndefined();
  });

  test('an incompatible change to the workflow is caught', async () => {
    const { code } = await bundleWorkflowCode({
      workflowsPath: require.resolve('./nondeterministic-workflow'),
      logger: { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error: console.error },
    });
    const { history } = histories().find((h) => h.workflowId === 'retried-then-delivered')!;
    await expect(
      Worker.runReplayHistory({ workflowBundle: { code } }, history, 'retried-then-delivered'),
    ).rejects.toBeInstanceOf(DeterminismViolationError);
  });
});
