import type { Logger } from '../logger';
import type { DeliveryService } from './service';

interface CredentialsWatchOptions {
  deliveries: Pick<DeliveryService, 'resumeParked' | 'stopParked'>;
  logger: Pick<Logger, 'info' | 'warn'>;
  /** Visibility is eventually consistent: the second sweep finds deliveries parked a moment before the first. */
  sweepDelayMs?: number;
}

interface SweepLog {
  context: { integrationId: string; revisionNumber?: number };
  done: string;
  failed: string;
}

/**
 * The rules for an integration's deliveries waiting for credentials: a new credentials revision wakes them to retry
 * with it, and disabling or deleting the integration wakes them to end as `filtered` (as any delivery to it does).
 * Each is signalled at once, and a second sweep a few seconds later catches deliveries that parked while visibility
 * lagged. A delivery's own hourly re-check is the last resort.
 */
export class CredentialsWatch {
  private readonly sweepDelayMs: number;

  constructor(private readonly options: CredentialsWatchOptions) {
    this.sweepDelayMs = options.sweepDelayMs ?? 3_000;
  }

  revised(integrationId: string, revisionNumber: number): Promise<void> {
    return this.sweep(() => this.options.deliveries.resumeParked(integrationId, revisionNumber), {
      context: { integrationId, revisionNumber },
      done: 'resumed deliveries waiting for credentials',
      failed: 'could not resume deliveries waiting for credentials',
    });
  }

  /** The integration was disabled or deleted. */
  unusable(integrationId: string): Promise<void> {
    return this.sweep(() => this.options.deliveries.stopParked(integrationId), {
      context: { integrationId },
      done: 'told deliveries waiting for credentials that their integration is disabled or deleted',
      failed: 'could not tell deliveries waiting for credentials that their integration is disabled or deleted',
    });
  }

  private async sweep(signal: () => Promise<number>, log: SweepLog): Promise<void> {
    await this.signal(signal, log);
    setTimeout(() => void this.signal(signal, log), this.sweepDelayMs).unref();
  }

  private async signal(signal: () => Promise<number>, log: SweepLog): Promise<void> {
    try {
      const count = await signal();
      if (count > 0) this.options.logger.info({ ...log.context, count }, log.done);
    } catch (err) {
      this.options.logger.warn({ integrationId: log.context.integrationId, err: (err as Error).message }, log.failed);
    }
  }
}
