import { LiveFeed } from '../../src/deliveries/live-feed';
import type { DeliveryFilter } from '../../src/deliveries/query';
import type { DeliverySummary } from '../../src/deliveries/records';
import { eventually } from '../support/eventually';

const NOW = Date.parse('2026-12-07T12:00:00Z');
const iso = (msAgo: number) => new Date(NOW - msAgo).toISOString();

const row = (n: number, status: string, startedMsAgo = 1_000, closedMsAgo?: number) =>
  ({
    workflow_id: `wf-${n}`,
    run_id: 'r',
    status,
    http_status: null,
    attempts: 0,
    started_at: iso(startedMsAgo),
    closed_at: closedMsAgo === undefined ? null : iso(closedMsAgo),
  }) as unknown as DeliverySummary;

/**
 * Temporal visibility as the feed uses it: the filters it sends, running runs listed first and then newest first (as
 * the dev server and PostgreSQL visibility order them), pages of `limit` behind a cursor.
 */
function visibility(rows: DeliverySummary[]) {
  const asked: { filter: DeliveryFilter; cursor: string | undefined }[] = [];
  const matches = (r: DeliverySummary, f: DeliveryFilter) =>
    (f.closedSince === undefined || (r.closed_at !== null && r.closed_at >= f.closedSince)) &&
    (f.running === undefined || (r.closed_at === null) === f.running) &&
    (f.since === undefined || r.started_at >= f.since);
  const listed = [...rows].sort(
    (a, b) => Number(b.closed_at === null) - Number(a.closed_at === null) || b.started_at.localeCompare(a.started_at),
  );
  return {
    asked,
    async list(filter: DeliveryFilter, page: { limit: number; cursor?: string }) {
      asked.push({ filter, cursor: page.cursor });
      const all = listed.filter((r) => matches(r, filter));
      const from = Number(page.cursor ?? 0);
      const next = from + page.limit < all.length ? String(from + page.limit) : null;
      return { data: all.slice(from, from + page.limit), next_cursor: next, has_more: next !== null };
    },
  };
}

const firstChanges = (feed: LiveFeed) =>
  new Promise<DeliverySummary[]>((resolve) => {
    const stop = feed.subscribe((rows) => {
      stop();
      resolve(rows);
    });
  });

describe('the live feed', () => {
  test('a close beyond the first page (a busy second) still reaches the viewers', async () => {
    const store = visibility([
      row(1, 'delivered', 900, 100),
      row(2, 'delivered', 800, 200),
      row(3, 'failed', 700, 300),
    ]);
    const feed = new LiveFeed(store, { pageSize: 2, now: () => NOW });
    const seen = await firstChanges(feed);
    expect(store.asked.filter((a) => a.filter.closedSince).map((a) => a.cursor)).toEqual([undefined, '2']);
    expect(seen.map((r) => `${r.workflow_id} ${r.status}`).sort()).toEqual([
      'wf-1 delivered',
      'wf-2 delivered',
      'wf-3 failed',
    ]);
  });

  test('a close shows in a namespace with more running runs than a poll reads (an outage: thousands retrying)', async () => {
    const running = Array.from({ length: 1_200 }, (_, i) => row(100 + i, 'retrying', 500 + i * 10));
    const store = visibility([...running, row(1, 'delivered', 2_000, 50)]);
    const feed = new LiveFeed(store, { now: () => NOW });
    const seen = await firstChanges(feed);
    expect(seen.find((r) => r.workflow_id === 'wf-1')?.status).toBe('delivered');
    // The running ones fill the pages the close left: 4 of 200, the newest first.
    expect(seen).toHaveLength(1 + 800);
    expect(store.asked).toHaveLength(5);
  });

  test('closes are read since the last poll (with an overlap), running runs since the recent window', async () => {
    const store = visibility([row(1, 'retrying', 1_000)]);
    let polls = 0;
    // Each poll reads the clock once, at its start: the second one starts 2 s after the first.
    const feed = new LiveFeed(store, { now: () => NOW + 2_000 * polls++, recentMs: 120_000, pollMs: 1 });
    const stop = feed.subscribe(() => undefined);
    await eventually(async () => (store.asked.length >= 4 ? true : undefined), 'two polls', 5_000, 5);
    stop();
    expect(store.asked.slice(0, 4).map((a) => a.filter)).toEqual([
      // The first poll: the whole recent window, and 3 s before it.
      { closedSince: iso(123_000) },
      { running: true, since: iso(123_000) },
      // The next: closes since 3 s before the previous poll began; running runs of the recent window.
      { closedSince: iso(3_000) },
      { running: true, since: iso(118_000) },
    ]);
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
    const seen = await firstChanges(feed);
    expect(calls).toBe(3);
    expect(seen).toHaveLength(3);
  });
});
