/**
 * Loaded with `node --require` before the service (scripts/run, the image's NODE_OPTIONS), so it runs first in every
 * thread, including the worker thread where the Temporal SDK runs workflow code. There, unless WORKFLOW_STACK_TRACES
 * is `on`, it keeps the SDK from collecting workflow stack traces.
 *
 * Why: the SDK collects them with a V8 promise hook that captures, source-maps and stores a stack for every promise
 * workflow code creates. `npm run bench` measured it at about 1.6 ms of CPU per delivery, 15 % of the service's CPU,
 * for one debugging aid: the `__stack_trace` query behind the Temporal UI's Stack Trace tab, which a delivery (a run of
 * a few tasks, or parked on a condition its history already shows) rarely needs.
 *
 * How: the SDK installs that hook once per thread (`GlobalHandlers.setPromiseHook` in its vm-shared module) and, when
 * none is installed, runs workflows with stack traces off; the query then answers that they are not enabled. Only that
 * method is skipped: promise hooks as such stay available (AsyncLocalStorage, which workflow cancellation scopes use,
 * needs them). It is an SDK internal, so a version that moves it stops the worker thread with the error below rather
 * than quietly paying the cost again; test/e2e covers both.
 *
 * Imports nothing of the service: it runs before any of it, in threads that never load the rest.
 */
import { isMainThread } from 'node:worker_threads';

/** The setting's name; `on` keeps stack traces. config.ts validates it for the service. */
const WORKFLOW_STACK_TRACES = 'WORKFLOW_STACK_TRACES';

const SDK_MODULE = '@temporalio/worker/lib/workflow/vm-shared';

if (!isMainThread && process.env[WORKFLOW_STACK_TRACES] !== 'on') {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the SDK's internal module, by its path
  const sdk = require(SDK_MODULE) as { GlobalHandlers?: { prototype: Record<string, unknown> } };
  const handlers = sdk.GlobalHandlers?.prototype;
  if (typeof handlers?.setPromiseHook !== 'function') {
    throw new Error(
      `${SDK_MODULE} has no GlobalHandlers.setPromiseHook: this Temporal SDK collects stack traces differently; ` +
        `update src/worker/workflow-thread-preload.ts, or set ${WORKFLOW_STACK_TRACES}=on`,
    );
  }
  handlers.setPromiseHook = function skipped() {
    // Stack traces stay off: promiseHookInstalled is left false, which the SDK reads as "not enabled".
  };
}
