import type { IntegrationStore } from '../store/integrations';
import type { DeliveryActivities } from './contract';

/** For parked deliveries: the integration's current credentials revision, straight from the store (no cache). */
export function createCredentialsState(
  store: Pick<IntegrationStore, 'revisionMarker'>,
): DeliveryActivities['credentialsState'] {
  return async function credentialsState(integrationId) {
    const marker = await store.revisionMarker(integrationId);
    if (!marker) return { revisionNumber: 0, usable: false };
    return { revisionNumber: marker.revisionNumber, usable: marker.enabled && !marker.deleted };
  };
}
