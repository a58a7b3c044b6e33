import { LONGEST_TASK_HOLD_MS, ORDERED_TASK_TIMEOUT_MS } from '../../src/shared/attempt-timing';
import { holdTaskDurationWarning } from '../../src/temporal/runtime-logger';

describe("the SDK's warning of a long workflow task (TMPRL1104)", () => {
  test('comes only past the longest hold an attempt makes by design (21 s), under the ordered task timeout', () => {
    const env: NodeJS.ProcessEnv = {};
    holdTaskDurationWarning(env);
    expect(env.TEMPORAL_WORKFLOW_TASK_DURATION_WARN_SECONDS).toBe('21');
    expect(LONGEST_TASK_HOLD_MS).toBe(21_000);
    expect(Number(env.TEMPORAL_WORKFLOW_TASK_DURATION_WARN_SECONDS) * 1000).toBeLessThan(ORDERED_TASK_TIMEOUT_MS);
  });

  test("an operator's own threshold stands", () => {
    const env: NodeJS.ProcessEnv = { TEMPORAL_WORKFLOW_TASK_DURATION_WARN_SECONDS: '5' };
    holdTaskDurationWarning(env);
    expect(env.TEMPORAL_WORKFLOW_TASK_DURATION_WARN_SECONDS).toBe('5');
  });
});
