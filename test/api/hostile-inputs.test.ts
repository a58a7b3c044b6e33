import { mkdirSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { resolve } from 'node:path';
import { Client } from 'undici';
import { type DeliveryHarness, startDeliveryHarness } from '../support/delivery-harness';
import {
  type HostileCase,
  hostileCases,
  type HostileOutcome,
  hostileProblems,
  sendHostileCase,
} from '../support/hostile-cases';
import { httpClient } from '../support/http';
import { openSse } from '../support/sse';
import { eventually } from '../support/temporal';
import { deadline } from '../support/wait';

/**
 * Requests a careless client, a curious viewer and an attacker would send, generated across every route and sent over
 * real HTTP with their paths exactly as written (undici's Client does not normalise `..` or percent-encodings the way
 * fetch does). Whatever the request, the answer is never a 5xx, every 4xx is the JSON error envelope, and no secret the
 * service holds, nor the token the request itself sent, appears in any answer. The cases live in
 * test/support/hostile-cases.ts; test/cluster/hostile-production.test.ts sends them to the production layout too.
 */

describe('hostile inputs across every route', () => {
  let h: DeliveryHarness;
  let http: Client;
  let viewer: string;
  let editor: string;
  let issuedKey: string;
  let integrationId: string;
  let tokenId: string;
  const appKey = 'hostile-app-key-4f1c2a9e';
  const creds = { siteId: 'hostile-site', apiKey: 'hostile-track-key-7d3e5b1a' };
  const counts = new Map<number, number>();
  const failures: string[] = [];

  beforeAll(async () => {
    // Limits far above what the cases send: the point is how each request is answered, not the rate limiter's 429.
    h = await startDeliveryHarness({
      api: true,
      rateLimits: { adminPerSecond: 100_000, intakePerSecond: 100_000, authFailuresPerMinute: 100_000 },
    });
    h.us.acceptCredentials(creds);
    const installed = await h.installThroughApi({ name: 'Hostile target', credentials: creds, appKey });
    expect(installed.status).toBe(201);
    integrationId = installed.body.id;
    const call = httpClient(() => h.baseUrl);
    const v = await call('POST', '/v1/admin/tokens', { token: h.adminToken, body: { name: 'viewer', role: 'viewer' } });
    const e = await call('POST', '/v1/admin/tokens', { token: h.adminToken, body: { name: 'editor', role: 'editor' } });
    const k = await call('POST', '/v1/admin/pipeline-keys', { token: h.adminToken, body: { name: 'hostile' } });
    [viewer, editor, issuedKey, tokenId] = [v.body.token, e.body.token, k.body.key, v.body.id];
    http = new Client(h.baseUrl, { pipelining: 1, bodyTimeout: 10_000, headersTimeout: 10_000 });
  });
  afterAll(async () => {
    await http?.close();
    await h.close();
  });

  /** Every secret the service holds or issued: none may appear in any answer. */
  const secrets = () => [h.adminToken, h.pipelineKey, h.encryptionKey, viewer, editor, issuedKey, appKey, creds.apiKey];

  function cases(): HostileCase[] {
    return hostileCases({
      adminToken: h.adminToken,
      pipelineKey: h.pipelineKey,
      viewer,
      editor,
      integrationId,
      tokenId,
    });
  }

  const send = (c: HostileCase): Promise<HostileOutcome> => sendHostileCase(http, h.baseUrl, c);

  test('at least 300 hostile requests: no 5xx, every 4xx the JSON envelope, no secret in any answer', async () => {
    const all = cases();
    expect(all.length).toBeGreaterThanOrEqual(300);
    const known = secrets();
    for (const c of all) {
      let outcome: HostileOutcome;
      try {
        outcome = await send(c);
      } catch (err) {
        failures.push(`${c.name}: no answer (${(err as Error).message})`);
        continue;
      }
      counts.set(outcome.status, (counts.get(outcome.status) ?? 0) + 1);
      const problems = hostileProblems(c, outcome, known);
      if (problems.length > 0) failures.push(`${c.method} ${c.path.slice(0, 120)} (${c.name}): ${problems.join('; ')}`);
    }

    const table = [...counts.entries()].sort(([a], [b]) => a - b);
    const summary = `${all.length} hostile requests; answers by status: ${table.map(([s, n]) => `${s}: ${n}`).join(', ')}`;
    console.warn(summary);
    mkdirSync(resolve(__dirname, '../../test-results'), { recursive: true });
    writeFileSync(
      resolve(__dirname, '../../test-results/hostile-inputs.json'),
      JSON.stringify({ cases: all.length, byStatus: Object.fromEntries(table), failures }, null, 2) + '\n',
    );
    expect(failures).toEqual([]);
    expect(table.filter(([s]) => s >= 500)).toEqual([]);
  });
});

describe('event input: ids, names and times intake refuses, and what it keeps exact', () => {
  let h: DeliveryHarness;
  const creds = { siteId: 'input-site', apiKey: 'input-track-key-5e2c8a1f' };
  const call = httpClient(() => h.baseUrl);

  beforeAll(async () => {
    h = await startDeliveryHarness({ api: true });
    h.us.acceptCredentials(creds);
    const installed = await h.installThroughApi({ name: 'Input rules', credentials: creds, appKey: 'input-app-key' });
    expect(installed.status).toBe(201);
  });
  afterAll(() => h.close());

  let n = 0;
  /** Posts `json` to /v1/events as written (numbers too long for a JS number stay as the sender wrote them). */
  const post = (json: string) => call('POST', '/v1/events', { token: h.pipelineKey, raw: json });
  const messageId = () => `input-rules-${++n}-${Date.now()}`;
  const event = (fields: string) => `{"type":"track","event":"x","messageId":"${messageId()}",${fields}}`;

  function expectRefused(res: Awaited<ReturnType<typeof call>>, field: string, message: RegExp): void {
    expect({ status: res.status, type: res.headers.get('content-type') }).toEqual({
      status: 422,
      type: expect.stringMatching(/^application\/json/),
    });
    expect(res.body.error).toMatchObject({ code: 'VALIDATION_FAILED', message: expect.any(String) });
    expect(res.body.error.details).toEqual([{ field, message: expect.stringMatching(message) }]);
  }

  test.each([
    ['userId', '"userId":12345678901234567890'],
    ['userId', '"userId":9007199254740993'],
    ['userId', '"userId":9007199254740992'],
    ['userId', '"userId":1e21'],
    ['userId', '"userId":1.5'],
    ['anonymousId', '"userId":"u","anonymousId":-9007199254740993'],
    ['traits.id', '"traits":{"id":12345678901234567890}'],
    ['context.traits.userId', '"context":{"traits":{"userId":18446744073709551615}}'],
    ['context.externalId.0.id', '"context":{"externalId":[{"id":98765432109876543210,"type":"id"}]}'],
    ['properties.objectId', '"userId":"u","properties":{"objectId":12345678901234567890}'],
  ])('a numeric %s that JSON cannot carry exactly (%s) is 422 naming it', async (field, fields) => {
    expectRefused(await post(event(fields)), field, /2\^53 - 1.*send the id as a string/);
  });

  test('previousId and groupId beyond 2^53 - 1 are 422 naming them', async () => {
    const alias = `{"type":"alias","userId":"u","previousId":12345678901234567890,"messageId":"${messageId()}"}`;
    expectRefused(await post(alias), 'previousId', /2\^53 - 1/);
    const group = `{"type":"group","userId":"u","groupId":12345678901234567890,"messageId":"${messageId()}"}`;
    expectRefused(await post(group), 'groupId', /2\^53 - 1/);
  });

  test('an id within 2^53 - 1 is delivered with its exact digits', async () => {
    h.us.clear();
    const res = await post(event('"userId":9007199254740991'));
    expect(res.status).toBe(202);
    await h.client.workflow.getHandle(res.body.deliveries[0].workflow_id).result();
    expect(h.us.requests.map((r) => r.path)).toContain('/api/v1/customers/9007199254740991/events');
  });

  test('an NFD id is delivered as its NFC spelling; one with a zero-width space is 422', async () => {
    h.us.clear();
    const res = await call('POST', '/v1/events', {
      token: h.pipelineKey,
      body: { type: 'track', event: 'x', userId: 'jose\u0301', messageId: messageId() },
    });
    expect(res.status).toBe(202);
    await h.client.workflow.getHandle(res.body.deliveries[0].workflow_id).result();
    expect(h.us.requests.map((r) => r.path)).toContain(`/api/v1/customers/${encodeURIComponent('jos\u00e9')}/events`);

    const hidden = await call('POST', '/v1/events', {
      token: h.pipelineKey,
      body: { type: 'track', event: 'x', userId: 'jos\u00e9\u200b', messageId: messageId() },
    });
    expectRefused(hidden, 'userId', /invisible format characters \(it holds U\+200B\)/);
  });

  test('an event name with terminal escape sequences is 422 naming it', async () => {
    const res = await call('POST', '/v1/events', {
      token: h.pipelineKey,
      body: {
        type: 'track',
        event: '\u001b[2J\u001b]0;pwned\u0007Order \u001b[31mPaid',
        userId: 'u',
        messageId: messageId(),
      },
    });
    expectRefused(res, 'event', /control characters/);
  });

  test.each([
    ['0001-01-01T00:00:00Z', /1970-01-01T00:00:00Z up to 2100-01-01T00:00:00Z/],
    ['9999-12-31T23:59:59Z', /1970-01-01T00:00:00Z up to 2100-01-01T00:00:00Z/],
    ['2026-02-25T14:30:00+99:99', /offset \+99:99.*-23:59 to \+23:59/],
    ['2026-02-25T14:30:00-25:00', /offset -25:00/],
  ])('the timestamp %s is 422 naming it', async (timestamp, message) => {
    expectRefused(await post(event(`"userId":"u","timestamp":"${timestamp}"`)), 'timestamp', message);
  });

  test.each(['1e20', '8.64e21', '100000000000000000000'])('the unix timestamp %s is 422 naming it', async (number) => {
    expectRefused(
      await post(event(`"userId":"u","timestamp":${number}`)),
      'timestamp',
      /outside the event times accepted \(read as .*\): from 1970-01-01T00:00:00Z up to 2100-01-01T00:00:00Z/,
    );
  });

  test('a page whose URL is over 100 bytes is filed under its path, within the limit; data.url has the URL', async () => {
    h.us.clear();
    const url = `https://shop.example.com/checkout/complete?${'utm_campaign=spring-sale&'.repeat(5)}ref=mail`;
    const res = await call('POST', '/v1/events', {
      token: h.pipelineKey,
      body: { type: 'page', userId: 'page-user', properties: { url }, messageId: messageId() },
    });
    expect(res.status).toBe(202);
    await h.client.workflow.getHandle(res.body.deliveries[0].workflow_id).result();
    const sent = h.us.requests.find((r) => r.path === '/api/v1/customers/page-user/events');
    expect(sent?.json).toMatchObject({ type: 'page', name: '/checkout/complete', data: { url } });
  });
});

describe('slow clients: request deadlines, and early refusals close their connection', () => {
  const REQUEST_MS = 1_500;
  const BODY_IDLE_MS = 600;
  /** Node looks for expired requests every REQUEST_MS/10; the rest is loopback and a loaded test machine. */
  const SLACK_MS = 1_000;
  let h: DeliveryHarness;

  beforeAll(async () => {
    h = await startDeliveryHarness({
      api: true,
      noWorker: true,
      liveStreams: { heartbeatMs: 100 },
      env: { API_REQUEST_TIMEOUT_MS: String(REQUEST_MS), API_BODY_IDLE_TIMEOUT_MS: String(BODY_IDLE_MS) },
    });
  });
  afterAll(() => h.close());

  interface RawAnswer {
    status: number;
    headers: Record<string, string>;
    body: string;
  }

  /** A client on a bare socket: it writes what it is told, when it is told, and reads the answers as they come. */
  function rawConnection() {
    const url = new URL(h.baseUrl);
    const socket = connect(Number(url.port), url.hostname);
    const openedAt = Date.now();
    let received = '';
    const waiters = new Set<() => void>();
    const notify = () => waiters.forEach((w) => w());
    let closedAt: number | undefined;
    socket.setEncoding('latin1');
    socket.on('data', (d: string) => {
      received += d;
      notify();
    });
    // A server that closes while this client still writes may reset the connection: that is a close too.
    socket.on('error', () => undefined);
    socket.on('close', () => {
      closedAt = Date.now();
      notify();
    });
    const until = <T>(check: () => T | undefined, ms: number, what: () => string): Promise<T> =>
      deadline(
        new Promise<T>((resolvePromise) => {
          const test = () => {
            const value = check();
            if (value !== undefined) {
              waiters.delete(test);
              resolvePromise(value);
            }
          };
          waiters.add(test);
          test();
        }),
        ms,
        what,
      );
    /** The answers read so far, each whole (Content-Length bodies). */
    const answers = (): RawAnswer[] => {
      const out: RawAnswer[] = [];
      let rest = received;
      for (;;) {
        const end = rest.indexOf('\r\n\r\n');
        if (end < 0) return out;
        const [statusLine = '', ...lines] = rest.slice(0, end).split('\r\n');
        const headers = Object.fromEntries(
          lines.map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]),
        );
        const length = Number(headers['content-length'] ?? 0);
        if (rest.length < end + 4 + length) return out;
        out.push({ status: Number(statusLine.split(' ')[1]), headers, body: rest.slice(end + 4, end + 4 + length) });
        rest = rest.slice(end + 4 + length);
      }
    };
    return {
      openedAt,
      write: (text: string) => socket.write(text),
      isClosed: () => closedAt !== undefined,
      answer: (n: number, ms: number) =>
        until(
          () => answers()[n],
          ms,
          () => `no answer #${n + 1} within ${ms} ms; received: ${JSON.stringify(received.slice(0, 500))}`,
        ),
      /** When the server closed the connection (ms after it opened). */
      closed: (ms: number) =>
        until(
          () => (closedAt === undefined ? undefined : closedAt - openedAt),
          ms,
          () => `the server kept the connection open for more than ${ms} ms`,
        ),
      destroy: () => socket.destroy(),
    };
  }

  const EVENT = JSON.stringify({ type: 'track', event: 'Slow', userId: 'u-slow', messageId: 'slow-1' });
  const postHead = (token: string, length: number, path = '/v1/events') =>
    `POST ${path} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${token}\r\n` +
    `Content-Type: application/json\r\nContent-Length: ${length}\r\n\r\n`;

  function expectClosingEnvelope(answer: RawAnswer, status: number, code: string): void {
    expect(answer.status).toBe(status);
    expect(answer.headers.connection).toBe('close');
    expect(answer.headers['content-type']).toMatch(/^application\/json/);
    expect(answer.headers['x-content-type-options']).toBe('nosniff');
    expect(JSON.parse(answer.body)).toEqual({ error: { code, message: expect.any(String) } });
  }

  test('a body trickled a byte at a time under a good key is answered 408 and closed at the whole-request deadline', async () => {
    // Each byte comes well within the idle timeout: only the whole-request deadline can stop these.
    const clients = Array.from({ length: 5 }, () => rawConnection());
    const trickles = clients.map((c) => {
      c.write(postHead(h.pipelineKey, EVENT.length));
      let sent = 0;
      return setInterval(() => {
        if (sent < EVENT.length - 1 && !c.isClosed()) c.write(EVENT[sent++]!);
      }, BODY_IDLE_MS / 4);
    });
    try {
      for (const c of clients) {
        expectClosingEnvelope(await c.answer(0, REQUEST_MS + SLACK_MS), 408, 'REQUEST_TIMEOUT');
        const closedAfter = await c.closed(REQUEST_MS + SLACK_MS);
        expect(closedAfter).toBeGreaterThanOrEqual(REQUEST_MS - 100);
      }
    } finally {
      trickles.forEach(clearInterval);
      clients.forEach((c) => c.destroy());
    }
  });

  test('a body that stops arriving is answered 408 and closed after the idle timeout, before the deadline', async () => {
    const c = rawConnection();
    try {
      c.write(postHead(h.pipelineKey, EVENT.length) + EVENT.slice(0, 10));
      expectClosingEnvelope(await c.answer(0, BODY_IDLE_MS + SLACK_MS), 408, 'REQUEST_TIMEOUT');
      expect(await c.closed(BODY_IDLE_MS + SLACK_MS)).toBeLessThan(REQUEST_MS);
    } finally {
      c.destroy();
    }
  });

  test('a bad token with its body still coming is answered 401 at once, then the server closes the connection', async () => {
    const c = rawConnection();
    const trickle = setInterval(() => !c.isClosed() && c.write(' '), 50);
    try {
      c.write(postHead('not-a-valid-key-123456', 100_000) + '{"type":');
      expectClosingEnvelope(await c.answer(0, SLACK_MS), 401, 'UNAUTHORIZED');
      // Closed by the server while the client still sends, and long before any deadline could do it.
      expect(await c.closed(BODY_IDLE_MS)).toBeLessThan(BODY_IDLE_MS);
    } finally {
      clearInterval(trickle);
      c.destroy();
    }
  });

  test('a body declared over the limit is answered 413 at once, then the server closes the connection', async () => {
    const c = rawConnection();
    const trickle = setInterval(() => !c.isClosed() && c.write(' '), 50);
    try {
      c.write(postHead(h.pipelineKey, 600_000) + '{"type":');
      expectClosingEnvelope(await c.answer(0, SLACK_MS), 413, 'PAYLOAD_TOO_LARGE');
      expect(await c.closed(BODY_IDLE_MS)).toBeLessThan(BODY_IDLE_MS);
    } finally {
      clearInterval(trickle);
      c.destroy();
    }
  });

  test('a keep-alive connection outlives both timeouts between requests, and a refused complete request keeps it', async () => {
    const c = rawConnection();
    try {
      c.write(postHead(h.pipelineKey, EVENT.length) + EVENT);
      expect((await c.answer(0, 5_000)).status).toBe(202);
      // Idle for longer than both the deadline and the body idle timeout: neither applies between requests.
      await new Promise((r) => setTimeout(r, REQUEST_MS + BODY_IDLE_MS));
      expect(c.isClosed()).toBe(false);
      const bad = '{"type":"bogus"}';
      c.write(postHead(h.pipelineKey, bad.length) + bad);
      const refused = await c.answer(1, 5_000);
      expect(refused.status).toBe(422);
      expect(refused.headers.connection).not.toBe('close');
      c.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
      expect((await c.answer(2, 5_000)).status).toBe(200);
      expect(c.isClosed()).toBe(false);
    } finally {
      c.destroy();
    }
  });

  test('a live stream is not cut by the whole-request deadline', async () => {
    const stream = await openSse(`${h.baseUrl}/v1/admin/live-events?token=${h.adminToken}`);
    try {
      expect(stream.status).toBe(200);
      await stream.waitFor(/event: snapshot/);
      const startedAt = Date.now();
      let ended = false;
      void stream.ended.then(() => (ended = true));
      // Heartbeats every 100 ms for three whole-request deadlines: the stream is still open and still beating.
      const beats = () => stream.text().split(': keep-alive\n\n').length - 1;
      await eventually(
        async () => ended || beats() >= (3 * REQUEST_MS) / 100 || undefined,
        'three deadlines of heartbeats',
        20_000,
        50,
      );
      expect(ended).toBe(false);
      expect(Date.now() - startedAt).toBeGreaterThan(2 * REQUEST_MS);
    } finally {
      stream.abort();
    }
  });
});
