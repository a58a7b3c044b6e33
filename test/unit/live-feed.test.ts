import { LiveFeed } from '../../src/deliveries/live-feed';
import type { DeliverySummary } from '../../src/deliveries/records';

const row = (n: number, status: string) =>
  ({
    workflow_id: `wf-${n}`,
    run_id: 'r',
    status,
    http_status: null,
    attempts: 0,
    closed_at: null,
  }) as unknown as DeliverySummary;

/** The Live Events feed reads every page of a poll's changes, up to its bound. */
describe('the live feed', () => {
  test('a change beyond the first page (a busy namespace) still reaches the viewers', async () => {
    const pages: Record<string, { data: DeliverySummary[]; next_cursor: string | null }> = {
      first: { data: [row(1, 'pending'), row(2, 'pending')], next_cursor: 'c2' },
      c2: { data: [row(3, 'delivered')], next_cursor: null },
    };
    const asked: (string | undefined)[] = [];
    const feed = new LiveFeed(
      {
        async list(_filter, page) {
          asked.push(page.cursor);
          return { ...pages[page.cursor ?? 'first']!, has_more: pages[page.cursor ?? 'first']!.next_cursor !== null };
        },
      },
      { pageSize: 2 },
    );
    const seen = await new Promise<DeliverySummary[]>((resolve) => {
      const stop = feed.subscribe((rows) => {
        stop();
        resolve(rows);
      });
    });
    expect(asked).toEqual([undefined, 'c2']);
    expect(seen.map((r) => `${r.workflow_id} ${r.status}`)).toEqual(['wf-1 pending', 'wf-2 pending', 'wf-3 delivered']);
  });

  test('a poll reads at most maxPages pages', async () => {
    let calls = 0;
    const feed = new LiveFeed(
      {
        async list() {
          calls++;
          return { data: [row(calls, 'pending')], next_cursor: `c${calls}`, has_more: true };
        },
      },
      { pageSize: 1, maxPages: 3 },
    );
    const seen = await new Promise<DeliverySummary[]>((resolve) => {
      const stop = feed.subscribe((rows) => {
        stop();
        resolve(rows);
      });
    });
    expect(calls).toBe(3);
    expect(seen).toHaveLength(3);
  });
});
