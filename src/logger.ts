import pino, { type Logger } from 'pino';

/**
 * Redaction is the backstop, not the plan: secrets should never reach a log call. Anything shaped like a
 * credential is censored wherever it appears in a logged object.
 */
const REDACT = [
  'authorization',
  '*.authorization',
  'headers.authorization',
  'req.headers.authorization',
  'api_key',
  'tracking_api_key',
  '*.api_key',
  '*.tracking_api_key',
  'config.api_key',
  'config.tracking_api_key',
  'token',
  '*.token',
  'trackingApiKey',
  '*.trackingApiKey',
];

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    { level, redact: { paths: REDACT, censor: '[redacted]' }, base: { service: 'signal-customerio' } },
    destination,
  );
}

export type { Logger };
