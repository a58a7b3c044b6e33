import { type NativeConnection, Worker, type WorkflowBundleOption } from '@temporalio/worker';
import type { DeliveryActivities } from '../activities';
import type { Config } from '../config';

export interface DeliveryWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  activities: DeliveryActivities;
  /** A prebuilt workflow bundle (tests, production image); without it the workflows are bundled at start. */
  workflowBundle?: WorkflowBundleOption;
  maxConcurrentActivityTaskExecutions?: number;
  maxConcurrentWorkflowTaskExecutions?: number;
  /**
   * Server-enforced cap on HTTP attempts per second across every worker of the task queue: Signal's
   * per-integration default of 100/s, which is also Customer.io's fair-use rate.
   */
  maxTaskQueueActivitiesPerSecond?: number;
}

export function createDeliveryWorker(options: DeliveryWorkerOptions): Promise<Worker> {
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue,
    activities: options.activities,
    ...(options.workflowBundle ? { workflowBundle: options.workflowBundle } : { workflowsPath: require.resolve('../workflows') }),
    maxConcurrentActivityTaskExecutions: options.maxConcurrentActivityTaskExecutions ?? 100,
    maxConcurrentWorkflowTaskExecutions: options.maxConcurrentWorkflowTaskExecutions ?? 40,
    maxTaskQueueActivitiesPerSecond: options.maxTaskQueueActivitiesPerSecond ?? 100,
    // In-flight HTTP attempts get this long to finish on SIGTERM before they are abandoned (and retried later).
    shutdownGraceTime: '20 seconds',
  });
}

/** The worker knobs an operator sets through the environment. */
export function workerOptionsFromConfig(config: Config) {
  return {
    namespace: config.TEMPORAL_NAMESPACE,
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    maxConcurrentActivityTaskExecutions: config.WORKER_MAX_CONCURRENT_ACTIVITIES,
    maxConcurrentWorkflowTaskExecutions: config.WORKER_MAX_CONCURRENT_WORKFLOW_TASKS,
    maxTaskQueueActivitiesPerSecond: config.DELIVERY_RATE_LIMIT_PER_SECOND,
  };
}
