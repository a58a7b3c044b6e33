import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DATA_FILES } from '../../src/config';
import { type DeliveryHarness, startDeliveryHarness } from './delivery-harness';
import { runNode, type Running } from './processes';
import { temporalAddress } from './temporal';

/**
 * A delivery harness with no worker of its own, for tests that run `npm run worker` as processes: its store is a file
 * (not memory) that those processes share, and close() removes it.
 */
export async function startHarnessForWorkerProcesses(): Promise<DeliveryHarness> {
  const dir = mkdtempSync(join(tmpdir(), 'signal-workers-'));
  const h = await startDeliveryHarness({ noWorker: true, databaseUrl: `sqlite:${join(dir, DATA_FILES.db)}` });
  const closeHarness = h.close.bind(h);
  h.close = async () => {
    await closeHarness();
    rmSync(dir, { recursive: true, force: true });
  };
  return h;
}

/** `npm run worker`'s entry as a process on the harness's Temporal task queue, store and fake Customer.io (US). */
export function runWorkerProcess(h: DeliveryHarness): Running {
  return runNode('worker/main', {
    TEMPORAL_ADDRESS: temporalAddress(),
    TEMPORAL_TASK_QUEUE: h.taskQueue,
    DATABASE_URL: h.config.DATABASE_URL,
    ENCRYPTION_KEY: h.encryptionKey,
    CUSTOMERIO_TRACK_URL_US: h.us.url,
    LOG_LEVEL: 'info',
  });
}
