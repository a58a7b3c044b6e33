import type { Logger } from '../logger';
import type { DeliveryFilter } from './query';
import type { DeliverySummary } from './records';
import type { DeliveryService } from './service';

interface LiveFeedOptions {
  /** One visibility query per interval, shared by every viewer; Temporal allows about 10 per second per namespace. */
  pollMs?: number;
  /** Running deliveries started this recently are re-read each poll, so their early status changes show. */
  recentMs?: number;
  pageSize?: number;
  /**
   * Pages one poll may read: up to all but one for the runs that closed since the last poll (more than a page of them
   * in a busy second), the rest (at least one) for the running ones.
   */
  maxPages?: number;
  logger?: Logger;
  now?: () => number;
}

type Listener = (rows: DeliverySummary[]) => void;

/**
 * Deliveries as they change, for the Live Events view: polls Temporal visibility (never the histories) only while
 * someone is watching, and tells listeners about each run whose status, HTTP status, attempts, error or late mark moved.
 */
export class LiveFeed {
  private readonly listeners = new Set<Listener>();
  private readonly seen = new Map<string, { signature: string; at: number }>();
  private timer: NodeJS.Timeout | undefined;
  private lastPollStart: number | undefined;
  private delayMs: number;
  private readonly pollMs: number;
  private readonly recentMs: number;
  private readonly now: () => number;

  constructor(
    private readonly deliveries: Pick<DeliveryService, 'list'>,
    private readonly options: LiveFeedOptions = {},
  ) {
    this.pollMs = options.pollMs ?? 1_000;
    this.recentMs = options.recentMs ?? 120_000;
    this.delayMs = this.pollMs;
    this.now = options.now ?? Date.now;
  }

  /** How many listeners are subscribed (each open live stream is one). */
  get watchers(): number {
    return this.listeners.size;
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    if (this.listeners.size === 1) this.schedule(0);
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0) this.stop();
    };
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.lastPollStart = undefined;
  }

  private schedule(ms: number): void {
    if (this.timer || this.listeners.size === 0) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.poll().finally(() => this.schedule(this.delayMs));
    }, ms);
    this.timer.unref();
  }

  private async poll(): Promise<void> {
    const started = this.now();
    // Overlap the previous window: visibility is eventually consistent, and duplicates are filtered below.
    const sinceMs = (this.lastPollStart ?? started - this.recentMs) - 3_000;
    const since = new Date(sinceMs).toISOString();
    const maxPages = this.options.maxPages ?? 5;
    try {
      // Closes first, in their own query: visibility lists running runs first, so in one query a busy namespace's
      // running runs (an outage: thousands retrying) filled the pages and a close, a run's last change, never showed.
      const closed = await this.read({ closedSince: since }, Math.max(1, maxPages - 1));
      // Running runs started recently (new ones among them), re-read each poll so their early changes show; in the
      // pages the closes left.
      const running = await this.read(
        { running: true, since: new Date(Math.min(sinceMs, started - this.recentMs)).toISOString() },
        Math.max(1, maxPages - closed.pages),
      );
      const data = [...closed.data, ...running.data];
      this.lastPollStart = started;
      this.delayMs = this.pollMs;
      const changed = data.filter((row) => this.changed(row, started));
      this.forget(started);
      if (changed.length > 0) for (const listener of this.listeners) listener(changed);
    } catch (err) {
      // Rate limited or unreachable: back off rather than hammer the visibility store.
      this.delayMs = Math.min(this.delayMs * 2, 30_000);
      this.options.logger?.warn({ err: (err as Error).message, nextPollMs: this.delayMs }, 'live events poll failed');
    }
  }

  /** Up to `maxPages` pages of deliveries matching `filter`, and how many pages that took. */
  private async read(filter: DeliveryFilter, maxPages: number): Promise<{ data: DeliverySummary[]; pages: number }> {
    const data: DeliverySummary[] = [];
    let cursor: string | undefined;
    let pages = 0;
    while (pages < maxPages) {
      pages++;
      const page = await this.deliveries.list(filter, {
        limit: this.options.pageSize ?? 200,
        ...(cursor ? { cursor } : {}),
      });
      data.push(...page.data);
      if (!page.next_cursor) break;
      cursor = page.next_cursor;
    }
    return { data, pages };
  }

  private changed(row: DeliverySummary, at: number): boolean {
    const signature = [
      row.status,
      row.http_status,
      row.attempts,
      row.closed_at,
      row.last_error?.message,
      row.late?.age_hours,
    ].join('|');
    const key = `${row.workflow_id}/${row.run_id}`;
    const before = this.seen.get(key);
    this.seen.set(key, { signature, at });
    return before?.signature !== signature;
  }

  private forget(now: number): void {
    for (const [key, entry] of this.seen) if (now - entry.at > this.recentMs * 2) this.seen.delete(key);
  }
}
