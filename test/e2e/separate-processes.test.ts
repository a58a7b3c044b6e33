import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeCustomerIo } from '../support/fake-customerio';
import { startSplitProcesses } from '../support/split-processes';
import { temporalAddress } from '../support/temporal';

/** `npm run worker` and `npm run api` as separate processes against one Temporal server and one database. */
describe('worker and API as separate processes', () => {
  let dir: string;
  let fake: FakeCustomerIo;
  let split: Awaited<ReturnType<typeof startSplitProcesses>> | undefined;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'signal-split-'));
    fake = await FakeCustomerIo.start({ region: 'us', credentials: [{ siteId: 'split-site', apiKey: 'split-key' }] });
  });
  afterAll(async () => {
    split?.kill();
    await fake.close();
    rmSync(dir, { recursive: true, force: true });
  });

  // Its deadline is past the startup's and the 30 s exit deadline: a process that hangs fails with its own output.
  test('deliver an event end to end, then both stop cleanly on SIGTERM', async () => {
    split = await startSplitProcesses({ name: 'split', temporalAddress: temporalAddress(), dir, fake });
    let exits: (number | null)[];
    try {
      expect(await split.install()).toBe(201);
      expect(await split.track('Split', 'u-split')).toBe(202);
      await split.told(fake.waitForRequests(1, { match: (r) => r.path === '/api/v1/customers/u-split/events' }));
    } finally {
      exits = await split.stop();
    }
    expect(exits).toEqual([0, 0]);
    expect(split.worker.output()).toContain('delivery worker stopped');
    for (const text of [split.worker.output(), split.api.output()]) {
      for (const secret of split.secrets) expect(text).not.toContain(secret);
    }
  }, 120_000);
});
