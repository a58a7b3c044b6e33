import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from '@temporalio/worker';
import { deliveryMetricsSinks } from '../../src/worker/metrics-sinks';
import { installTestRuntime, workflowBundlePath } from '../support/temporal';

const DIR = join(__dirname, '../fixtures/histories/before-plan-revisions');

/**
 * Runs recorded on the code before the planning revisions (src/customerio/plan-revisions.ts), of inputs they change:
 * an anonymous page view with a URL over 100 bytes (refused then as too large, sent now), a page view with one (named
 * by the whole URL then), and a track event at `+99:99` with a year-0001 date in its data (sent then with a 100-hour
 * shift; intake refuses that time now). Each must replay as it ran: without patched(), the first two would issue a
 * command their histories lack, or lack one they hold.
 */
describe('runs started before a planning revision replay as they ran', () => {
  beforeAll(() => installTestRuntime());

  const kinds = ['anonymous-page-long-url', 'page-long-url', 'impossible-offset'];

  test('each kind is on file', () => {
    expect(
      readdirSync(DIR)
        .map((f) => f.replace(/\.json$/, ''))
        .sort(),
    ).toEqual([...kinds].sort());
  });

  test.each(kinds)('%s replays without a determinism error', async (kind) => {
    const history = JSON.parse(readFileSync(join(DIR, `${kind}.json`), 'utf8')) as unknown;
    await expect(
      Worker.runReplayHistory(
        { workflowBundle: { codePath: workflowBundlePath() }, sinks: deliveryMetricsSinks },
        history,
        `before-plan-revisions-${kind}`,
      ),
    ).resolves.toBeUndefined();
  });
});
