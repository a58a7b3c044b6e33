import type { LogLevel, LogMetadata, Logger as TemporalLogger } from '@temporalio/common';
import { Runtime } from '@temporalio/worker';
import type { Config } from '../config';
import type { Logger } from '../logger';

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
 * Once per process, before any worker or native connection exists. The SDK leaves SIGINT/SIGTERM alone: the entry
 * point orders the shutdown (src/service/process.ts). With `metricsAddress` (host:port) the SDK serves its own
 * Prometheus metrics there: its exporter runs in the native runtime, outside prom-client's registry.
 */
export function installTemporalRuntime(logger: Logger, options: { metricsAddress?: string } = {}): void {
  if (installed) return;
  Runtime.install({
    // The SDK's info lines (bundle statistics, state changes) drown the service's own; keep its warnings and errors.
    logger: new PinoTemporalLogger(logger.child({ component: 'temporal' }, { level: quieter(logger.level) })),
    shutdownSignals: [],
    ...(options.metricsAddress
      ? {
          telemetryOptions: {
            metrics: {
              // Prometheus' own conventions (seconds, _total), as prom-client writes the service's metrics.
              prometheus: {
                bindAddress: options.metricsAddress,
                countersTotalSuffix: true,
                unitSuffix: true,
                useSecondsForDurations: true,
              },
            },
          },
        }
      : {}),
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
