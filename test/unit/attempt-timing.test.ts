import {
  attemptWaits,
  DELIVERY_TASK_TIMEOUT_MS,
  MAX_HTTP_TIMEOUT_MS,
  ORDER_GATE_MS,
  ORDERED_TASK_TIMEOUT_MS,
} from '../../src/shared/attempt-timing';

describe('how long an attempt may wait in the worker before its HTTP exchange', () => {
  test('at the usual 10 s task: 2 s in all, 1 s of it for the order gate (as before runs could wait longer)', () => {
    expect(attemptWaits(DELIVERY_TASK_TIMEOUT_MS)).toEqual({ budgetMs: 2_000, gateMs: ORDER_GATE_MS });
  });

  test('at the 30 s task of a run waiting in npm start’s worker: 16 s in all, 14 s for the gate', () => {
    const waits = attemptWaits(ORDERED_TASK_TIMEOUT_MS);
    expect(waits).toEqual({ budgetMs: 16_000, gateMs: 14_000 });
    // The wait, the longest exchange and the 30 % spare fit the task, ahead of the SDK's heartbeat at 80 %.
    expect(waits.budgetMs + MAX_HTTP_TIMEOUT_MS).toBeLessThanOrEqual(0.7 * ORDERED_TASK_TIMEOUT_MS);
  });
});
