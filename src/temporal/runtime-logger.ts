import type { LogLevel, LogMetadata, Logger as TemporalLogger } from '@temporalio/common';
import { Runtime } from '@temporalio/worker';
import type { Config } from '../config';
import type { Logger } from '../logger';
import { LONGEST_TASK_HOLD_MS } from '../shared/attempt-timing';

const PINO_LEVEL: Record<LogLevel, 'trace' | 'debug' | 'info' | 'warn' | 'error'> = {
  TRACE: 'trace',
  DEBUG: 'debug',
  INFO: 'info',
  WARN: 'warn',
  ERROR: 'error',
};

/** Routes the Temporal SDK's logs (worker, workflow and activity loggers) into the service's pino logger. */
class PinoTemporalLogger implements TemporalLogger {
  constructor(private readonly logger: Logger) {}
  log(level: LogLevel, message: string, meta?: LogMetadata): void {
    this.logger[PINO_LEVEL[level]](meta ?? {}, message);
  }
  trace(message: string, meta?: LogMetadata): void {
    this.log('TRACE', message, meta);
  }
  debug(message: string, meta?: LogMetadata): void {
    this.log('DEBUG', message, meta);
  }
  info(message: string, meta?: LogMetadata): void {
    this.log('INFO', message, meta);
  }
  warn(message: string, meta?: LogMetadata): void {
    this.log('WARN', message, meta);
  }
  error(message: string, meta?: LogMetadata): void {
    this.log('ERROR', message, meta);
  }
}

let installed = false;

/**
 * An ordered attempt waiting in the worker holds its task for up to LONGEST_TASK_HOLD_MS by design: at the SDK's 5 s
 * (TMPRL1104) every backlog would warn once per run. The native core reads this variable when it first needs it; an
 * operator's own value stands.
 */
export function holdTaskDurationWarning(env: NodeJS.ProcessEnv = process.env): void {
  env.TEMPORAL_WORKFLOW_TASK_DURATION_WARN_SECONDS ??= String(Math.ceil(LONGEST_TASK_HOLD_MS / 1000));
}

/**
 * Once per process, before any worker or native connection exists. The SDK leaves SIGINT/SIGTERM alone: the entry
 * point orders the shutdown (src/service/process.ts). With `metricsAddress` (host:port) the SDK serves its own
 * Prometheus metrics there: its exporter runs in the native runtime, outside prom-client's registry.
 */
export function installTemporalRuntime(logger: Logger, options: { metricsAddress?: string } = {}): void {
  if (installed) return;
  holdTaskDurationWarning();
  const level = quieter(logger.level);
  const coreLevel = (Object.keys(PINO_LEVEL) as LogLevel[]).find((l) => PINO_LEVEL[l] === level) ?? 'WARN';
  Runtime.install({
    // The SDK's info lines (bundle statistics, state changes) drown the service's own; keep its warnings and errors.
    logger: new PinoTemporalLogger(logger.child({ component: 'temporal' }, { level })),
    shutdownSignals: [],
    telemetryOptions: {
      // Unforwarded, the native core prints its own coloured text lines among the service's JSON ones (during a
      // Temporal outage, several a second per poller); forwarded, they go through pino like the rest.
      logging: { forward: {}, filter: { core: coreLevel, other: 'ERROR' } },
      ...(options.metricsAddress
        ? {
            metrics: {
              // Prometheus' own conventions (seconds, _total), as prom-client writes the service's metrics.
              prometheus: {
                bindAddress: options.metricsAddress,
                countersTotalSuffix: true,
                unitSuffix: true,
                useSecondsForDurations: true,
              },
            },
          }
        : {}),
    },
  });
  installed = true;
}

/** TEMPORAL_METRICS_PORT on METRICS_HOST, as the SDK's exporter takes it; undefined when it is off. */
export function temporalMetricsAddress(config: Pick<Config, 'METRICS_HOST' | 'TEMPORAL_METRICS_PORT'>) {
  if (config.TEMPORAL_METRICS_PORT === undefined) return undefined;
  const host = config.METRICS_HOST.includes(':') ? `[${config.METRICS_HOST}]` : config.METRICS_HOST;
  return `${host}:${config.TEMPORAL_METRICS_PORT}`;
}

function quieter(level: string): string {
  return level === 'trace' || level === 'debug' ? level : level === 'info' ? 'warn' : level;
}
