import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { join, resolve } from 'node:path';
import { loadConfig } from '../../src/config';
import { startDevServer } from '../../src/temporal/dev-server';

const ROOT = resolve(__dirname, '../..');

/**
 * Once per jest run: a real Temporal dev server (the CLI binary from scripts/temporal-cli) with the delivery search
 * attributes, and the service compiled as `npm start` compiles it, workflow bundle included. Test files reach them
 * through environment variables.
 */
export default async function globalSetup(): Promise<void> {
  const started = Date.now();
  const distDir = join(ROOT, 'test-results', 'dist');
  const compiled = promisify(execFile)('bash', ['scripts/build', distDir], { cwd: ROOT });
  if (!process.env.TEMPORAL_TEST_ADDRESS) {
    const server = await startDevServer({ logLevel: 'error', namespace: loadConfig({}).TEMPORAL_NAMESPACE });
    (globalThis as { __temporalDevServer?: unknown }).__temporalDevServer = server;
    process.env.TEMPORAL_TEST_ADDRESS = server.address;
  }
  await compiled;
  process.env.TEST_DIST_DIR = distDir;
  // The bundle the compiled worker runs is the one the in-process test workers run.
  process.env.TEMPORAL_TEST_WORKFLOW_BUNDLE = join(distDir, 'workflow-bundle.js');
  process.stderr.write(
    `\ntemporal dev server ${process.env.TEMPORAL_TEST_ADDRESS}; setup took ${Date.now() - started} ms\n`,
  );
}
