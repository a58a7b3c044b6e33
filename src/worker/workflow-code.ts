import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { BundleOptions, WorkflowBundleOption } from '@temporalio/worker';

/**
 * The workflow code and how it is bundled. The pure modules the workflows import (the Customer.io mapping, outcomes,
 * names, time parsing, hashing) are preloaded: evaluated once per worker thread and shared by every workflow, instead
 * of once per workflow run. They hold no state of their own (constants and pure functions, frozen after loading), so
 * sharing them cannot leak one run into another.
 */
export const WORKFLOW_BUNDLE_OPTIONS = {
  workflowsPath: require.resolve('../workflows'),
  preloadModules: [
    '../customerio/actions',
    '../customerio/delivery-input',
    '../customerio/labels',
    '../customerio/outcomes',
    '../shared/retry-policy',
    '../shared/search-attributes',
    '../shared/time',
  ].map((m) => require.resolve(m)),
} satisfies Partial<BundleOptions>;

/** Where scripts/build writes the bundle, beside the compiled code. */
export const BUILT_BUNDLE = resolve(__dirname, '../workflow-bundle.js');

/** The prebuilt bundle when there is one (compiled code); from source the workflows are bundled at start. */
export function workflowCode(
  given: WorkflowBundleOption | undefined,
): { workflowBundle: WorkflowBundleOption } | { workflowsPath: string; bundlerOptions: { preloadModules: string[] } } {
  if (given) return { workflowBundle: given };
  if (existsSync(BUILT_BUNDLE)) return { workflowBundle: { codePath: BUILT_BUNDLE } };
  return {
    workflowsPath: WORKFLOW_BUNDLE_OPTIONS.workflowsPath,
    bundlerOptions: { preloadModules: WORKFLOW_BUNDLE_OPTIONS.preloadModules },
  };
}
