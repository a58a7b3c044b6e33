import type { RecordedRequest } from './fake-customerio';
import type { httpClient } from './http';
import { judgeRun } from './order-judge';

/**
 * What Customer.io heard of issue 16's run tagged `tag`: adversarial (a fair share of 500s), complete (all `events`,
 * the deletions included, answered 2xx), and in order (no inversion among a person's 2xx-answered requests, no deletion
 * undone).
 */
export function expectRunInOrder(requests: RecordedRequest[], tag: string, events: number): void {
  const verdict = judgeRun(requests, tag);
  expect(verdict.failed / verdict.requests).toBeGreaterThan(0.15);
  expect(verdict).toEqual({
    requests: verdict.requests,
    failed: verdict.failed,
    eventsSeen: events,
    peopleWithInversion: 0,
    deletionsUndone: 0,
    inverted: [],
    undone: [],
  });
}

/**
 * Hands `requests` over through `POST /v1/batch`, one after the other, each answered 202 with every event accepted:
 * the deliveries' workflow ids, in handover order, all distinct.
 */
export async function handOverBatches(
  call: ReturnType<typeof httpClient>,
  pipelineKey: string,
  requests: Record<string, unknown>[][],
): Promise<string[]> {
  const workflowIds: string[] = [];
  for (const batch of requests) {
    const res = await call('POST', '/v1/batch', { token: pipelineKey, body: { batch } });
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ accepted: batch.length, duplicates: 0 });
    workflowIds.push(...res.body.deliveries.map((d: { workflow_id: string }) => d.workflow_id));
  }
  expect(new Set(workflowIds).size).toBe(requests.flat().length);
  return workflowIds;
}
