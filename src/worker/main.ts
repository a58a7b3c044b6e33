import { NativeConnection } from '@temporalio/worker';
import { ConfigError, loadConfig } from '../config';
import { deliveryActivities, openCore } from '../core';
import { createLogger } from '../logger';
import { installTemporalRuntime } from '../temporal/runtime-logger';
import { ensureSearchAttributes } from '../temporal/search-attributes';
import { createDeliveryWorker, workerOptionsFromConfig } from './create-worker';

/** `npm run worker`: the delivery worker alone, against TEMPORAL_ADDRESS. Stops cleanly on SIGINT/SIGTERM. */
async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.LOG_LEVEL);
  installTemporalRuntime(logger);
  const core = await openCore(config);
  const connection = await NativeConnection.connect({ address: config.TEMPORAL_ADDRESS });
  await ensureSearchAttributes(connection, config.TEMPORAL_NAMESPACE);
  const worker = await createDeliveryWorker({ connection, activities: deliveryActivities(core), ...workerOptionsFromConfig(config) });
  logger.info({ taskQueue: config.TEMPORAL_TASK_QUEUE, temporal: config.TEMPORAL_ADDRESS }, 'delivery worker running');
  try {
    await worker.run(); // resolves after SIGINT/SIGTERM once in-flight attempts finish
  } finally {
    await connection.close();
    await core.close();
    logger.info('delivery worker stopped');
  }
}

main().catch((err) => {
  process.stderr.write(`${err instanceof ConfigError ? err.message : (err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
