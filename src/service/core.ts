import { setTimeout as delay } from 'node:timers/promises';
import { type Config, requireSetting } from '../config';
import { createTrackTransport, type TrackTransport } from '../customerio/http/transport';
import { trackBaseUrls, type TrackBaseUrls } from '../customerio/regions';
import type { Logger } from '../logger';
import { CircuitStore } from '../store/circuits';
import { type DatabaseHandle, isStoreUnreachable, migrateToLatest, openDatabase } from '../store/database';
import { DeliveryTargets } from '../store/delivery-targets';
import { IntegrationStore } from '../store/integrations';
import { OrderBook } from '../store/order-book';
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
  /** Each person's deliveries in handover order (issue 16): the intake places them, the runs wait and finish here. */
  orderBook: OrderBook;
  /**
   * Settles once the store's schema is up to date (or the core was closed while waiting); until then nothing may use
   * the store. Rejects only for a migration that fails with the database reachable: a bug, not an outage.
   */
  schemaReady: Promise<void>;
  isSchemaReady(): boolean;
  close(): Promise<void>;
}

interface CoreOptions {
  logger?: Logger;
  /** First wait before the migration is tried again while the database is out of reach; it doubles up to 30 s. */
  migrationRetryMs?: number;
}

const MIGRATION_RETRY_MAX_MS = 30_000;

/** The core, once its schema is up to date; while the database is out of reach it waits (and logs), never exits. */
export async function openCore(config: Config, options: CoreOptions = {}): Promise<Core> {
  const core = startCore(config, options);
  await core.schemaReady;
  return core;
}

/**
 * The core at once, its schema brought up to date in the background (`schemaReady`): the API serves /healthz and
 * /readyz, and answers 503 elsewhere, while PostgreSQL is not there yet.
 */
export function startCore(config: Config, options: CoreOptions = {}): Core {
  const { logger } = options;
  const database = openDatabase(config.DATABASE_URL, {
    onConnectionLost: (err) =>
      logger?.warn({ err: err.message }, 'a database connection was lost; the next query opens a new one'),
  });
  const store = new IntegrationStore(database.db, SecretBox.fromKey(requireSetting(config, 'ENCRYPTION_KEY')));
  const transport = createTrackTransport({ timeoutMs: config.CUSTOMERIO_HTTP_TIMEOUT_MS });
  const closing = new AbortController();
  let migrated = false;
  const schemaReady = migrateWhenReachable(database, closing.signal, options).then(() => {
    migrated = !closing.signal.aborted;
  });
  // Whoever awaits it sees a failure; a process that closes while still migrating does not need to.
  schemaReady.catch(() => undefined);
  return {
    database,
    store,
    transport,
    baseUrls: trackBaseUrls({ us: config.CUSTOMERIO_TRACK_URL_US, eu: config.CUSTOMERIO_TRACK_URL_EU }),
    targets: new DeliveryTargets(store, { revalidateAfterMs: config.CREDENTIALS_REVALIDATE_MS }),
    circuits: new CircuitStore(database.db),
    orderBook: new OrderBook(database.db),
    schemaReady,
    isSchemaReady: () => migrated,
    async close() {
      closing.abort();
      await transport.close();
      await database.close();
    },
  };
}

/** Migrates, trying again with backoff for as long as the database is out of reach. */
async function migrateWhenReachable(
  database: DatabaseHandle,
  closing: AbortSignal,
  { logger, migrationRetryMs = 1_000 }: CoreOptions,
): Promise<void> {
  for (let attempt = 1, waitMs = migrationRetryMs; ; attempt++, waitMs = Math.min(waitMs * 2, MIGRATION_RETRY_MAX_MS)) {
    try {
      await migrateToLatest(database);
      if (attempt > 1) logger?.info({ attempt }, 'database reachable: schema up to date');
      return;
    } catch (err) {
      if (closing.aborted) return; // stopped while waiting: nothing to report
      if (!isStoreUnreachable(err)) throw err;
      logger?.warn(
        { err: (err as Error).message, attempt, retryInMs: waitMs },
        'database out of reach at start; trying the migration again',
      );
    }
    await delay(waitMs, undefined, { signal: closing }).catch(() => undefined);
    if (closing.aborted) return;
  }
}
