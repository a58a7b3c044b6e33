import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config';
import { type DevServer, freePort, startDevServer } from '../../src/temporal/dev-server';
import { FakeCustomerIo } from '../support/fake-customerio';
import { startSplitProcesses } from '../support/split-processes';

interface LogLine {
  level: number;
  msg: string;
  component?: string;
  sdkComponent?: string;
}

/** Every line a process printed, as JSON: a line that is not JSON fails the test (a log shipper could not read it). */
function jsonLines(output: string): LogLine[] {
  return output
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      try {
        return JSON.parse(line) as LogLine;
      } catch {
        throw new Error(`a log line that is not JSON: ${line.slice(0, 300)}`);
      }
    });
}

/**
 * `npm run worker` through a Temporal outage, on a Temporal server of its own (the shared one cannot go down): the
 * worker stays up, tells of the outage in its JSON log (the SDK's native core's warnings go through pino, not as
 * coloured text of their own), and delivers again once Temporal is back.
 */
describe('the worker through a Temporal outage', () => {
  let dir: string;
  let fake: FakeCustomerIo;
  let split: Awaited<ReturnType<typeof startSplitProcesses>> | undefined;
  let server: DevServer | undefined;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'signal-temporal-outage-'));
    fake = await FakeCustomerIo.start({ region: 'us', credentials: [{ siteId: 'outage-site', apiKey: 'outage-key' }] });
  });
  afterAll(async () => {
    split?.kill();
    await server?.stop();
    await fake.close();
    rmSync(dir, { recursive: true, force: true });
  });

  // Its deadline is past the startup's and the 30 s exit deadline: a process that hangs fails with its own output.
  test('stays up, logs the outage as JSON, and delivers once Temporal is back', async () => {
    const temporalPort = await freePort();
    const startTemporal = () =>
      startDevServer({
        port: temporalPort,
        dbFile: join(dir, 'temporal.db'),
        namespace: loadConfig({}).TEMPORAL_NAMESPACE,
        logLevel: 'error',
      });
    server = await startTemporal();
    split = await startSplitProcesses({ name: 'outage', temporalAddress: server.address, dir, fake });
    let exits: (number | null)[];
    try {
      await server.stop();
      server = undefined;
      // The native core's warning of its failing polls, through pino: a JSON line with pino's level for warn.
      await split.worker.waitFor(
        /"level":40,[^\n]*"component":"temporal"[^\n]*poll_(workflow|activity)_task_queue/,
        30_000,
      );
      expect(split.worker.child.exitCode).toBeNull();

      server = await startTemporal();
      expect(await split.install()).toBe(201);
      expect(await split.track('After Outage', 'u-outage')).toBe(202);
      const [request] = await split.told(
        fake.waitForRequests(1, { match: (r) => r.path === '/api/v1/customers/u-outage/events' }),
      );
      expect(request!.method).toBe('POST');
      expect(request!.authorized).toBe(true);
      expect(request!.json).toMatchObject({ name: 'After Outage' });
    } finally {
      exits = await split.stop();
    }
    expect(exits).toEqual([0, 0]);

    const lines = jsonLines(split.worker.output());
    const coreWarnings = lines.filter((l) => l.component === 'temporal' && l.sdkComponent === 'core' && l.level === 40);
    expect(coreWarnings.length).toBeGreaterThan(0);
    expect(lines.map((l) => l.msg)).toContain('delivery worker stopped');
    jsonLines(split.api.output());
    for (const text of [split.worker.output(), split.api.output()]) {
      for (const secret of split.secrets) expect(text).not.toContain(secret);
    }
  }, 120_000);
});
