import { isStoreUnreachable } from '../store/database';
import type { IntegrationStore } from '../store/integrations';
import type { DeliveryActivities } from './contract';

/**
 * For parked deliveries: the integration's current credentials revision, straight from the store (no cache). With the
 * store out of reach the answer is "nothing new": the delivery stays parked until the next check or a signal, where a
 * failed activity would fail the delivery itself.
 */
export function createCredentialsState(
  store: Pick<IntegrationStore, 'revisionMarker'>,
): DeliveryActivities['credentialsState'] {
  return async function credentialsState(integrationId) {
    const marker = await store.revisionMarker(integrationId).catch((err: unknown) => {
      if (!isStoreUnreachable(err)) throw err;
      return 'unreachable' as const;
    });
    if (marker === 'unreachable') return { revisionNumber: 0, usable: true, storeUnreachable: true };
    if (!marker) return { revisionNumber: 0, usable: false };
    return { revisionNumber: marker.revisionNumber, usable: marker.enabled && !marker.deleted };
  };
}
