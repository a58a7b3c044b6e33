import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

/**
 * The project's root: the nearest folder above this file with a package.json. Not a fixed `../..`, because the bench
 * runs these helpers compiled into test-results/bench-build/test/support.
 */
export const ROOT = (() => {
  for (let dir = __dirname; ; dir = dirname(dir)) {
    if (existsSync(resolve(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) throw new Error(`no package.json above ${__dirname}`);
  }
})();

/** src/ compiled once for the run by global-setup.ts, exactly as `npm start` compiles it. */
function distDir(): string {
  const dir = process.env.TEST_DIST_DIR;
  if (!dir) throw new Error('TEST_DIST_DIR is not set: run the tests through jest (global setup compiles src/)');
  return dir;
}

export interface Running {
  child: ChildProcess;
  output: () => string;
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpExecArray>;
  exited: Promise<number | null>;
  /** Once every process holding its output has exited (with `group: true`, what it spawned too). */
  closed: Promise<void>;
}

/**
 * Runs `<entry>.js` of that build the way `npm start` / `npm run worker` do (scripts/run: node's settings and preload,
 * then `exec node`, so the child is node itself), with exactly the given environment (plus PATH/HOME).
 */
export function runNode(entry: string, env: Record<string, string>): Running {
  return runCommand(
    'bash',
    ['scripts/run', entry],
    { SIGNAL_SKIP_BUILD: '1', SIGNAL_DIST_DIR: distDir(), ...env },
    {
      name: entry,
    },
  );
}

/**
 * Runs a command from the repository root with exactly the given environment (plus PATH/HOME). `group: true` puts it
 * in a process group of its own, so `killGroup` reaches what it spawns too (`npm run` → bash → node).
 */
export function runCommand(
  command: string,
  args: string[],
  env: Record<string, string>,
  options: { name?: string; group?: boolean } = {},
): Running {
  const entry = options.name ?? [command, ...args].join(' ');
  const child = spawn(command, args, {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: options.group ?? false,
  });
  let output = '';
  const listeners = new Set<() => void>();
  const collect = (chunk: Buffer) => {
    output += chunk.toString();
    for (const l of listeners) l();
  };
  child.stdout!.on('data', collect);
  child.stderr!.on('data', collect);
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
  const closed = new Promise<void>((done) => child.once('close', () => done()));
  return {
    child,
    output: () => output,
    exited,
    closed,
    waitFor(pattern, timeoutMs = 60_000) {
      return new Promise((resolveMatch, reject) => {
        const check = () => {
          const m = pattern.exec(output);
          if (m) {
            cleanup();
            resolveMatch(m);
          }
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`timed out waiting for ${pattern} in output of ${entry}:\n${output.slice(-4000)}`));
        }, timeoutMs);
        const onExit = () => {
          cleanup();
          reject(new Error(`${entry} exited before printing ${pattern}:\n${output.slice(-4000)}`));
        };
        const cleanup = () => {
          clearTimeout(timer);
          listeners.delete(check);
          child.removeListener('exit', onExit);
        };
        listeners.add(check);
        child.once('exit', onExit);
        check();
      });
    },
  };
}

/**
 * Resolves with the exit code, or kills the process and fails after the deadline. `closed`: also waits for whatever
 * it spawned that still writes to its output (`npm run` exits on SIGTERM before the node process under it does).
 */
export async function exitWithin(
  running: Running,
  timeoutMs: number,
  until: 'exited' | 'closed' = 'exited',
): Promise<number | null> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      running.child.kill('SIGKILL');
      reject(new Error(`process did not exit within ${timeoutMs} ms:\n${running.output().slice(-3000)}`));
    }, timeoutMs);
  });
  try {
    const done = until === 'closed' ? running.closed.then(() => running.exited) : running.exited;
    return await Promise.race([done, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/** Signals a process started with `group: true` and everything it spawned; quiet if they are already gone. */
export function killGroup(running: Running, signal: NodeJS.Signals): void {
  try {
    process.kill(-running.child.pid!, signal);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
  }
}
