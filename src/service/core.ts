import { type Config, requireSetting } from '../config';
import { createTrackTransport, type TrackTransport } from '../customerio/http/transport';
import { trackBaseUrls, type TrackBaseUrls } from '../customerio/regions';
import { type DatabaseHandle, migrateToLatest, openDatabase } from '../store/database';
import { CircuitStore } from '../store/circuits';
import { DeliveryTargets } from '../store/delivery-targets';
import { IntegrationStore } from '../store/integrations';
import { SecretBox } from '../store/secret-box';

/** The long-lived pieces every process shares: the store, one HTTP pool to Customer.io, the credentials cache. */
export interface Core {
  database: DatabaseHandle;
  store: IntegrationStore;
  transport: TrackTransport;
  baseUrls: TrackBaseUrls;
  targets: DeliveryTargets;
  /** The workers' circuits per integration, as reported for the API. */
  circuits: CircuitStore;
  close(): Promise<void>;
}

export async function openCore(config: Config): Promise<Core> {
  const database = openDatabase(config.DATABASE_URL);
  await migrateToLatest(database);
  const store = new IntegrationStore(database.db, SecretBox.fromKey(requireSetting(config, 'ENCRYPTION_KEY')));
  const transport = createTrackTransport({ timeoutMs: config.CUSTOMERIO_HTTP_TIMEOUT_MS });
  return {
    database,
    store,
    transport,
    baseUrls: trackBaseUrls({ us: config.CUSTOMERIO_TRACK_URL_US, eu: config.CUSTOMERIO_TRACK_URL_EU }),
    targets: new DeliveryTargets(store, { revalidateAfterMs: config.CREDENTIALS_REVALIDATE_MS }),
    circuits: new CircuitStore(database.db),
    async close() {
      await transport.close();
      await database.close();
    },
  };
}
