import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { failsAttempt } from './order-judge';

/** What the fake saw: one entry per HTTP request, authenticated or not. */
export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  json: unknown;
  authorized: boolean;
  receivedAt: number;
  /** The status the fake answered (unset while unanswered, and for a hang or a reset). */
  status?: number;
}

/**
 * A seeded share of track requests answered 500. Whether an attempt fails is a pure function of (seed, the request's
 * key, how many times that key has been seen), so a run is reproducible whatever its timing; a request whose key is
 * undefined is never failed this way.
 */
export interface SeededFailures {
  share: number;
  seed: string;
  /** What stays the same across attempts (and runs) of one request: default method, path and body. */
  key?: (r: RecordedRequest) => string | undefined;
}

export type ScriptedResponse =
  { status: number; body?: unknown; headers?: Record<string, string> } | { hang: true } | { reset: true };

export interface Credentials {
  siteId: string;
  apiKey: string;
  /** The region of the account these credentials belong to (default: the fake's own). */
  region?: 'us' | 'eu';
}

/**
 * A stand-in for the Customer.io Track API on loopback: real HTTP, HTTP Basic checked against the credentials it
 * was given, every request recorded. Answers 200 `{}` unless a test scripts the next responses. The test suite's
 * Customer.io, and `npm run fake-customerio` for trying the service without an account.
 */
export class FakeCustomerIo {
  readonly requests: RecordedRequest[] = [];
  private readonly script: ScriptedResponse[] = [];
  private outage: ScriptedResponse | undefined;
  private seeded: SeededFailures | undefined;
  private readonly attempts = new Map<string, number>();
  private readonly sockets = new Set<Socket>();
  private readonly waiters = new Set<() => void>();
  private accepted: Credentials[];
  private onRequest: ((r: RecordedRequest) => void) | undefined;

  private constructor(
    private readonly server: Server,
    readonly url: string,
    readonly region: 'us' | 'eu',
    credentials: Credentials[],
  ) {
    this.accepted = credentials;
  }

  static async start(
    options: {
      region?: 'us' | 'eu';
      credentials?: Credentials[];
      port?: number;
      onRequest?: (r: RecordedRequest) => void;
      failShare?: SeededFailures;
    } = {},
  ): Promise<FakeCustomerIo> {
    const server = createServer();
    await new Promise<void>((done) => server.listen(options.port ?? 0, '127.0.0.1', done));
    const { port } = server.address() as AddressInfo;
    const fake = new FakeCustomerIo(
      server,
      `http://127.0.0.1:${port}`,
      options.region ?? 'us',
      options.credentials ?? [],
    );
    fake.onRequest = options.onRequest;
    fake.failShare(options.failShare);
    server.on('connection', (socket) => {
      fake.sockets.add(socket);
      socket.on('close', () => fake.sockets.delete(socket));
    });
    server.on('request', (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () =>
        fake.handle(req.method ?? '', req.url ?? '', req.headers, Buffer.concat(chunks).toString('utf8'), res),
      );
    });
    return fake;
  }

  /** Replace the credentials the fake accepts (an operator rotated keys in Customer.io). */
  acceptCredentials(...credentials: Credentials[]): void {
    this.accepted = credentials;
  }

  /** The next requests get these answers, in order; then 200 `{}` again. */
  respondWith(...responses: ScriptedResponse[]): void {
    this.script.push(...responses);
  }

  /** Every track request gets this answer (after the scripted ones) until called again without one: an outage. */
  answerAlways(response?: ScriptedResponse): void {
    this.outage = response;
  }

  /**
   * Authorized track requests not scripted otherwise are answered 500 for a seeded share of attempts (see
   * SeededFailures) until called again without one. Attempts are counted from this call.
   */
  failShare(failures?: SeededFailures): void {
    this.seeded = failures;
    this.attempts.clear();
  }

  clear(): void {
    this.requests.length = 0;
    this.script.length = 0;
    this.outage = undefined;
    this.failShare(undefined);
  }

  /** Resolves once `count` requests (optionally matching) have arrived; rejects at the deadline. */
  async waitForRequests(
    count: number,
    options: { timeoutMs?: number; match?: (r: RecordedRequest) => boolean } = {},
  ): Promise<RecordedRequest[]> {
    const matching = () => this.requests.filter(options.match ?? (() => true));
    const deadline = Date.now() + (options.timeoutMs ?? 15_000);
    while (matching().length < count) {
      const remaining = deadline - Date.now();
      if (remaining <= 0)
        throw new Error(`fake Customer.io (${this.region}) saw ${matching().length} of ${count} requests`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, remaining);
        const wake = () => {
          clearTimeout(timer);
          this.waiters.delete(wake);
          resolve();
        };
        this.waiters.add(wake);
      });
    }
    return matching();
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((done) => this.server.close(() => done()));
  }

  private handle(method: string, path: string, headers: IncomingHttpHeaders, body: string, res: ServerResponse): void {
    const authorized = this.isAuthorized(headers.authorization);
    let json: unknown;
    try {
      json = body ? JSON.parse(body) : undefined;
    } catch {
      json = undefined;
    }
    const recorded: RecordedRequest = { method, path, headers, body, json, authorized, receivedAt: Date.now() };
    this.requests.push(recorded);
    this.onRequest?.(recorded);
    for (const wake of [...this.waiters]) wake();
    const answer = (status: number, text: unknown, extra?: Record<string, string>) => {
      recorded.status = status;
      send(res, status, text, extra);
    };

    if (method === 'GET' && path === '/api/v1/accounts/region') {
      // Customer.io answers 400 to unknown credentials here, and the account's own region on either host.
      const account = this.account(headers.authorization);
      if (!account) return answer(400, { meta: { error: 'invalid credentials' } });
      const region = account.region ?? this.region;
      return answer(200, {
        url: `https://track${region === 'eu' ? '-eu' : ''}.customer.io`,
        region,
        environment_id: 42,
      });
    }
    if (!authorized) return answer(401, { meta: { error: 'Unauthorized request' } });
    const next = this.script.shift() ?? this.outage;
    if (!next) return answer(this.seededFailure(recorded) ? 500 : 200, {});
    if ('hang' in next) return; // never answers; the socket is destroyed on close()
    if ('reset' in next) {
      res.socket?.destroy();
      return;
    }
    answer(next.status, next.body ?? {}, next.headers);
  }

  private seededFailure(r: RecordedRequest): boolean {
    if (!this.seeded) return false;
    const key = (this.seeded.key ?? ((x: RecordedRequest) => `${x.method} ${x.path} ${x.body}`))(r);
    if (key === undefined) return false;
    const attempt = (this.attempts.get(key) ?? 0) + 1;
    this.attempts.set(key, attempt);
    return failsAttempt(this.seeded.seed, this.seeded.share, key, attempt);
  }

  private account(header: string | undefined): Credentials | undefined {
    if (!header?.startsWith('Basic ')) return undefined;
    const decoded = Buffer.from(header.slice(6), 'base64').toString('utf8');
    return this.accepted.find((c) => decoded === `${c.siteId}:${c.apiKey}`);
  }

  /** Track calls work only for credentials of this region's accounts. */
  private isAuthorized(header: string | undefined): boolean {
    const account = this.account(header);
    return account !== undefined && (account.region ?? this.region) === this.region;
  }
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}
