import type { LogLevel, LogMetadata, Logger as TemporalLogger } from '@temporalio/common';
import { Runtime } from '@temporalio/worker';
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
 * point orders the shutdown (src/service/process.ts).
 */
export function installTemporalRuntime(logger: Logger): void {
  if (installed) return;
  Runtime.install({
    // The SDK's info lines (bundle statistics, state changes) drown the service's own; keep its warnings and errors.
    logger: new PinoTemporalLogger(logger.child({ component: 'temporal' }, { level: quieter(logger.level) })),
    shutdownSignals: [],
  });
  installed = true;
}

function quieter(level: string): string {
  return level === 'trace' || level === 'debug' ? level : level === 'info' ? 'warn' : level;
}
