import { proxySinks, type Sinks } from '@temporalio/workflow';

/** How a delivery ended, as the worker's metrics count it. */
export type FinishedStatus = 'delivered' | 'failed' | 'filtered' | 'cancelled';

/**
 * Delivery outcomes the workflow reports to its worker's metrics (src/worker/metrics-sinks.ts). A sink call is no
 * command and leaves no trace in the history, so the workflow stays deterministic; the worker skips the calls while
 * it replays a history, so a delivery is counted once however often its history is replayed.
 */
export interface DeliveryMetricsSinks extends Sinks {
  deliveryMetrics: {
    finished(integrationId: string, eventType: string, status: FinishedStatus): void;
    parked(integrationId: string): void;
    unparked(integrationId: string, reason: 'new_credentials' | 'expired'): void;
    /** An ordered delivery began to wait for an earlier one of its person (barrier: it is a deletion or suppression). */
    orderWaited(integrationId: string, barrier: boolean): void;
    /** An ordered delivery went ahead of an earlier one after order_wait_minutes. */
    orderOvertook(integrationId: string): void;
    /** A delivery landed after Customer.io's 72-hour campaign window for its event (it starts no campaign). */
    late(integrationId: string): void;
    /** An ordered delivery that waited ended; how long it waited in all. */
    orderWaitEnded(integrationId: string, waitedMs: number): void;
  };
}

export const metricsSink = proxySinks<DeliveryMetricsSinks>().deliveryMetrics;
