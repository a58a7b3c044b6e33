import type { Output } from './output';

/** What a command may touch: its streams, environment, clock, and Ctrl-C. Tests can supply their own. */
export interface CliContext {
  stdout: Output;
  stderr: Output;
  env: NodeJS.ProcessEnv;
  cwd: string;
  now(): Date;
  /** Calls `handler` on Ctrl-C until the returned function is called. */
  onInterrupt(handler: () => void): () => void;
}

export const EXIT = { ok: 0, failed: 1, usage: 2, interrupted: 130 } as const;
