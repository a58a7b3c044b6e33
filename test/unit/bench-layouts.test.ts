import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { parseLayouts, startLayout } from '../../bench/layouts';
import { findProcess } from '../../bench/proc';

describe("the bench's layouts", () => {
  it('takes one layout or both, in the order given, and names the choices for anything else', () => {
    expect(parseLayouts('dev-server')).toEqual(['dev-server']);
    expect(parseLayouts('cluster,dev-server')).toEqual(['cluster', 'dev-server']);
    for (const bad of ['', 'kubernetes', 'dev-server,clutser']) {
      expect(() => parseLayouts(bad)).toThrow('--layout takes dev-server, cluster or both comma-separated');
    }
  });

  it('says where PostgreSQL comes from when the cluster layout has none, before starting anything', async () => {
    await expect(startLayout('cluster', { fakeUrl: 'http://127.0.0.1:9' })).rejects.toThrow(
      '--layout cluster needs PostgreSQL: set TEST_POSTGRES_URL or pass --postgres-url',
    );
  });

  it("finds a service's process inside its own process group only (npm run → sh → node)", async () => {
    const marker = `bench-layouts-${randomBytes(4).toString('hex')}`;
    // A group of its own, like startServiceProcesses' processes; the marker is an argument of the grandchild.
    const group = spawn('sh', ['-c', `node -e 'setTimeout(() => {}, 60000)' ${marker}; true`], {
      detached: true,
      stdio: 'ignore',
    });
    try {
      let found: number | undefined;
      for (const deadline = Date.now() + 10_000; found === undefined && Date.now() < deadline;) {
        found = findProcess([marker], group.pid);
        if (found === undefined) await new Promise((r) => setTimeout(r, 50));
      }
      expect(found).toBeDefined();
      expect(found).not.toBe(group.pid);
      expect(findProcess([marker])).toBe(found);
      expect(findProcess([marker], process.pid)).toBeUndefined();
    } finally {
      process.kill(-group.pid!, 'SIGKILL');
    }
  });
});
