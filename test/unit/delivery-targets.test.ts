import { DeliveryTargets } from '../../src/store/delivery-targets';
import type { DeliveryTarget, RevisionMarker } from '../../src/store/integrations';

/** What node-postgres throws when PostgreSQL is down: connect refused. */
function refused(): Error {
  return Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
}

function fakeStore() {
  const state = { revision: 'rev_1', enabled: true, deleted: false, targetReads: 0, markerReads: 0, down: false };
  const target = (): DeliveryTarget => ({
    integrationId: 'int_1',
    revisionId: state.revision,
    revisionNumber: Number(state.revision.slice(4)),
    enabled: state.enabled,
    deleted: state.deleted,
    region: 'us',
    siteId: 's',
    trackingApiKey: `key-${state.revision}`,
    ratePerSecond: 100,
  });
  return {
    state,
    deliveryTarget: async () => {
      state.targetReads++;
      if (state.down) throw refused();
      return target();
    },
    revisionMarker: async (): Promise<RevisionMarker> => {
      state.markerReads++;
      if (state.down) throw refused();
      return {
        revisionId: state.revision,
        revisionNumber: Number(state.revision.slice(4)),
        enabled: state.enabled,
        deleted: state.deleted,
      };
    },
  };
}

describe('DeliveryTargets', () => {
  test('serves from memory while fresh, then re-checks only the revision marker', async () => {
    let now = 0;
    const store = fakeStore();
    const targets = new DeliveryTargets(store, { revalidateAfterMs: 1000, now: () => now });
    await targets.get('int_1');
    await targets.get('int_1');
    expect(store.state).toMatchObject({ targetReads: 1, markerReads: 0 });
    now = 1500;
    await targets.get('int_1');
    expect(store.state).toMatchObject({ targetReads: 1, markerReads: 1 });
  });

  test('a new revision or a disable is picked up at the next re-check', async () => {
    let now = 0;
    const store = fakeStore();
    const targets = new DeliveryTargets(store, { revalidateAfterMs: 1000, now: () => now });
    expect((await targets.get('int_1'))!.trackingApiKey).toBe('key-rev_1');
    store.state.revision = 'rev_2';
    expect((await targets.get('int_1'))!.trackingApiKey).toBe('key-rev_1');
    now = 2000;
    expect((await targets.get('int_1'))!.trackingApiKey).toBe('key-rev_2');
    store.state.enabled = false;
    now = 4000;
    expect((await targets.get('int_1'))!.enabled).toBe(false);
  });

  test('invalidate forces a reload; concurrent misses share one read', async () => {
    const store = fakeStore();
    const targets = new DeliveryTargets(store, { revalidateAfterMs: 60_000 });
    await Promise.all([targets.get('int_1'), targets.get('int_1'), targets.get('int_1')]);
    expect(store.state.targetReads).toBe(1);
    targets.invalidate('int_1');
    await targets.get('int_1');
    expect(store.state.targetReads).toBe(2);
  });

  test('while the store is out of reach a cached target is served as it was; an uncached one fails', async () => {
    let now = 0;
    const store = fakeStore();
    const targets = new DeliveryTargets(store, { revalidateAfterMs: 1000, now: () => now });
    expect((await targets.get('int_1'))!.trackingApiKey).toBe('key-rev_1');
    store.state.down = true;
    now = 1500;
    expect((await targets.get('int_1'))!.trackingApiKey).toBe('key-rev_1');
    expect(store.state.markerReads).toBe(1);
    // Trusted for another interval: an outage does not turn every attempt into a failed database round trip.
    now = 2000;
    await targets.get('int_1');
    expect(store.state.markerReads).toBe(1);
    await expect(targets.get('int_2')).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    // Back: the next re-check sees what changed meanwhile.
    store.state.down = false;
    store.state.revision = 'rev_2';
    now = 3000;
    expect((await targets.get('int_1'))!.trackingApiKey).toBe('key-rev_2');
  });

  test('a store error that is not an outage is not papered over with the cache', async () => {
    let now = 0;
    const store = fakeStore();
    const targets = new DeliveryTargets(store, { revalidateAfterMs: 1000, now: () => now });
    await targets.get('int_1');
    store.revisionMarker = async () => {
      throw new Error('relation "integrations" does not exist');
    };
    now = 1500;
    await expect(targets.get('int_1')).rejects.toThrow('does not exist');
  });
});
