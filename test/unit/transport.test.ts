import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createTrackTransport, type TrackTransport } from '../../src/customerio/http/transport';
import { FakeCustomerIo } from '../support/fake-customerio';

const creds = { siteId: 'site', apiKey: 'k3y' };
/** The same credentials as the transport is given them (the fake Customer.io knows them as `apiKey`). */
const caller = { siteId: creds.siteId, trackingApiKey: creds.apiKey };
const req = {
  operation: 'track' as const,
  method: 'POST' as const,
  path: '/api/v1/customers/u/events',
  body: { name: 'x' },
};

async function listen(
  handler: (path: string, headers: IncomingHttpHeaders, res: import('node:http').ServerResponse) => void,
): Promise<{ server: Server; url: string }> {
  const server = createServer((r, res) => {
    r.resume();
    r.on('end', () => handler(r.url ?? '', r.headers, res));
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

describe('track transport', () => {
  let transport: TrackTransport;
  let fake: FakeCustomerIo;
  beforeAll(async () => {
    transport = createTrackTransport({ timeoutMs: 500 });
    fake = await FakeCustomerIo.start({ credentials: [creds] });
  });
  afterAll(async () => {
    await transport.close();
    await fake.close();
  });
  beforeEach(() => fake.clear());

  test('sends JSON with HTTP Basic and records the exchange without credentials', async () => {
    const exchange = await transport.send({ baseUrl: fake.url, ...caller }, req);
    expect(exchange).toMatchObject({
      method: 'POST',
      url: `${fake.url}/api/v1/customers/u/events`,
      status: 200,
      responseExcerpt: '{}',
    });
    expect(JSON.stringify(exchange)).not.toContain('k3y');
    const [seen] = fake.requests;
    expect(seen!.headers.authorization).toBe(`Basic ${Buffer.from('site:k3y').toString('base64')}`);
    expect(seen!.json).toEqual({ name: 'x' });
  });

  test('reuses one keep-alive connection across requests', async () => {
    await transport.send({ baseUrl: fake.url, ...caller }, req);
    await transport.send({ baseUrl: fake.url, ...caller }, req);
    const [a, b] = fake.requests;
    expect(a!.headers.connection).not.toBe('close');
    expect(b!.headers.connection).not.toBe('close');
  });

  test('reads Retry-After and keeps only an excerpt of a large body', async () => {
    fake.respondWith({ status: 429, body: 'x'.repeat(5000), headers: { 'retry-after': '7' } });
    const exchange = await transport.send({ baseUrl: fake.url, ...caller }, req);
    expect(exchange.status).toBe(429);
    expect(exchange.retryAfterMs).toBe(7000);
    expect(exchange.responseExcerpt!.length).toBe(1024);
  });

  test('a hung response becomes a timeout error, a reset a socket error', async () => {
    fake.respondWith({ hang: true }, { reset: true });
    const hung = await transport.send({ baseUrl: fake.url, ...caller }, req);
    expect(hung.status).toBeUndefined();
    expect(hung.error).toEqual({ code: 'ATTEMPT_TIMEOUT', message: 'no complete answer within 500 ms' });
    const reset = await transport.send({ baseUrl: fake.url, ...caller }, req);
    expect(reset.error!.code).toMatch(/SOCKET|ECONNRESET/);
  });

  test('the timeout bounds the whole exchange: slow hops, each inside it, cannot add up past it', async () => {
    // Each redirect answers in 300 ms, under the 500 ms per phase; four hops would take 1.2 s.
    const { server, url } = await listen((path, _h, res) => {
      const hop = Number(path.split('/').pop()) || 0;
      setTimeout(() => res.writeHead(307, { location: `/hop/${hop + 1}` }).end(), 300);
    });
    try {
      const started = performance.now();
      const exchange = await transport.send({ baseUrl: url, ...caller }, req);
      expect(exchange.error!.code).toBe('ATTEMPT_TIMEOUT');
      expect(performance.now() - started).toBeLessThan(900);
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });

  test('an unreachable host is a network error, not an exception', async () => {
    const exchange = await transport.send({ baseUrl: 'http://127.0.0.1:1', ...caller }, req);
    expect(exchange.error!.code).toBe('ECONNREFUSED');
  });

  test('follows a redirect within the configured origin with the same method, body and credentials', async () => {
    const { server, url } = await listen((path, headers, res) => {
      if (path === '/api/v1/customers/u/events') {
        res.writeHead(307, { location: '/eu/api/v1/customers/u/events' }).end();
      } else {
        res
          .writeHead(200, { 'content-type': 'application/json' })
          .end(JSON.stringify({ auth: headers.authorization ?? null }));
      }
    });
    try {
      const exchange = await transport.send({ baseUrl: url, ...caller }, req);
      expect(exchange).toMatchObject({
        status: 200,
        url: `${url}/eu/api/v1/customers/u/events`,
        redirects: [`${url}/eu/api/v1/customers/u/events`],
      });
      expect(JSON.parse(exchange.responseExcerpt!).auth).toMatch(/^Basic /);
    } finally {
      server.close();
    }
  });

  test('never follows (or sends credentials) to a foreign host', async () => {
    const foreign = await listen((_p, headers, res) =>
      res.writeHead(200).end(JSON.stringify({ auth: headers.authorization ?? null })),
    );
    const origin = await listen((_p, _h, res) => res.writeHead(302, { location: `${foreign.url}/steal` }).end());
    try {
      const exchange = await transport.send({ baseUrl: origin.url, ...caller }, req);
      expect(exchange.status).toBe(302);
      expect(exchange.redirects).toBeUndefined();
    } finally {
      foreign.server.close();
      origin.server.close();
    }
  });
});
