import { type ChildProcess, spawn } from 'node:child_process';
import { resolve } from 'node:path';

export const ROOT = resolve(__dirname, '../..');

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
}

/** Runs `node dist/<entry>.js` with exactly the given environment (plus PATH/HOME). */
export function runNode(entry: string, env: Record<string, string>): Running {
  const child = spawn(process.execPath, [resolve(distDir(), `${entry}.js`)], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
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
  return {
    child,
    output: () => output,
    exited,
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

/** Resolves with the exit code, or kills the process and fails after the deadline. */
export async function exitWithin(running: Running, timeoutMs: number): Promise<number | null> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      running.child.kill('SIGKILL');
      reject(new Error(`process did not exit within ${timeoutMs} ms:\n${running.output().slice(-3000)}`));
    }, timeoutMs);
  });
  try {
    return await Promise.race([running.exited, deadline]);
  } finally {
    clearTimeout(timer);
  }
}
