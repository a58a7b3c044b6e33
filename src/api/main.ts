import { loadConfig } from '../config';
import { createLogger } from '../logger';
import { openCore } from '../service/core';
import { startConfiguredMetricsServer } from '../observability/metrics-server';
import { runMain } from '../service/process';
import { connectClient } from '../temporal/connect';
import { startApi } from './build';

/** `npm run api`: the management API and event intake alone, against TEMPORAL_ADDRESS. */
runMain(async () => {
  const config = loadConfig();
  const logger = createLogger(config.LOG_LEVEL);
  const core = await openCore(config);
  const client = await connectClient({ address: config.TEMPORAL_ADDRESS, namespace: config.TEMPORAL_NAMESPACE });
  const api = await startApi(core, { config, logger, client });
  // The API serves /metrics itself; METRICS_PORT adds a private port for a scraper that must not reach the API's.
  const metrics = await startConfiguredMetricsServer(config);
  return { stop: [api.stop, () => metrics?.close(), () => client.connection.close(), () => core.close()] };
});
