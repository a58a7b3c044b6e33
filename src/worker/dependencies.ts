import { createActivities, type DeliveryActivities } from '../activities';
import type { Config } from '../config';
import { trackBaseUrls } from '../customerio/regions';
import { createTrackTransport, type TrackTransport } from '../customerio/transport';
import { DeliveryTargets } from '../store/delivery-targets';
import type { IntegrationStore } from '../store/integrations';

export interface DeliveryDependencies {
  activities: DeliveryActivities;
  targets: DeliveryTargets;
  transport: TrackTransport;
}

/** The delivery hot path's long-lived pieces: one HTTP pool and one credentials cache per process. */
export function createDeliveryDependencies(config: Config, store: IntegrationStore): DeliveryDependencies {
  const targets = new DeliveryTargets(store, { revalidateAfterMs: config.CREDENTIALS_REVALIDATE_MS });
  const transport = createTrackTransport({ timeoutMs: config.CUSTOMERIO_HTTP_TIMEOUT_MS });
  const baseUrls = trackBaseUrls({ us: config.CUSTOMERIO_TRACK_URL_US, eu: config.CUSTOMERIO_TRACK_URL_EU });
  return { activities: createActivities({ targets, transport, baseUrls }), targets, transport };
}
