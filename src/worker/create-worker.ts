import { type NativeConnection, Worker, type WorkflowBundleOption } from '@temporalio/worker';
import { createActivities } from '../activities';
import type { IntegrationCircuits } from '../activities/circuit-breaker';
import { OrderNotifier } from '../activities/order-gate';
import { DeliveryRateLimiter } from '../activities/rate-limiter';
import type { Config } from '../config';
import type { Core } from '../service/core';
import { reportCircuitStates, reportLimiterRates } from '../observability/delivery-metrics';
import { ensureSearchAttributes } from '../temporal/search-attributes';
import { createCircuits } from './circuits';
import { runSignalsOver, runStateOver } from './run-signals';
import { deliveryMetricsSinks } from './metrics-sinks';
import { workflowCode } from './workflow-code';
import { pruneOrderBookEvery } from './order-book-pruning';
import type { Logger } from '../logger';
import { isStoreUnreachable } from '../store/database';

interface WorkerOptions {
  /** A prebuilt workflow bundle (tests, production image); without it the workflows are bundled at start. */
  workflowBundle?: WorkflowBundleOption;
  /** The worker's rate limiter, when the caller reports its rates (startWorker); else the worker makes its own. */
  limiter?: DeliveryRateLimiter;
  /** The worker's circuits per integration, likewise. */
  circuits?: IntegrationCircuits;
  /** Where the worker's own housekeeping reports (the order book's pruning). */
  logger?: Logger;
  /**
   * The process's order notifier, when an intake in this process starts deliveries eagerly and tells it which are on
   * their way here (`npm start`); else the worker makes its own.
   */
  order?: OrderNotifier;
}

/** The share of the worker's task slots ordered runs may hold at once; the rest stay for unordered ones and eager starts. */
const ORDERED_SLOT_SHARE = 0.75;

/**
 * The order notifier a worker shares with an intake of the same process that starts deliveries eagerly into it
 * (`npm start`): pass it to both (WorkerOptions.order, the API's localOrder).
 */
export function sharedOrderNotifier(
  config: Pick<Config, 'WORKER_MAX_CONCURRENT_WORKFLOW_TASKS' | 'WORKER_MAX_ORDERED_RUNS'>,
): OrderNotifier {
  const slotShare = Math.floor(config.WORKER_MAX_CONCURRENT_WORKFLOW_TASKS * ORDERED_SLOT_SHARE);
  return new OrderNotifier({ capacity: Math.min(config.WORKER_MAX_ORDERED_RUNS, slotShare) });
}

/** This worker's rate limiter: the WORKER_REPLICAS workers split each integration's rate evenly. */
function createLimiter(config: Pick<Config, 'WORKER_REPLICAS'>): DeliveryRateLimiter {
  return new DeliveryRateLimiter({ share: 1 / config.WORKER_REPLICAS });
}

/** The delivery worker over the core's store, HTTP pool and credentials cache, tuned by the operator's settings. */
export function createDeliveryWorker(
  core: Core,
  config: Config,
  connection: NativeConnection,
  options: WorkerOptions = {},
): Promise<Worker> {
  const signals = runSignalsOver(connection, config.TEMPORAL_NAMESPACE, config.TEMPORAL_TASK_QUEUE);
  const limiter = options.limiter ?? createLimiter(config);
  return Worker.create({
    connection,
    namespace: config.TEMPORAL_NAMESPACE,
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    activities: createActivities({
      targets: core.targets,
      transport: core.transport,
      baseUrls: core.baseUrls,
      store: core.store,
      limiter,
      circuits: options.circuits ?? createCircuits(core, config, { signals, limiter }),
      order: {
        orderBook: core.orderBook,
        signals,
        notifier: options.order ?? new OrderNotifier(),
        runState: runStateOver(connection, config.TEMPORAL_NAMESPACE),
      },
    }),
    ...workflowCode(options.workflowBundle),
    sinks: deliveryMetricsSinks,
    maxConcurrentActivityTaskExecutions: config.WORKER_MAX_CONCURRENT_ACTIVITIES,
    maxConcurrentWorkflowTaskExecutions: config.WORKER_MAX_CONCURRENT_WORKFLOW_TASKS,
    maxConcurrentLocalActivityExecutions: config.WORKER_MAX_CONCURRENT_WORKFLOW_TASKS,
    maxCachedWorkflows: Math.max(config.WORKER_MAX_CACHED_WORKFLOWS, config.WORKER_MAX_CONCURRENT_WORKFLOW_TASKS),
    // No maxTaskQueueActivitiesPerSecond: it would turn off eager activity dispatch and cap every integration
    // together; the rate limit per integration lives in the activity (DeliveryRateLimiter).
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
  const limiter = options.limiter ?? createLimiter(config);
  const signals = runSignalsOver(connection, config.TEMPORAL_NAMESPACE, config.TEMPORAL_TASK_QUEUE);
  const circuits = options.circuits ?? createCircuits(core, config, { signals, limiter });
  const worker = await createDeliveryWorker(core, config, connection, { ...options, limiter, circuits });
  const { logger } = options;
  const stopReporting = [
    reportLimiterRates(() => limiter.rates()),
    reportCircuitStates(() => circuits.states()),
    pruneOrderBookEvery(core.orderBook, (outcome) => {
      if ('pruned' in outcome) {
        if (outcome.pruned > 0) logger?.info({ pruned: outcome.pruned }, 'forgot finished order-book entries');
      } else if (isStoreUnreachable(outcome.error)) {
        logger?.warn('the order book is out of reach: its pruning waits for the next round');
      } else {
        logger?.error({ err: outcome.error }, 'pruning the order book failed');
      }
    }),
  ];
  const running = worker.run().finally(() => stopReporting.forEach((stop) => stop()));
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
