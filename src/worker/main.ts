import { NativeConnection } from '@temporalio/worker';
import { loadConfig } from '../config';
import { createLogger } from '../logger';
import { openCore } from '../service/core';
import { runMain } from '../service/process';
import { startConfiguredMetricsServer } from '../observability/metrics-server';
import { installTemporalRuntime, temporalMetricsAddress } from '../temporal/runtime-logger';
import { startWorker } from './create-worker';

/** `npm run worker`: the delivery worker alone, against TEMPORAL_ADDRESS. SIGINT/SIGTERM let in-flight attempts finish. */
runMain(async () => {
  const config = loadConfig();
  const logger = createLogger(config.LOG_LEVEL);
  const temporalMetrics = temporalMetricsAddress(config);
  installTemporalRuntime(logger, { metricsAddress: temporalMetrics });
  // While PostgreSQL is out of reach this waits (logging each try) rather than exiting.
  const core = await openCore(config, { logger });
  const connection = await NativeConnection.connect({ address: config.TEMPORAL_ADDRESS });
  const worker = await startWorker(core, config, connection, { logger });
  const metrics = await startConfiguredMetricsServer(config);
  logger.info(
    {
      // As Temporal records it on every task this worker completes, so a history names the process that ran it.
      identity: worker.worker.options.identity,
      taskQueue: config.TEMPORAL_TASK_QUEUE,
      workflowStackTraces: config.WORKFLOW_STACK_TRACES,
      temporal: config.TEMPORAL_ADDRESS,
      metrics: metrics?.url,
      temporalMetrics: temporalMetrics && `http://${temporalMetrics}/metrics`,
    },
    'delivery worker running',
  );
  return {
    running: worker.running,
    stop: [
      worker.stop,
      () => metrics?.close(),
      () => connection.close(),
      () => core.close(),
      () => logger.info('delivery worker stopped'),
    ],
  };
});
