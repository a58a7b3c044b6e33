import { ConfigError } from '../config';

/** A running process's parts, as its entry point started them. */
interface Service {
  /** Settles when the service ends on its own (the worker stopped or failed); absent for an API alone. */
  running?: Promise<unknown>;
  /** Shutdown steps, run once and in order: on SIGINT/SIGTERM, or when `running` settles. */
  stop: (() => Promise<unknown> | unknown)[];
}

/**
 * The one way an entry point (`npm start`, `npm run worker`, `npm run api`) runs: a failed start prints the reason and
 * exits 1; SIGINT/SIGTERM run the shutdown steps in order and exit 0; a service that fails while running is shut down
 * and exits 1.
 */
export function runMain(
  start: () => Promise<Service>,
  options: { onSignal?: (signal: NodeJS.Signals) => void } = {},
): void {
  start().then(
    (service) => {
      let stopping: Promise<void> | undefined;
      const shutDown = (code: number) => {
        stopping ??= (async () => {
          for (const step of service.stop) await step();
        })().then(
          () => process.exit(code),
          (err: unknown) => fatal(err),
        );
      };
      for (const signal of ['SIGINT', 'SIGTERM'] as const) {
        process.once(signal, () => {
          options.onSignal?.(signal);
          shutDown(0);
        });
      }
      service.running?.then(
        () => shutDown(0),
        (err: unknown) => {
          process.stderr.write(`${describe(err)}\n`);
          shutDown(1);
        },
      );
    },
    (err: unknown) => fatal(err),
  );
}

function fatal(err: unknown): never {
  process.stderr.write(`${describe(err)}\n`);
  process.exit(1);
}

function describe(err: unknown): string {
  return err instanceof ConfigError ? err.message : ((err as Error).stack ?? String(err));
}
