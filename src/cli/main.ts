import { ApiError } from './api-client';
import { UsageError } from './args';
import { deliveriesCommand } from './commands/deliveries';
import { replayCommand } from './commands/replay';
import { type CliContext, EXIT } from './context';
import { Output } from './output';
import { usage } from './usage';

const COMMANDS: Record<string, (argv: readonly string[], ctx: CliContext) => Promise<number>> = {
  replay: replayCommand,
  deliveries: deliveriesCommand,
};

/** `npm run cli -- <command> [flags]`: the engineers' command line over the management API. */
async function run(argv: readonly string[], ctx: CliContext): Promise<number> {
  const [command, ...rest] = argv;
  try {
    if (command === undefined) throw new UsageError('no command given');
    if (command === '--help' || command === '-h' || command === 'help') {
      ctx.stdout.write(usage());
      return EXIT.ok;
    }
    const handler = COMMANDS[command];
    if (!handler) throw new UsageError(`unknown command '${command}' (commands: ${Object.keys(COMMANDS).join(', ')})`);
    return await handler(rest, ctx);
  } catch (err) {
    if (err instanceof UsageError) {
      ctx.stderr.line(`error: ${err.message}`);
      ctx.stderr.line();
      ctx.stderr.write(usage(err.command));
      return EXIT.usage;
    }
    if (err instanceof ApiError) {
      ctx.stderr.line(`error: ${err.describe()}`);
      return EXIT.failed;
    }
    throw err;
  }
}

function processContext(): CliContext {
  let handlers: (() => void)[] = [];
  let presses = 0;
  process.on('SIGINT', () => {
    presses++;
    // A second Ctrl-C, or one with nothing to wind down, quits at once.
    if (presses > 1 || handlers.length === 0) process.exit(EXIT.interrupted);
    for (const h of handlers) h();
  });
  return {
    stdout: new Output(process.stdout),
    stderr: new Output(process.stderr),
    env: process.env,
    cwd: process.cwd(),
    now: () => new Date(),
    onInterrupt(handler) {
      handlers.push(handler);
      return () => {
        handlers = handlers.filter((h) => h !== handler);
      };
    },
  };
}

if (require.main === module) {
  // `| head` closing the pipe is not an error worth a stack trace.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EPIPE') process.exit(process.exitCode ?? EXIT.ok);
      throw err;
    });
  }
  const ctx = processContext();
  run(process.argv.slice(2), ctx).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      ctx.stderr.line(`error: ${(err as Error).stack ?? String(err)}`);
      process.exitCode = EXIT.failed;
    },
  );
}
