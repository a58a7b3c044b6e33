import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime } from '@temporalio/worker';

export { eventually } from './eventually';

/** The dev server started by global-setup.ts. */
export function temporalAddress(): string {
  const address = process.env.TEMPORAL_TEST_ADDRESS;
  if (!address)
    throw new Error('TEMPORAL_TEST_ADDRESS is not set: run the tests through jest (global setup starts Temporal)');
  return address;
}

export function workflowBundlePath(): string {
  const path = process.env.TEMPORAL_TEST_WORKFLOW_BUNDLE;
  if (!path) throw new Error('TEMPORAL_TEST_WORKFLOW_BUNDLE is not set: run the tests through jest');
  return path;
}

let runtimeInstalled = false;

/** Quiet SDK logs in tests; once per jest worker process. */
export function installTestRuntime(): void {
  if (runtimeInstalled) return;
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  runtimeInstalled = true;
}

/** A client and a worker connection to the shared dev server; `teardown()` closes both. */
export async function connectTestEnvironment(): Promise<TestWorkflowEnvironment> {
  installTestRuntime();
  return TestWorkflowEnvironment.createFromExistingServer({ address: temporalAddress(), namespace: 'default' });
}
