import type { InjectedSinks } from '@temporalio/worker';
import { deliveryMetrics, eventTypeLabel } from '../observability/delivery-metrics';
import type { DeliveryMetricsSinks } from '../workflows/metrics-sink';

/**
 * The worker's side of the workflow's metrics sink. `callDuringReplay: false`: a history replayed after a cache
 * eviction or on another worker re-runs the workflow code, and must not count its outcomes a second time.
 */
export const deliveryMetricsSinks: InjectedSinks<DeliveryMetricsSinks> = {
  deliveryMetrics: {
    finished: {
      fn: (_info, integrationId, eventType, status) =>
        deliveryMetrics.deliveriesFinished.inc({
          integration_id: integrationId,
          event_type: eventTypeLabel(eventType),
          status,
        }),
      callDuringReplay: false,
    },
    late: {
      fn: (_info, integrationId) => deliveryMetrics.late.inc({ integration_id: integrationId }),
      callDuringReplay: false,
    },
    parked: {
      fn: (_info, integrationId) => deliveryMetrics.parks.inc({ integration_id: integrationId }),
      callDuringReplay: false,
    },
    unparked: {
      fn: (_info, integrationId, reason) => deliveryMetrics.unparks.inc({ integration_id: integrationId, reason }),
      callDuringReplay: false,
    },
    orderWaited: {
      fn: (_info, integrationId, barrier) =>
        deliveryMetrics.orderWaits.inc({ integration_id: integrationId, barrier: String(barrier) }),
      callDuringReplay: false,
    },
    orderOvertook: {
      fn: (_info, integrationId) => deliveryMetrics.orderOvertakes.inc({ integration_id: integrationId }),
      callDuringReplay: false,
    },
    orderWaitEnded: {
      fn: (_info, integrationId, waitedMs) =>
        deliveryMetrics.orderWaitSeconds.observe({ integration_id: integrationId }, waitedMs / 1000),
      callDuringReplay: false,
    },
  },
};
