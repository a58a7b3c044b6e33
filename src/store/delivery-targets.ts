import { isStoreUnreachable } from './database';
import type { DeliveryTarget, IntegrationStore } from './integrations';

interface DeliveryTargetsOptions {
  /** How long a cached target is trusted before its revision is re-checked (one indexed row read): CREDENTIALS_REVALIDATE_MS. */
  revalidateAfterMs: number;
  now?: () => number;
}

interface Entry {
  target: DeliveryTarget | undefined;
  checkedAt: number;
}

/**
 * Credentials for the hot path, cached by revision: a delivery costs no database round trip while the cache is
 * fresh, and a credential fix (new revision) reaches deliveries that are still retrying within `revalidateAfterMs`,
 * or at once when the process that made the change calls `invalidate`.
 *
 * While the store is out of reach, a target already cached is served as it was (and re-checked again after
 * `revalidateAfterMs`): deliveries to known integrations go on through a database outage, at the cost of a change made
 * meanwhile reaching them only once the store is back. A target never cached fails with the store's error.
 */
export class DeliveryTargets {
  private readonly entries = new Map<string, Entry>();
  private readonly inflight = new Map<string, Promise<DeliveryTarget | undefined>>();
  private readonly revalidateAfterMs: number;
  private readonly now: () => number;

  constructor(
    private readonly store: Pick<IntegrationStore, 'deliveryTarget' | 'revisionMarker'>,
    options: DeliveryTargetsOptions,
  ) {
    this.revalidateAfterMs = options.revalidateAfterMs;
    this.now = options.now ?? Date.now;
  }

  get(integrationId: string): Promise<DeliveryTarget | undefined> {
    const entry = this.entries.get(integrationId);
    if (entry && this.now() - entry.checkedAt < this.revalidateAfterMs) return Promise.resolve(entry.target);
    let pending = this.inflight.get(integrationId);
    if (!pending) {
      pending = this.refresh(integrationId, entry).finally(() => this.inflight.delete(integrationId));
      this.inflight.set(integrationId, pending);
    }
    return pending;
  }

  invalidate(integrationId?: string): void {
    if (integrationId === undefined) this.entries.clear();
    else this.entries.delete(integrationId);
  }

  private async refresh(integrationId: string, entry: Entry | undefined): Promise<DeliveryTarget | undefined> {
    const checkedAt = this.now();
    try {
      return await this.load(integrationId, entry, checkedAt);
    } catch (err) {
      if (!entry?.target || !isStoreUnreachable(err)) throw err;
      this.entries.set(integrationId, { target: entry.target, checkedAt });
      return entry.target;
    }
  }

  private async load(
    integrationId: string,
    entry: Entry | undefined,
    checkedAt: number,
  ): Promise<DeliveryTarget | undefined> {
    if (entry?.target) {
      const marker = await this.store.revisionMarker(integrationId);
      if (
        marker &&
        marker.revisionId === entry.target.revisionId &&
        marker.enabled === entry.target.enabled &&
        marker.deleted === entry.target.deleted
      ) {
        this.entries.set(integrationId, { target: entry.target, checkedAt });
        return entry.target;
      }
    }
    const target = await this.store.deliveryTarget(integrationId);
    this.entries.set(integrationId, { target, checkedAt });
    return target;
  }
}
