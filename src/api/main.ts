import { loadConfig } from '../config';
import { createLogger } from '../logger';
import { startCore } from '../service/core';
import { startConfiguredMetricsServer } from '../observability/metrics-server';
import { runMain } from '../service/process';
import { connectClient } from '../temporal/connect';
import { startApi } from './build';

/** `npm run api`: the management API and event intake alone, against TEMPORAL_ADDRESS. */
runMain(async () => {
  const config = loadConfig();
  const logger = createLogger(config.LOG_LEVEL);
  // Listening before the store's schema is up to date: while PostgreSQL is out of reach at start, /healthz answers,
  // /readyz says the database is down and the rest answers 503 STORE_UNAVAILABLE, instead of a refused connection.
  const core = startCore(config, { logger });
  const client = await connectClient({ address: config.TEMPORAL_ADDRESS, namespace: config.TEMPORAL_NAMESPACE });
  const api = await startApi(core, { config, logger, client });
  // The API serves /metrics itself; METRICS_PORT adds a private port for a scraper that must not reach the API's.
  const metrics = await startConfiguredMetricsServer(config);
  return {
    // A migration that fails with the database there is a bug the process cannot serve around: it exits.
    running: core.schemaReady.then(() => new Promise<never>(() => undefined)),
    stop: [api.stop, () => metrics?.close(), () => client.connection.close(), () => core.close()],
  };
});
