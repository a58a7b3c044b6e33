import { mkdirSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { resolve } from 'node:path';
import { Client } from 'undici';
import { type DeliveryHarness, startDeliveryHarness } from '../support/delivery-harness';
import { httpClient } from '../support/http';
import { openSse } from '../support/sse';
import { eventually } from '../support/temporal';
import { deadline } from '../support/wait';

/**
 * Requests a careless client, a curious viewer and an attacker would send, generated across every route and sent over
 * real HTTP with their paths exactly as written (undici's Client does not normalise `..` or percent-encodings the way
 * fetch does). Whatever the request, the answer is never a 5xx, every 4xx is the JSON error envelope, and no secret the
 * service holds, nor the token the request itself sent, appears in any answer.
 */

interface Case {
  name: string;
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** Statuses this case must get; without it, any answer below 500 that keeps the other rules. */
  expect?: number[];
  /** The answer must come this fast (ms): refusals that must not wait on Temporal. */
  within?: number;
  /** Sent on a raw socket, as bytes that are not valid HTTP for Node's parser. */
  raw?: string;
}

interface Outcome {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  ms: number;
}

/** Values no name, id or filter should hold, and ones that look harmless but are not. */
const CONTROL = ['a\u0000b', 'bell\u0007', 'x\r\nSet-Cookie: a=b', '\u001b[31mred', 'del\u007f', 'nel\u0085'];
const TRAVERSAL = ['..', '.', '../../etc/passwd', '..%2f..%2fetc%2fpasswd', '%2e%2e', '%2E%2E%2F', '....//', '%00'];
const UNICODE = ['😀', 'ｆｕｌｌｗｉｄｔｈ', 'rtl\u202eevil', 'zero\u200bwidth', 'e\u0301\u0301\u0301', '𝕏'.repeat(40)];
const INJECTION = [
  "' OR 1=1 --",
  '" OR "1"="1',
  'x" OR WorkflowId != "',
  '<script>alert(1)</script>',
  '${jndi:ldap://x/a}',
  '{{7*7}}',
  '__proto__',
  'constructor',
];
/** Not a page size: every one is refused. */
const NUMBERS = ['-1', '0', '101', '1e309', 'NaN', '99999999999999999999', '1.5', '[]', '{}', 'null', 'true'];

const q = (value: string) => encodeURIComponent(value);
/** An invalid UTF-8 sequence (a UTF-16 surrogate, percent-encoded as if it were UTF-8), which no JS string can hold. */
const LONE_SURROGATE = '%ED%A0%80';

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

  function cases(): Case[] {
    const out: Case[] = [];
    const admin = { authorization: `Bearer ${h.adminToken}` };
    const json = { ...admin, 'content-type': 'application/json' };
    const add = (c: Case) => out.push(c);

    // Query filters of the lists and the live stream: control characters are 422, the rest never a 5xx.
    const queried: [string, string[]][] = [
      ['/v1/admin/deliveries', ['integration_id', 'event_name', 'customer_id', 'message_id', 'status', 'since']],
      ['/v1/admin/live-events', ['integration_id', 'status', 'event_type']],
      ['/v1/admin/audit-logs', ['action', 'resource_id']],
      ['/v1/admin/integration-catalog', ['category']],
    ];
    for (const [path, params] of queried) {
      for (const param of params) {
        for (const value of CONTROL)
          add({
            name: `${path} ?${param}= control`,
            method: 'GET',
            path: `${path}?${param}=${q(value)}`,
            headers: admin,
            expect: [422],
            within: 2_000,
          });
        for (const value of [...INJECTION, ...UNICODE.slice(0, 3), 'x'.repeat(5_000)])
          add({ name: `${path} ?${param}= odd`, method: 'GET', path: `${path}?${param}=${q(value)}`, headers: admin });
        add({
          name: `${path} ?${param}= lone surrogate`,
          method: 'GET',
          path: `${path}?${param}=a${LONE_SURROGATE}`,
          headers: admin,
        });
      }
    }
    // Page sizes and unknown or repeated parameters.
    for (const path of ['/v1/admin/deliveries', '/v1/admin/integrations', '/v1/admin/tokens', '/v1/admin/audit-logs']) {
      for (const value of NUMBERS)
        add({
          name: `${path} ?limit=${value}`,
          method: 'GET',
          path: `${path}?limit=${q(value)}`,
          headers: admin,
          expect: [422],
        });
      add({
        name: `${path} repeated limit`,
        method: 'GET',
        path: `${path}?limit=1&limit=2`,
        headers: admin,
        expect: [422],
      });
      add({ name: `${path} unknown param`, method: 'GET', path: `${path}?colour=red`, headers: admin, expect: [422] });
      add({
        name: `${path} proto param`,
        method: 'GET',
        path: `${path}?__proto__[admin]=1&constructor[prototype][x]=1`,
        headers: admin,
        expect: [422],
      });
    }

    // Forged and garbled cursors: a quick 4xx, never a query that hangs or a 500.
    const forged = [
      'AAAA',
      'not-a-cursor',
      'abc.def',
      Buffer.from('{"createdAt":"2026-01-01T00:00:00Z","id":"x\' OR 1=1"}').toString('base64url'),
      Buffer.from('{"createdAt":"yesterday","id":"int_1"}').toString('base64url'),
      Buffer.from('null').toString('base64url'),
      Buffer.from('[1,2,3]').toString('base64url'),
      Buffer.from(JSON.stringify({ createdAt: { $gt: '' }, id: [] })).toString('base64url'),
      'A'.repeat(3_900),
      `${Buffer.from('x'.repeat(64)).toString('base64url')}.${'A'.repeat(43)}`,
      '%00',
      '..',
    ];
    for (const path of [
      '/v1/admin/deliveries',
      '/v1/admin/integrations',
      '/v1/admin/tokens',
      '/v1/admin/pipeline-keys',
      '/v1/admin/audit-logs',
    ]) {
      for (const cursor of forged)
        add({
          name: `${path} forged cursor`,
          method: 'GET',
          path: `${path}?cursor=${q(cursor)}`,
          headers: admin,
          expect: [422],
          within: 2_000,
        });
    }

    // Path parameters: traversal, control characters, unicode, injection, over-long.
    const withId: [string, (id: string) => string, Record<string, string>, string?][] = [
      ['GET', (id) => `/v1/admin/integrations/${id}`, admin],
      ['GET', (id) => `/v1/admin/integrations/${id}/revisions`, admin],
      ['PATCH', (id) => `/v1/admin/integrations/${id}`, json, '{"name":"renamed"}'],
      ['DELETE', (id) => `/v1/admin/integrations/${id}`, admin],
      ['GET', (id) => `/v1/admin/deliveries/${id}`, admin],
      ['POST', (id) => `/v1/admin/deliveries/${id}/replay`, json, '{}'],
      ['GET', (id) => `/v1/admin/integration-catalog/${id}`, admin],
      ['DELETE', (id) => `/v1/admin/tokens/${id}`, admin],
      ['DELETE', (id) => `/v1/admin/pipeline-keys/${id}`, admin],
    ];
    const ids = [
      ...TRAVERSAL,
      ...CONTROL.slice(0, 3).map(q),
      ...UNICODE.slice(0, 3).map(q),
      ...INJECTION.slice(0, 4).map(q),
      LONE_SURROGATE,
      'x'.repeat(1_500),
    ];
    for (const [method, path, headers, body] of withId) {
      for (const id of ids)
        add({ name: `${method} ${path(':id')} id=${id.slice(0, 20)}`, method, path: path(id), headers, body });
    }
    // Control characters in a path parameter are a 422 wherever the parameter is text.
    for (const path of [(id: string) => `/v1/admin/deliveries/${id}`, (id: string) => `/v1/admin/integrations/${id}`]) {
      for (const value of CONTROL)
        add({
          name: `path control ${path(':id')}`,
          method: 'GET',
          path: path(q(value)),
          headers: admin,
          expect: [422],
        });
    }
    // run_id must be a UUID.
    for (const runId of ['1', 'not-a-uuid', "' OR 1=1", '00000000-0000-0000-0000-00000000000g', 'x'.repeat(300), '%00'])
      add({
        name: `run_id=${runId.slice(0, 20)}`,
        method: 'GET',
        path: `/v1/admin/deliveries/customer_io:x:m?run_id=${q(runId)}`,
        headers: admin,
        expect: [422],
        within: 2_000,
      });

    // Bodies: malformed JSON, wrong types, wrong content types, too large, too deep, too many keys.
    const posted: [string, string, Record<string, string>][] = [
      ['POST', '/v1/admin/integration-catalog/customer_io/install', json],
      ['PATCH', `/v1/admin/integrations/${integrationId}`, json],
      ['POST', '/v1/admin/deliveries/replay', json],
      ['POST', '/v1/admin/tokens', json],
      ['POST', '/v1/admin/pipeline-keys', json],
      ['POST', '/v1/events', { authorization: `Bearer ${h.pipelineKey}`, 'content-type': 'application/json' }],
      ['POST', '/v1/batch', { authorization: `Bearer ${h.pipelineKey}`, 'content-type': 'application/json' }],
    ];
    const badJson = [
      '{',
      '{"a":',
      'nul',
      '[1,2',
      '{"a":1}garbage',
      "{'a':1}",
      '{"a":1,}',
      '\u0000',
      '"just a string"',
      '[]',
      '42',
      'null',
    ];
    for (const [method, path, headers] of posted) {
      for (const body of badJson)
        add({ name: `${path} body ${body.slice(0, 10)}`, method, path, headers, body, expect: [400, 422] });
      for (const type of [
        'text/plain',
        'application/xml',
        'application/x-www-form-urlencoded',
        'multipart/form-data; boundary=x',
        'application/json-patch+json',
      ])
        add({
          name: `${path} content-type ${type}`,
          method,
          path,
          headers: { ...headers, 'content-type': type },
          body: '{"a":1}',
          expect: [415],
        });
      add({
        name: `${path} 2 MB body`,
        method,
        path,
        headers,
        body: JSON.stringify({ a: 'x'.repeat(2_100_000) }),
        expect: [413],
      });
      add({ name: `${path} deep`, method, path, headers, body: '{"a":'.repeat(5_000) + '1' + '}'.repeat(5_000) });
      add({
        name: `${path} many keys`,
        method,
        path,
        headers,
        body: JSON.stringify(Object.fromEntries(Array.from({ length: 5_000 }, (_, i) => [`k${i}`, i]))),
      });
      add({
        name: `${path} proto`,
        method,
        path,
        headers,
        body: '{"__proto__":{"admin":true},"constructor":{"prototype":{"x":1}}}',
      });
    }
    // Names with control characters are refused; unusual but printable ones are taken or refused cleanly.
    for (const name of CONTROL) {
      add({
        name: 'token name control',
        method: 'POST',
        path: '/v1/admin/tokens',
        headers: json,
        body: JSON.stringify({ name, role: 'viewer' }),
        expect: [422],
      });
      add({
        name: 'key name control',
        method: 'POST',
        path: '/v1/admin/pipeline-keys',
        headers: json,
        body: JSON.stringify({ name }),
        expect: [422],
      });
      add({
        name: 'integration rename control',
        method: 'PATCH',
        path: `/v1/admin/integrations/${integrationId}`,
        headers: json,
        body: JSON.stringify({ name, verify: false }),
        expect: [422],
      });
    }
    for (const role of ['root', 'ADMIN', '', 'admin\u0000', null, 1])
      add({
        name: `token role ${String(role)}`,
        method: 'POST',
        path: '/v1/admin/tokens',
        headers: json,
        body: JSON.stringify({ name: 'x', role }),
        expect: [422],
      });
    add({
      name: 'install: 5000 unknown config keys',
      method: 'POST',
      path: '/v1/admin/integration-catalog/customer_io/install',
      headers: json,
      body: JSON.stringify({
        name: 'n',
        config: Object.fromEntries(
          Array.from({ length: 5_000 }, (_, i) => [`unknown_key_${i}_${'x'.repeat(30)}`, 'v']),
        ),
      }),
      expect: [422],
    });
    // Events that must be refused on their own.
    const events = [
      { type: 'track', event: 'E', userId: '..', messageId: 'm1' },
      { type: 'track', event: 'E', userId: '.', messageId: 'm1b' },
      { type: 'track', event: 'E', userId: 'a\u0000b', messageId: 'm2' },
      { type: 'bogus' },
    ];
    for (const event of events)
      add({
        name: `event ${JSON.stringify(event).slice(0, 30)}`,
        method: 'POST',
        path: '/v1/events',
        headers: { authorization: `Bearer ${h.pipelineKey}`, 'content-type': 'application/json' },
        body: JSON.stringify(event),
        expect: [422],
      });
    add({
      name: 'event with lone surrogate',
      method: 'POST',
      path: '/v1/events',
      headers: { authorization: `Bearer ${h.pipelineKey}`, 'content-type': 'application/json' },
      body: '{"type":"identify","userId":"\\ud800","messageId":"m4"}',
      expect: [422],
    });
    add({
      name: 'batch of 501',
      method: 'POST',
      path: '/v1/batch',
      headers: { authorization: `Bearer ${h.pipelineKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ batch: Array.from({ length: 501 }, () => ({})) }),
      expect: [422],
    });

    // Credentials: missing, malformed, wrong kind, near misses, over-long, in the wrong place.
    const badAuth: [string, Record<string, string>][] = [
      ['none', {}],
      ['empty bearer', { authorization: 'Bearer ' }],
      ['bearer x', { authorization: 'Bearer x' }],
      ['basic', { authorization: `Basic ${Buffer.from(`admin:${'p'.repeat(12)}`).toString('base64')}` }],
      ['near-miss admin', { authorization: `Bearer ${h.adminToken}x` }],
      ['truncated admin', { authorization: `Bearer ${h.adminToken.slice(0, -1)}` }],
      ['pipeline key on admin', { authorization: `Bearer ${h.pipelineKey}` }],
      ['long token', { authorization: `Bearer ${'t'.repeat(10_000)}` }],
      ['lower-case scheme', { authorization: `bearer ${'z'.repeat(20)}` }],
    ];
    for (const path of [
      '/v1/admin/integrations',
      '/v1/admin/deliveries',
      '/v1/admin/tokens',
      '/v1/admin/live-events',
      '/v1/admin/audit-logs',
    ]) {
      for (const [label, headers] of badAuth)
        add({ name: `${path} auth ${label}`, method: 'GET', path, headers, expect: [401] });
    }
    const badIntakeAuth = badAuth.filter(([label]) => label !== 'pipeline key on admin');
    for (const [label, headers] of [
      ...badIntakeAuth,
      ['admin token on intake', admin] as [string, Record<string, string>],
    ]) {
      add({
        name: `/v1/events auth ${label}`,
        method: 'POST',
        path: '/v1/events',
        headers: { ...headers, 'content-type': 'application/json' },
        body: '{"type":"identify","userId":"u"}',
        expect: [401],
      });
    }
    // Roles: a viewer cannot change anything, an editor cannot manage access.
    const viewerAuth = { authorization: `Bearer ${viewer}`, 'content-type': 'application/json' };
    const editorAuth = { authorization: `Bearer ${editor}`, 'content-type': 'application/json' };
    for (const [method, path, body] of [
      ['POST', '/v1/admin/tokens', '{"name":"x","role":"admin"}'],
      ['GET', '/v1/admin/tokens', undefined],
      ['DELETE', `/v1/admin/integrations/${integrationId}`, undefined],
      ['POST', '/v1/admin/deliveries/replay', '{"dry_run":true}'],
      ['PATCH', `/v1/admin/integrations/${integrationId}`, '{"enabled":false}'],
    ] as const) {
      add({ name: `viewer ${method} ${path}`, method, path, headers: viewerAuth, body, expect: [403] });
    }
    for (const [method, path] of [
      ['POST', '/v1/admin/pipeline-keys'],
      ['GET', '/v1/admin/audit-logs'],
      ['DELETE', `/v1/admin/tokens/${tokenId}`],
    ] as const)
      add({
        name: `editor ${method} ${path}`,
        method,
        path,
        headers: editorAuth,
        body: method === 'POST' ? '{"name":"x"}' : undefined,
        expect: [403],
      });
    // A token in the query is taken on the live stream only.
    add({
      name: 'query token elsewhere',
      method: 'GET',
      path: `/v1/admin/integrations?token=${h.adminToken}`,
      expect: [401],
    });
    add({
      name: 'query token with control char',
      method: 'GET',
      path: `/v1/admin/live-events?token=${q(`${h.adminToken}\u0000`)}`,
      expect: [401, 422],
    });

    // URLs the router or Node's parser refuse, and odd methods and paths.
    add({
      name: 'URL over 8 KB',
      method: 'GET',
      path: `/v1/admin/integrations?x=${'a'.repeat(9_000)}`,
      headers: admin,
      expect: [414],
    });
    add({
      name: 'path param over its limit',
      method: 'GET',
      path: `/v1/admin/deliveries/${'a'.repeat(3_000)}`,
      headers: admin,
      expect: [404, 414],
    });
    add({
      name: 'URL over 16 KB',
      method: 'GET',
      path: `/v1/admin/integrations/${'a'.repeat(20_000)}`,
      headers: admin,
      expect: [431],
    });
    add({
      name: 'header over 16 KB',
      method: 'GET',
      path: '/healthz',
      headers: { 'x-big': 'b'.repeat(20_000) },
      expect: [431],
    });
    for (const path of [
      '/v1/admin/integrations/%E0%A4%A',
      '/v1/admin/deliveries/%',
      '/v1/admin/deliveries/%zz',
      `/v1/admin/integrations/${LONE_SURROGATE}`,
    ])
      add({ name: `bad percent-encoding ${path}`, method: 'GET', path, headers: admin, expect: [400, 404, 422] });
    for (const path of [
      '/',
      '//v1//admin//integrations',
      '/v1/admin/../../etc/passwd',
      '/v1/admin/%2e%2e/%2e%2e/etc/passwd',
      '/.env',
      '/v1/admin',
      '/v1/admin/',
      '/live/../package.json',
      '/live/app.js/..%2f..%2fpackage.json',
      '/metrics/../readyz',
      '/V1/ADMIN/INTEGRATIONS',
      '/v1/admin/integrations;jsessionid=1',
    ])
      add({ name: `odd path ${path}`, method: 'GET', path, headers: admin });
    for (const method of ['PUT', 'OPTIONS', 'TRACE', 'PROPFIND', 'DELETE'])
      add({ name: `${method} /v1/admin/integrations`, method, path: '/v1/admin/integrations', headers: admin });
    for (const path of ['/healthz', '/readyz', '/metrics', '/live', '/live/app.js', '/live/app.css'])
      add({ name: `${path} hostile query`, method: 'GET', path: `${path}?x=${q('a\u0000b')}`, expect: [422] });
    add({
      name: 'malformed request line',
      method: 'GET',
      path: '/',
      raw: 'GET /healthz HTTP/1.1\r\nHost: x\r\nBad Header Line\r\n\r\n',
      expect: [400],
    });
    add({
      name: 'not HTTP at all',
      method: 'GET',
      path: '/',
      raw: '\u0016\u0003\u0001\u0000\u00a5\u0001\u0000\u0000\u00a1\u0003\u0003\r\n\r\n',
      expect: [400],
    });
    add({
      name: 'header with NUL',
      method: 'GET',
      path: '/',
      raw: 'GET /healthz HTTP/1.1\r\nHost: x\r\nX-A: a\u0000b\r\n\r\n',
      expect: [400],
    });
    return out;
  }

  async function send(c: Case): Promise<Outcome> {
    const started = Date.now();
    if (c.raw !== undefined) return rawRequest(c.raw, started);
    const res = await http.request({ method: c.method, path: c.path, headers: c.headers ?? {}, body: c.body });
    const type = String(res.headers['content-type'] ?? '');
    let text: string;
    if (res.statusCode === 200 && type.startsWith('text/event-stream')) {
      // A stream that opened: what matters is that it did; it is closed at once (the server gives its place back).
      text = '';
      res.body.destroy();
    } else {
      text = await res.body.text();
    }
    return { status: res.statusCode, headers: res.headers, text, ms: Date.now() - started };
  }

  function rawRequest(bytes: string, started: number): Promise<Outcome> {
    const url = new URL(h.baseUrl);
    return new Promise((resolvePromise, reject) => {
      const socket = connect(Number(url.port), url.hostname);
      let received = '';
      socket.setEncoding('latin1');
      socket.on('data', (d: string) => (received += d));
      socket.on('error', reject);
      socket.on('close', () => {
        const [head = '', text = ''] = received.split('\r\n\r\n', 2);
        const [statusLine = '', ...lines] = head.split('\r\n');
        const headers = Object.fromEntries(
          lines.map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]),
        );
        resolvePromise({ status: Number(statusLine.split(' ')[1]), headers, text, ms: Date.now() - started });
      });
      socket.setTimeout(10_000, () => socket.destroy(new Error('no answer within 10 s')));
      // Not end(): the server answers a request it cannot parse, then closes the connection itself.
      socket.write(Buffer.from(bytes, 'latin1'));
    });
  }

  test('at least 300 hostile requests: no 5xx, every 4xx the JSON envelope, no secret in any answer', async () => {
    const all = cases();
    expect(all.length).toBeGreaterThanOrEqual(300);
    const known = secrets();
    for (const c of all) {
      let outcome: Outcome;
      try {
        outcome = await send(c);
      } catch (err) {
        failures.push(`${c.name}: no answer (${(err as Error).message})`);
        continue;
      }
      counts.set(outcome.status, (counts.get(outcome.status) ?? 0) + 1);
      const problems: string[] = [];
      if (!(outcome.status >= 200 && outcome.status < 500)) problems.push(`status ${outcome.status}`);
      if (c.expect && !c.expect.includes(outcome.status))
        problems.push(`status ${outcome.status}, not ${c.expect.join('|')}`);
      if (c.within && outcome.ms > c.within) problems.push(`took ${outcome.ms} ms, more than ${c.within}`);
      if (outcome.status >= 400) {
        if (!String(outcome.headers['content-type'] ?? '').startsWith('application/json'))
          problems.push(`content-type ${String(outcome.headers['content-type'])}`);
        let body: { error?: { code?: unknown; message?: unknown } } | undefined;
        try {
          body = JSON.parse(outcome.text) as typeof body;
        } catch {
          body = undefined;
        }
        if (typeof body?.error?.code !== 'string' || typeof body.error.message !== 'string')
          problems.push(`not the envelope: ${outcome.text.slice(0, 200)}`);
        // Small enough to read, whatever the request held (details are capped, echoed values clipped).
        if (outcome.text.length > 16_384) problems.push(`a ${outcome.text.length}-character error answer`);
      }
      if (outcome.headers['x-content-type-options'] !== 'nosniff') problems.push('no X-Content-Type-Options: nosniff');
      const answer = `${JSON.stringify(outcome.headers)}\n${outcome.text}`;
      const sent = /^Bearer (.{8,})$/.exec(c.headers?.authorization ?? '')?.[1];
      for (const secret of [...known, ...(sent ? [sent] : [])]) {
        if (answer.includes(secret)) problems.push(`a secret in the answer (${secret.slice(0, 6)}…)`);
      }
      if (outcome.status >= 400 && /\n\s+at .+:\d+:\d+|node_modules|\/src\/|SQLITE_|sqlite3?:|grpc/i.test(outcome.text))
        problems.push(`internal detail in the answer: ${outcome.text.slice(0, 200)}`);
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
