import { condition, patched, proxyActivities, setHandler } from '@temporalio/workflow';
import type { DeliveryActivities } from '../activities/contract';
import { RECHECK_ON_INTEGRATION_CHANGE_PATCH } from '../shared/names';
import { CREDENTIALS_RECHECK_MS } from '../shared/retry-policy';
import { credentialsUpdated, integrationChanged } from './signals';

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
  /** The integration was disabled or deleted since the last time its state was asked for. */
  private changed = false;

  constructor(private readonly integrationId: string) {
    setHandler(credentialsUpdated, (revision) => {
      this.newest = Math.max(this.newest, revision);
    });
    setHandler(integrationChanged, () => {
      // A run that got this signal from a worker without this handler ignored it: its history replays as it ran.
      if (patched(RECHECK_ON_INTEGRATION_CHANGE_PATCH)) this.changed = true;
    });
  }

  /**
   * Parks until a newer revision than `usedRevision` exists, or the integration is unusable (disabled or deleted, found
   * at once when signalled); false once `waitMs` ran out.
   */
  async awaitNewerThan(usedRevision: number, waitMs: number): Promise<boolean> {
    const until = Date.now() + waitMs;
    for (;;) {
      // Ask before waiting: a fix saved between the refused attempt and now had nobody parked to signal. Asking
      // again every CREDENTIALS_RECHECK_MS covers a signal lost any other way.
      this.changed = false;
      const state = await credentialsState(this.integrationId);
      if (!state.usable) return true; // disabled or deleted: the next attempt ends the delivery as filtered
      this.newest = Math.max(this.newest, state.revisionNumber);
      if (this.newest > usedRevision) return true;
      const remaining = until - Date.now();
      if (remaining <= 0) return false;
      const nextCheckMs = Math.min(remaining, CREDENTIALS_RECHECK_MS);
      // Woken by a change of the integration instead of a new revision: ask for its state again at once.
      const woken = await condition(() => this.newest > usedRevision || this.changed, nextCheckMs);
      if (woken && this.newest > usedRevision) return true;
    }
  }
}
