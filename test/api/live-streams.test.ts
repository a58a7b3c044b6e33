import { buildApi } from '../../src/api/build';
import type { DeliveryService } from '../../src/deliveries/service';
import { type DeliveryHarness, startDeliveryHarness } from '../support/delivery-harness';
import { httpClient } from '../support/http';
import { captureLogs } from '../support/log-capture';
import { openSse } from '../support/sse';
import { eventually } from '../support/temporal';
import { deadline } from '../support/wait';

/** The live stream's own bookkeeping, as Prometheus reads it. */
async function openStreams(baseUrl: string): Promise<number> {
  const text = await (await fetch(`${baseUrl}/metrics`)).text();
  const line = /^signal_api_live_streams (\d+)$/m.exec(text);
  if (!line) throw new Error('signal_api_live_streams is not in /metrics');
  return Number(line[1]);
}

/**
 * Holds the live stream's first query (its snapshot) until released, so a client can leave while it runs; every other
 * call goes through.
 */
function holdSnapshots(deliveries: DeliveryService) {
  const original = deliveries.list.bind(deliveries);
  let release!: () => void;
  let gate = new Promise<void>((r) => (release = r));
  let held = 0;
  const spy = jest.spyOn(deliveries, 'list').mockImplementation(async (filter, page) => {
    if (!filter.closedSince && !filter.running && page.limit === 50) {
      held++;
      await gate;
    }
    return original(filter, page);
  });
  return {
    held: () => held,
    release: () => release(),
    rearm: () => {
      held = 0;
      gate = new Promise<void>((r) => (release = r));
    },
    restore: () => spy.mockRestore(),
  };
}

describe('live stream lifecycle', () => {
  let h: DeliveryHarness;
  const call = httpClient(() => h.baseUrl);
  let viewer: string;
  const PER_TOKEN = 5;

  beforeAll(async () => {
    h = await startDeliveryHarness({ api: true, liveStreams: { perToken: PER_TOKEN, total: 8, heartbeatMs: 100 } });
    const created = await call('POST', '/v1/admin/tokens', {
      token: h.adminToken,
      body: { name: 'live viewer', role: 'viewer' },
    });
    viewer = created.body.token;
  });
  afterAll(() => h.close());

  const liveUrl = (token: string, query = '') => `${h.baseUrl}/v1/admin/live-events?token=${token}${query}`;

  test('clients that leave while the first query runs leave no stream or subscription behind', async () => {
    const hold = holdSnapshots(h.deliveries!);
    try {
      // 10 rounds of as many aborted connects as the token may hold: a leaked place would refuse the next round.
      for (let round = 0; round < 10; round++) {
        hold.rearm();
        const controllers = Array.from({ length: PER_TOKEN }, () => new AbortController());
        const requests = controllers.map((c) => fetch(liveUrl(viewer), { signal: c.signal }).catch((e: Error) => e));
        await eventually(
          async () => hold.held() === PER_TOKEN || undefined,
          'every connect in its first query',
          10_000,
          10,
        );
        expect(await openStreams(h.baseUrl)).toBe(PER_TOKEN);
        for (const c of controllers) c.abort();
        for (const outcome of await Promise.all(requests)) expect(outcome).toMatchObject({ name: 'AbortError' });
        // Given back as soon as the client is gone, while the query it started is still held.
        await eventually(
          async () => (await openStreams(h.baseUrl)) === 0 || undefined,
          'the places given back',
          10_000,
          10,
        );
        hold.release();
      }
      // The held queries finished after their clients left: none of them started streaming.
      await eventually(async () => h.live!.watchers === 0 || undefined, 'no live feed subscription', 5_000, 10);
      expect(h.live!.watchers).toBe(0);
    } finally {
      hold.release();
      hold.restore();
    }

    // Streams that did start, then lost their client, give everything back too.
    const streams = await Promise.all(Array.from({ length: PER_TOKEN }, () => openSse(liveUrl(viewer))));
    for (const s of streams) await s.waitFor(/event: snapshot/);
    expect(h.live!.watchers).toBe(PER_TOKEN);
    expect(await openStreams(h.baseUrl)).toBe(PER_TOKEN);
    for (const s of streams) s.abort();
    await eventually(async () => (await openStreams(h.baseUrl)) === 0 || undefined, 'streams closed', 10_000, 10);
    expect(h.live!.watchers).toBe(0);
  });

  test('past the per-token and overall caps a stream is refused with 429 TOO_MANY_STREAMS in the envelope', async () => {
    const mine = await Promise.all(Array.from({ length: PER_TOKEN }, () => openSse(liveUrl(viewer))));
    const others: Awaited<ReturnType<typeof openSse>>[] = [];
    try {
      for (const s of mine) expect(s.status).toBe(200);
      const refused = await openSse(liveUrl(viewer));
      expect(refused.status).toBe(429);
      expect(refused.headers.get('content-type')).toMatch(/^application\/json/);
      expect(refused.headers.get('x-content-type-options')).toBe('nosniff');
      expect(refused.body).toEqual({
        error: {
          code: 'TOO_MANY_STREAMS',
          message: expect.stringContaining(`(${PER_TOKEN})`),
          details: { scope: 'token', limit: PER_TOKEN },
        },
      });
      // Another token still gets a stream, up to the overall cap of 8.
      for (let i = 0; i < 3; i++) others.push(await openSse(liveUrl(h.adminToken)));
      for (const s of others) expect(s.status).toBe(200);
      const full = await openSse(liveUrl(h.adminToken));
      expect(full.status).toBe(429);
      expect(full.body.error).toMatchObject({ code: 'TOO_MANY_STREAMS', details: { scope: 'total', limit: 8 } });

      // A closed stream's place is free again.
      mine[0]!.abort();
      await eventually(async () => (await openStreams(h.baseUrl)) === 7 || undefined, 'one stream closed', 10_000, 10);
      const again = await openSse(liveUrl(viewer));
      expect(again.status).toBe(200);
      mine[0] = again;
    } finally {
      for (const s of [...mine, ...others]) s.abort();
      await eventually(async () => (await openStreams(h.baseUrl)) === 0 || undefined, 'streams closed', 10_000, 10);
    }
  });

  test('a stream ends, with an end event, when its token is revoked', async () => {
    const created = await call('POST', '/v1/admin/tokens', {
      token: h.adminToken,
      body: { name: 'soon revoked', role: 'viewer' },
    });
    const stream = await openSse(liveUrl(created.body.token));
    expect(stream.status).toBe(200);
    await stream.waitFor(/event: snapshot/);
    await stream.waitFor(/: keep-alive/); // the heartbeat runs, and the token passes its check
    const revoked = await call('DELETE', `/v1/admin/tokens/${created.body.id}`, { token: h.adminToken });
    expect(revoked.status).toBe(204);
    const [, data] = await stream.waitFor(/event: end\ndata: (.*)\n\n/, 5_000);
    expect(JSON.parse(data!)).toEqual({
      error: { code: 'UNAUTHORIZED', message: expect.stringContaining('revoked') },
    });
    await deadline(stream.ended, 5_000, () => 'the stream of a revoked token did not end');
    await eventually(async () => (await openStreams(h.baseUrl)) === 0 || undefined, 'the place given back', 5_000, 10);
    // And it cannot come back.
    expect((await openSse(liveUrl(created.body.token))).status).toBe(401);
  });

  test('a malformed filter is 422 before any stream opens', async () => {
    const bad = await openSse(liveUrl(viewer, '&status=lost&integration_id=a%00b&colour=red'));
    expect(bad.status).toBe(422);
    expect(bad.body.error.details.map((d: { field: string }) => d.field).sort()).toEqual([
      'colour',
      'integration_id',
      'status',
    ]);
    expect(await openStreams(h.baseUrl)).toBe(0);
  });
});

describe('revoking a token ends its live streams', () => {
  // Neither the heartbeat nor this replica's periodic check can end a stream within these tests: only revocation can.
  const SLOW_MS = 60_000;
  /** The other replica re-checks a stream's token this often (its PIPELINE_KEY_CACHE_MS). */
  const OTHER_REPLICA_BOUND_MS = 500;
  let h: DeliveryHarness;
  const call = httpClient(() => h.baseUrl);

  beforeAll(async () => {
    h = await startDeliveryHarness({
      api: true,
      noWorker: true,
      liveStreams: { heartbeatMs: SLOW_MS },
      env: { PIPELINE_KEY_CACHE_MS: String(SLOW_MS) },
    });
  });
  afterAll(() => h.close());

  const liveUrl = (baseUrl: string, token: string) => `${baseUrl}/v1/admin/live-events?token=${token}`;
  const issue = async (name: string) =>
    (await call('POST', '/v1/admin/tokens', { token: h.adminToken, body: { name, role: 'viewer' } })).body as {
      id: string;
      token: string;
    };
  const endEvent = /event: end\ndata: (.*)\n\n/;
  const revokedEnd = { error: { code: 'UNAUTHORIZED', message: expect.stringContaining('revoked') } };

  test('revoked through this replica: every stream of the token ends at once, others go on', async () => {
    const doomed = await issue('revoked here');
    const other = await issue('kept');
    const streams = await Promise.all([
      openSse(liveUrl(h.baseUrl, doomed.token)),
      openSse(liveUrl(h.baseUrl, doomed.token)),
    ]);
    const kept = await openSse(liveUrl(h.baseUrl, other.token));
    try {
      for (const s of [...streams, kept]) await s.waitFor(/event: snapshot/);
      expect(await openStreams(h.baseUrl)).toBe(3);
      const revoked = await call('DELETE', `/v1/admin/tokens/${doomed.id}`, { token: h.adminToken });
      expect(revoked.status).toBe(204);
      for (const s of streams) {
        const [, data] = await s.waitFor(endEvent, 2_000);
        expect(JSON.parse(data!)).toEqual(revokedEnd);
        await deadline(s.ended, 2_000, () => 'the stream of a revoked token did not end');
      }
      await eventually(async () => (await openStreams(h.baseUrl)) === 1 || undefined, 'places given back', 5_000, 10);
      expect(kept.text()).not.toMatch(/event: end/);
      expect((await openSse(liveUrl(h.baseUrl, doomed.token))).status).toBe(401);
    } finally {
      for (const s of [...streams, kept]) s.abort();
    }
  });

  test('revoked through another replica: its streams there end within PIPELINE_KEY_CACHE_MS', async () => {
    // A second API on the same store, as a second replica behind a load balancer would be.
    const other = buildApi(h.core, {
      config: { ...h.config, PIPELINE_KEY_CACHE_MS: OTHER_REPLICA_BOUND_MS },
      logger: captureLogs().logger,
      client: h.client,
      liveStreams: { heartbeatMs: SLOW_MS },
    });
    const otherUrl = await other.app.listen({ host: '127.0.0.1', port: 0 });
    const doomed = await issue('revoked elsewhere');
    const there = await openSse(liveUrl(otherUrl, doomed.token));
    const here = await openSse(liveUrl(h.baseUrl, doomed.token));
    try {
      await there.waitFor(/event: snapshot/);
      await here.waitFor(/event: snapshot/);
      const revoked = await call('DELETE', `/v1/admin/tokens/${doomed.id}`, { token: h.adminToken });
      expect(revoked.status).toBe(204);
      const revokedAt = Date.now();
      await here.waitFor(endEvent, 2_000);
      const [, data] = await there.waitFor(endEvent, OTHER_REPLICA_BOUND_MS + 2_000);
      // The bound, plus one store lookup on a loaded test machine.
      expect(Date.now() - revokedAt).toBeLessThan(OTHER_REPLICA_BOUND_MS + 1_000);
      expect(JSON.parse(data!)).toEqual(revokedEnd);
      await deadline(there.ended, 2_000, () => 'the other replica kept the stream of a revoked token open');
      expect((await openSse(liveUrl(otherUrl, doomed.token))).status).toBe(401);
    } finally {
      there.abort();
      here.abort();
      await other.app.close();
    }
  });
});

describe('closing the API', () => {
  test('ends every open stream, so close() returns at once', async () => {
    const h = await startDeliveryHarness({ api: true, liveStreams: { heartbeatMs: 60_000 } });
    try {
      const url = `${h.baseUrl}/v1/admin/live-events?token=${h.adminToken}`;
      const streams = await Promise.all([openSse(url), openSse(url), openSse(url)]);
      for (const s of streams) await s.waitFor(/event: snapshot/);
      await deadline(h.app!.close(), 5_000, () => 'app.close() waited on open live streams');
      for (const s of streams) await deadline(s.ended, 5_000, () => 'a stream outlived the server');
      expect(h.live!.watchers).toBe(0);
    } finally {
      await h.close();
    }
  });
});
