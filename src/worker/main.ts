import { NativeConnection } from '@temporalio/worker';
import { ConfigError, loadConfig, requireSetting } from '../config';
import { createLogger } from '../logger';
import { migrateToLatest, openDatabase } from '../store/database';
import { IntegrationStore } from '../store/integrations';
import { SecretBox } from '../store/secret-box';
import { installTemporalRuntime } from '../temporal/runtime-logger';
import { ensureSearchAttributes } from '../temporal/search-attributes';
import { createDeliveryWorker } from './create-worker';
import { createDeliveryDependencies } from './dependencies';

/** `npm run worker`: the delivery worker alone, against TEMPORAL_ADDRESS. Stops cleanly on SIGINT/SIGTERM. */
async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.LOG_LEVEL);
  installTemporalRuntime(logger);
  const database = openDatabase(config.DATABASE_URL);
  await migrateToLatest(database.db);
  const store = new IntegrationStore(database.db, SecretBox.fromKey(requireSetting(config, 'ENCRYPTION_KEY')));
  const deps = createDeliveryDependencies(config, store);
  const connection = await NativeConnection.connect({ address: config.TEMPORAL_ADDRESS });
  await ensureSearchAttributes(connection, config.TEMPORAL_NAMESPACE);
  const worker = await createDeliveryWorker({
    connection,
    namespace: config.TEMPORAL_NAMESPACE,
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    activities: deps.activities,
    maxConcurrentActivityTaskExecutions: config.WORKER_MAX_CONCURRENT_ACTIVITIES,
    maxConcurrentWorkflowTaskExecutions: config.WORKER_MAX_CONCURRENT_WORKFLOW_TASKS,
    maxTaskQueueActivitiesPerSecond: config.DELIVERY_RATE_LIMIT_PER_SECOND,
  });
  logger.info({ taskQueue: config.TEMPORAL_TASK_QUEUE, temporal: config.TEMPORAL_ADDRESS }, 'delivery worker running');
  try {
    await worker.run(); // resolves after SIGINT/SIGTERM once in-flight attempts finish
  } finally {
    await deps.transport.close();
    await connection.close();
    await database.close();
    logger.info('delivery worker stopped');
  }
}

main().catch((err) => {
  process.stderr.write(`${err instanceof ConfigError ? err.message : (err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
