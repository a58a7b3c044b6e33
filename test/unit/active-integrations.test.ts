import { loadConfig } from '../../src/config';
import { ActiveIntegrations } from '../../src/intake/active-integrations';
import type { IntegrationStore, IntegrationView } from '../../src/store/integrations';

describe('ActiveIntegrations', () => {
  let now: number;
  let reads: number;
  const store: Pick<IntegrationStore, 'list'> = {
    list: async () => {
      reads++;
      return [{ id: `int_${reads}` } as IntegrationView];
    },
  };
  beforeEach(() => {
    now = 1_000_000;
    reads = 0;
  });

  test('INTAKE_INTEGRATIONS_CACHE_MS is how long the list is trusted: 5 s unless set', async () => {
    expect(loadConfig({}).INTAKE_INTEGRATIONS_CACHE_MS).toBe(5_000);
    const ttlMs = loadConfig({ INTAKE_INTEGRATIONS_CACHE_MS: '250' }).INTAKE_INTEGRATIONS_CACHE_MS;
    const active = new ActiveIntegrations(store, { ttlMs, now: () => now });
    expect((await active.current()).map((i) => i.id)).toEqual(['int_1']);
    now += 249;
    expect((await active.current()).map((i) => i.id)).toEqual(['int_1']);
    now += 1;
    expect((await active.current()).map((i) => i.id)).toEqual(['int_2']);
    expect(reads).toBe(2);
  });

  test('a change made by this process is read at once, whatever the setting', async () => {
    const active = new ActiveIntegrations(store, {
      ttlMs: loadConfig({}).INTAKE_INTEGRATIONS_CACHE_MS,
      now: () => now,
    });
    await active.current();
    active.invalidate();
    expect((await active.current()).map((i) => i.id)).toEqual(['int_2']);
  });

  test('a bad value is refused at start', () => {
    expect(() => loadConfig({ INTAKE_INTEGRATIONS_CACHE_MS: '-1' })).toThrow(/INTAKE_INTEGRATIONS_CACHE_MS/);
  });
});
