import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { join, resolve } from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { startDevServer } from '../../src/temporal/dev-server';

const ROOT = resolve(__dirname, '../..');

/**
 * Once per jest run: a real Temporal dev server (the CLI binary from scripts/temporal-cli) with the delivery search
 * attributes, and the workflow code bundled once. Test files reach both through environment variables.
 */
export default async function globalSetup(): Promise<void> {
  const started = Date.now();
  if (!process.env.TEMPORAL_TEST_ADDRESS) {
    const server = await startDevServer({ logLevel: 'error' });
    (globalThis as { __temporalDevServer?: unknown }).__temporalDevServer = server;
    process.env.TEMPORAL_TEST_ADDRESS = server.address;
  }
  // The end-to-end tests run the compiled service, as `npm start` does; compiled once here, beside the bundling.
  const distDir = join(ROOT, 'test-results', 'dist');
  const compiled = promisify(execFile)('bash', ['scripts/build', distDir], { cwd: ROOT });
  const { code } = await bundleWorkflowCode({
    workflowsPath: require.resolve('../../src/workflows'),
    logger: { log() {}, trace() {}, debug() {}, info() {}, warn: console.warn, error: console.error },
  });
  const dir = join(ROOT, 'test-results');
  mkdirSync(dir, { recursive: true });
  const bundlePath = join(dir, `workflow-bundle-${process.pid}.js`);
  writeFileSync(bundlePath, code);
  process.env.TEMPORAL_TEST_WORKFLOW_BUNDLE = bundlePath;
  await compiled;
  process.env.TEST_DIST_DIR = distDir;
  process.stderr.write(
    `\ntemporal dev server ${process.env.TEMPORAL_TEST_ADDRESS}; setup took ${Date.now() - started} ms\n`,
  );
}
