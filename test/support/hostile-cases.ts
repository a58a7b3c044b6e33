import { connect } from 'node:net';
import type { Client } from 'undici';

/**
 * Requests a careless client, a curious viewer and an attacker would send, generated across every route, and the rules
 * every answer keeps: never a 5xx, every 4xx the JSON error envelope, no secret the service holds (nor the token the
 * request itself sent) and no internal detail in any answer. Shared by test/api/hostile-inputs.test.ts (the in-process
 * API on SQLite and the dev server) and test/cluster/hostile-production.test.ts (the production layout: the API and a
 * worker as processes, the store on PostgreSQL, a Temporal cluster with SQL visibility).
 */

export interface HostileCase {
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

export interface HostileOutcome {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  ms: number;
}

/** Values no name, id or filter should hold, and ones that look harmless but are not. */
export const CONTROL = ['a\u0000b', 'bell\u0007', 'x\r\nSet-Cookie: a=b', '\u001b[31mred', 'del\u007f', 'nel\u0085'];
export const TRAVERSAL = [
  '..',
  '.',
  '../../etc/passwd',
  '..%2f..%2fetc%2fpasswd',
  '%2e%2e',
  '%2E%2E%2F',
  '....//',
  '%00',
];
export const UNICODE = [
  '😀',
  'ｆｕｌｌｗｉｄｔｈ',
  'rtl\u202eevil',
  'zero\u200bwidth',
  'e\u0301\u0301\u0301',
  '𝕏'.repeat(40),
];
export const INJECTION = [
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
export const NUMBERS = ['-1', '0', '101', '1e309', 'NaN', '99999999999999999999', '1.5', '[]', '{}', 'null', 'true'];

export const q = (value: string) => encodeURIComponent(value);
/** An invalid UTF-8 sequence (a UTF-16 surrogate, percent-encoded as if it were UTF-8), which no JS string can hold. */
export const LONE_SURROGATE = '%ED%A0%80';

/** The service as the cases address it: its tokens, and the integration and token that already exist. */
export interface HostileTarget {
  adminToken: string;
  pipelineKey: string;
  viewer: string;
  editor: string;
  integrationId: string;
  tokenId: string;
}

export function hostileCases(t: HostileTarget): HostileCase[] {
  const { integrationId, viewer, editor, tokenId } = t;
  const out: HostileCase[] = [];
  const admin = { authorization: `Bearer ${t.adminToken}` };
  const json = { ...admin, 'content-type': 'application/json' };
  const add = (c: HostileCase) => out.push(c);

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
    ['POST', '/v1/events', { authorization: `Bearer ${t.pipelineKey}`, 'content-type': 'application/json' }],
    ['POST', '/v1/batch', { authorization: `Bearer ${t.pipelineKey}`, 'content-type': 'application/json' }],
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
      config: Object.fromEntries(Array.from({ length: 5_000 }, (_, i) => [`unknown_key_${i}_${'x'.repeat(30)}`, 'v'])),
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
      headers: { authorization: `Bearer ${t.pipelineKey}`, 'content-type': 'application/json' },
      body: JSON.stringify(event),
      expect: [422],
    });
  add({
    name: 'event with lone surrogate',
    method: 'POST',
    path: '/v1/events',
    headers: { authorization: `Bearer ${t.pipelineKey}`, 'content-type': 'application/json' },
    body: '{"type":"identify","userId":"\\ud800","messageId":"m4"}',
    expect: [422],
  });
  add({
    name: 'batch of 501',
    method: 'POST',
    path: '/v1/batch',
    headers: { authorization: `Bearer ${t.pipelineKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ batch: Array.from({ length: 501 }, () => ({})) }),
    expect: [422],
  });

  // Credentials: missing, malformed, wrong kind, near misses, over-long, in the wrong place.
  const badAuth: [string, Record<string, string>][] = [
    ['none', {}],
    ['empty bearer', { authorization: 'Bearer ' }],
    ['bearer x', { authorization: 'Bearer x' }],
    ['basic', { authorization: `Basic ${Buffer.from(`admin:${'p'.repeat(12)}`).toString('base64')}` }],
    ['near-miss admin', { authorization: `Bearer ${t.adminToken}x` }],
    ['truncated admin', { authorization: `Bearer ${t.adminToken.slice(0, -1)}` }],
    ['pipeline key on admin', { authorization: `Bearer ${t.pipelineKey}` }],
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
    path: `/v1/admin/integrations?token=${t.adminToken}`,
    expect: [401],
  });
  add({
    name: 'query token with control char',
    method: 'GET',
    path: `/v1/admin/live-events?token=${q(`${t.adminToken}\u0000`)}`,
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
  // What reaches the store as text (PostgreSQL's cannot hold a NUL): config values of a new integration, the audit
  // log's user agent. Stored (escaped) or refused, never a 5xx.
  for (const [i, odd] of ['a\u0000b', 'lone \ud800', '\u0000'].entries()) {
    add({
      name: `install config holding ${JSON.stringify(odd)}`,
      method: 'POST',
      path: '/v1/admin/integration-catalog/customer_io/install',
      headers: json,
      body: JSON.stringify({
        name: `Odd config ${i}`,
        enabled: false,
        verify: false,
        config: {
          site_id: `s${odd}`,
          api_key: `k${odd}`,
          tracking_api_key: `t${odd}`,
          region: 'us',
          consent_categories: [`c${odd}`],
          device_events: [`d${odd}`],
        },
      }),
      expect: [201, 422],
    });
  }
  add({
    name: 'audit log entry with a latin-1 user agent',
    method: 'POST',
    path: '/v1/admin/pipeline-keys',
    headers: { ...json, 'user-agent': `agent \u00ff\u0080\u009f ${'u'.repeat(400)}` },
    body: JSON.stringify({ name: 'odd agent' }),
    expect: [201],
  });
  return out;
}

export async function sendHostileCase(http: Client, baseUrl: string, c: HostileCase): Promise<HostileOutcome> {
  const started = Date.now();
  if (c.raw !== undefined) return rawRequest(baseUrl, c.raw, started);
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

function rawRequest(baseUrl: string, bytes: string, started: number): Promise<HostileOutcome> {
  const url = new URL(baseUrl);
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

/** What is wrong with an answer (nothing: an empty list). `secrets`: every secret the service holds or issued. */
export function hostileProblems(c: HostileCase, outcome: HostileOutcome, secrets: string[]): string[] {
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
  for (const secret of [...secrets, ...(sent ? [sent] : [])]) {
    if (answer.includes(secret)) problems.push(`a secret in the answer (${secret.slice(0, 6)}…)`);
  }
  if (outcome.status >= 400 && /\n\s+at .+:\d+:\d+|node_modules|\/src\/|SQLITE_|sqlite3?:|grpc/i.test(outcome.text))
    problems.push(`internal detail in the answer: ${outcome.text.slice(0, 200)}`);
  return problems;
}

/** Hostile but valid-looking events: each is accepted (202) or refused on its own (422), never a 5xx. */
export interface HostileEvent {
  name: string;
  event: Record<string, unknown>;
}

/**
 * Events whose odd text reaches what Temporal stores and indexes: the event, page and screen names become the
 * `EventName` search attribute (PostgreSQL's visibility store cannot hold a NUL, and a lone surrogate is no UTF-8),
 * the rest the workflow input. `tag` makes each messageId and person unique to one run.
 */
export function hostileEvents(tag: string): HostileEvent[] {
  const odd = {
    nul: 'a\u0000b',
    surrogate: 'lone \ud800 surrogate',
    lowSurrogate: 'x\udfffy',
    controls: 'bell\u0007 esc\u001b[31m del\u007f nel\u0085',
    rtl: 'rtl\u202eevil',
    emoji: '😀'.repeat(25),
    long: 'n'.repeat(300),
    nulOnly: '\u0000',
  };
  const out: HostileEvent[] = [];
  for (const [label, text] of Object.entries(odd)) {
    const id = (kind: string) => `${tag}-${kind}-${label}`;
    out.push(
      { name: `track name ${label}`, event: { type: 'track', event: text, userId: id('t'), messageId: id('t') } },
      {
        name: `page url ${label}`,
        event: { type: 'page', userId: id('p'), messageId: id('p'), properties: { url: `https://x.test/${text}` } },
      },
      { name: `screen name ${label}`, event: { type: 'screen', name: text, userId: id('s'), messageId: id('s') } },
      {
        name: `identify traits ${label}`,
        event: {
          type: 'identify',
          userId: id('i'),
          messageId: id('i'),
          traits: { [text]: text, email: `${id('i')}@example.com`, nested: { deep: [text] } },
          context: { ip: text, userAgent: text, page: { title: text } },
        },
      },
      {
        name: `track properties ${label}`,
        event: { type: 'track', event: 'Odd', userId: id('o'), messageId: id('o'), properties: { [text]: text } },
      },
    );
  }
  return out;
}
