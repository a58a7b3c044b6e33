import { type NativeConnection, Worker, type WorkflowBundleOption } from '@temporalio/worker';
import { createActivities } from '../activities';
import type { Config } from '../config';
import type { Core } from '../service/core';
import { ensureSearchAttributes } from '../temporal/search-attributes';

interface WorkerOptions {
  /** A prebuilt workflow bundle (tests, production image); without it the workflows are bundled at start. */
  workflowBundle?: WorkflowBundleOption;
}

/** The delivery worker over the core's store, HTTP pool and credentials cache, tuned by the operator's settings. */
export function createDeliveryWorker(
  core: Core,
  config: Config,
  connection: NativeConnection,
  options: WorkerOptions = {},
): Promise<Worker> {
  return Worker.create({
    connection,
    namespace: config.TEMPORAL_NAMESPACE,
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    activities: createActivities({
      targets: core.targets,
      transport: core.transport,
      baseUrls: core.baseUrls,
      store: core.store,
    }),
    ...(options.workflowBundle
      ? { workflowBundle: options.workflowBundle }
      : { workflowsPath: require.resolve('../workflows') }),
    maxConcurrentActivityTaskExecutions: config.WORKER_MAX_CONCURRENT_ACTIVITIES,
    maxConcurrentWorkflowTaskExecutions: config.WORKER_MAX_CONCURRENT_WORKFLOW_TASKS,
    // Server-enforced cap on HTTP attempts per second across every worker of the task queue.
    maxTaskQueueActivitiesPerSecond: config.DELIVERY_RATE_LIMIT_PER_SECOND,
    // In-flight HTTP attempts get this long to finish on SIGTERM before they are abandoned (and retried later).
    shutdownGraceTime: '20 seconds',
  });
}

/** The delivery worker, polling: `stop` lets in-flight attempts finish, then resolves. */
export async function startWorker(
  core: Core,
  config: Config,
  connection: NativeConnection,
  options: WorkerOptions = {},
) {
  await ensureSearchAttributes(connection, config.TEMPORAL_NAMESPACE);
  const worker = await createDeliveryWorker(core, config, connection, options);
  const running = worker.run();
  return {
    worker,
    /** Settles when the worker stops: after `stop`, or on a fatal error. */
    running,
    async stop() {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      // A worker that failed has already reported it through `running`.
      await running.catch(() => undefined);
    },
  };
}
