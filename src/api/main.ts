import { loadConfig } from '../config';
import { createLogger } from '../logger';
import { openCore } from '../service/core';
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
  return { stop: [api.stop, () => client.connection.close(), () => core.close()] };
});
