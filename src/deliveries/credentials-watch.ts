import type { Logger } from '../logger';
import type { DeliveryService } from './service';

interface CredentialsWatchOptions {
  deliveries: Pick<DeliveryService, 'resumeParked'>;
  logger: Pick<Logger, 'info' | 'warn'>;
  /** Visibility is eventually consistent: the second sweep finds deliveries parked a moment before the first. */
  sweepDelayMs?: number;
}

/**
 * The rule that a new credentials revision wakes the integration's deliveries waiting for credentials: each is
 * signalled at once, and a second sweep a few seconds later catches deliveries that parked while visibility lagged.
 * A delivery's own hourly re-check is the last resort.
 */
export class CredentialsWatch {
  private readonly sweepDelayMs: number;

  constructor(private readonly options: CredentialsWatchOptions) {
    this.sweepDelayMs = options.sweepDelayMs ?? 3_000;
  }

  async revised(integrationId: string, revisionNumber: number): Promise<void> {
    await this.wake(integrationId, revisionNumber);
    setTimeout(() => void this.wake(integrationId, revisionNumber), this.sweepDelayMs).unref();
  }

  private async wake(integrationId: string, revisionNumber: number): Promise<void> {
    try {
      const count = await this.options.deliveries.resumeParked(integrationId, revisionNumber);
      if (count > 0)
        this.options.logger.info(
          { integrationId, revisionNumber, count },
          'resumed deliveries waiting for credentials',
        );
    } catch (err) {
      this.options.logger.warn(
        { integrationId, err: (err as Error).message },
        'could not resume deliveries waiting for credentials',
      );
    }
  }
}
