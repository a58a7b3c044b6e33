import type { IntegrationStore, IntegrationView } from '../store/integrations';
import { VENDOR_KEY } from '../shared/names';

/**
 * The enabled Customer.io integrations events are routed to, kept in memory: intake costs no database round trip
 * per event. Refreshed every `ttlMs`, and at once when this process changes an integration (`invalidate`).
 */
export class ActiveIntegrations {
  private cached: { at: number; list: IntegrationView[] } | undefined;
  private loading: Promise<IntegrationView[]> | undefined;
  private readonly ttlMs: number;
  private readonly now: () => number;

  constructor(
    private readonly store: Pick<IntegrationStore, 'list'>,
    options: { ttlMs: number; now?: () => number },
  ) {
    this.ttlMs = options.ttlMs;
    this.now = options.now ?? Date.now;
  }

  async current(): Promise<IntegrationView[]> {
    if (this.cached && this.now() - this.cached.at < this.ttlMs) return this.cached.list;
    this.loading ??= this.load().finally(() => (this.loading = undefined));
    return this.loading;
  }

  invalidate(): void {
    this.cached = undefined;
  }

  private async load(): Promise<IntegrationView[]> {
    const at = this.now();
    const list: IntegrationView[] = [];
    for (;;) {
      const last = list[list.length - 1];
      const page = await this.store.list({
        limit: 100,
        enabledOnly: true,
        vendor: VENDOR_KEY,
        after: last && { createdAt: last.created_at, id: last.id },
      });
      list.push(...page);
      if (page.length < 100) break;
    }
    this.cached = { at, list };
    return list;
  }
}
