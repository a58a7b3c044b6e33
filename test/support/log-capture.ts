import { Writable } from 'node:stream';
import { createLogger, type Logger } from '../../src/logger';

/** A real pino logger whose lines are kept in memory, so tests can search everything the service logged. */
export function captureLogs(level = 'debug'): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      done();
    },
  });
  return { logger: createLogger(level, sink), lines };
}
