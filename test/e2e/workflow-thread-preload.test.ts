import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

/**
 * The preload scripts/run (and the image) give node: in a worker thread, where the Temporal SDK runs workflows, the
 * SDK's stack-trace hook is never installed unless WORKFLOW_STACK_TRACES=on, while promise hooks as such (which
 * AsyncLocalStorage needs) keep working; the main thread is left alone. test/e2e/npm-start shows the SDK's side,
 * through its `__stack_trace` query, and test/integration/metrics a cancellation scope parked and woken.
 */
const probe = `
const { Worker } = require('node:worker_threads');
const sdk = 'require("@temporalio/worker/lib/workflow/vm-shared")';
const check = sdk + '.globalHandlers.install(); const { AsyncLocalStorage } = require("node:async_hooks");' +
  'const als = new AsyncLocalStorage(); als.run(7, () => Promise.resolve().then(() => require("node:worker_threads")' +
  '.parentPort.postMessage("stack traces " + (' + sdk + '.globalHandlers.promiseHookInstalled ? "on" : "off") +' +
  '", async context " + als.getStore())));';
new Worker(check, { eval: true }).once('message', (m) => console.log('worker: ' + m)).once('error', (e) => console.log('worker: ' + e.message));
`;

function run(env: Record<string, string>) {
  const dist = process.env.TEST_DIST_DIR;
  if (!dist) throw new Error('TEST_DIST_DIR is not set: run the tests through jest (global setup compiles src/)');
  return execFileSync(process.execPath, ['--require', join(dist, 'worker/workflow-thread-preload.js'), '-e', probe], {
    cwd: join(__dirname, '../..'),
    env: { PATH: process.env.PATH ?? '', ...env },
    encoding: 'utf8',
  }).trim();
}

test('in a worker thread the SDK installs no stack-trace hook, and async context still works', () => {
  expect(run({})).toBe('worker: stack traces off, async context 7');
  expect(run({ WORKFLOW_STACK_TRACES: 'off' })).toBe('worker: stack traces off, async context 7');
});

test('WORKFLOW_STACK_TRACES=on leaves the SDK its stack traces', () => {
  expect(run({ WORKFLOW_STACK_TRACES: 'on' })).toBe('worker: stack traces on, async context 7');
});
