import { NativeConnection } from '@temporalio/worker';
import { loadConfig } from '../config';
import { createLogger } from '../logger';
import { openCore } from '../service/core';
import { runMain } from '../service/process';
import { installTemporalRuntime } from '../temporal/runtime-logger';
import { startWorker } from './create-worker';

/** `npm run worker`: the delivery worker alone, against TEMPORAL_ADDRESS. SIGINT/SIGTERM let in-flight attempts finish. */
runMain(async () => {
  const config = loadConfig();
  const logger = createLogger(config.LOG_LEVEL);
  installTemporalRuntime(logger);
  const core = await openCore(config);
  const connection = await NativeConnection.connect({ address: config.TEMPORAL_ADDRESS });
  const worker = await startWorker(core, config, connection);
  logger.info({ taskQueue: config.TEMPORAL_TASK_QUEUE, temporal: config.TEMPORAL_ADDRESS }, 'delivery worker running');
  return {
    running: worker.running,
    stop: [worker.stop, () => connection.close(), () => core.close(), () => logger.info('delivery worker stopped')],
  };
});
