import { condition, proxyActivities, setHandler } from '@temporalio/workflow';
import type { DeliveryActivities } from '../activities/contract';
import { CREDENTIALS_RECHECK_MS } from '../shared/retry-policy';
import { credentialsUpdated } from './signals';

const { credentialsState } = proxyActivities<DeliveryActivities>({
  startToCloseTimeout: '1 minute',
  retry: { maximumAttempts: 1 },
});

/**
 * What a delivery knows about its integration's credentials revisions: the newest one it was told of (signal) or found
 * (asked). A delivery refused with 401/403 parks here until a revision newer than the one it used exists.
 */
export class CredentialRevisions {
  private newest = 0;

  constructor(private readonly integrationId: string) {
    setHandler(credentialsUpdated, (revision) => {
      this.newest = Math.max(this.newest, revision);
    });
  }

  /** Parks until a newer revision than `usedRevision` exists, or the integration is unusable; false once `waitMs` ran out. */
  async awaitNewerThan(usedRevision: number, waitMs: number): Promise<boolean> {
    const until = Date.now() + waitMs;
    for (;;) {
      // Ask before waiting: a fix saved between the refused attempt and now had nobody parked to signal. Asking
      // again every CREDENTIALS_RECHECK_MS covers a signal lost any other way.
      const state = await credentialsState(this.integrationId);
      if (!state.usable) return true; // disabled or deleted: the next attempt ends the delivery as filtered
      this.newest = Math.max(this.newest, state.revisionNumber);
      if (this.newest > usedRevision) return true;
      const remaining = until - Date.now();
      if (remaining <= 0) return false;
      if (await condition(() => this.newest > usedRevision, Math.min(remaining, CREDENTIALS_RECHECK_MS))) return true;
    }
  }
}
