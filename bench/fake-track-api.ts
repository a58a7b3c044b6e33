import { LoopbackTrackApi } from './loopback-track-api';

/**
 * The bench's Customer.io: answers 200 at once (or after `delayMs`), keeps per request only what the figures need (when
 * it arrived, which event, how long since the event was sent), so a 10,000-event run stays small. Requests whose
 * connection closes before the answer (a worker killed mid-attempt) are noted.
 */
export class FakeTrackApi {
  readonly arrivals: { at: number; key: string; site: string; latencyMs?: number }[] = [];
  readonly cutOff: { at: number; key: string }[] = [];
  delayMs = 0;
  /** Requests with this site id get 503 (Customer.io down for that workspace); the others are answered as usual. */
  failSite: string | undefined;
  private api!: LoopbackTrackApi;

  get url(): string {
    return this.api.url;
  }

  static async start(): Promise<FakeTrackApi> {
    const fake = new FakeTrackApi();
    fake.api = await LoopbackTrackApi.start((req, body, res) => {
      const at = Date.now();
      const { key, sentAt } = identify(body);
      const site = siteOf(req.headers.authorization);
      fake.arrivals.push({ at, key, site, latencyMs: sentAt === undefined ? undefined : at - sentAt });
      const answer = () => {
        if (res.destroyed) return;
        const down = fake.failSite !== undefined && site === fake.failSite;
        res.writeHead(down ? 503 : 200, { 'content-type': 'application/json', 'content-length': 2 }).end('{}');
      };
      res.on('close', () => {
        if (!res.writableFinished) fake.cutOff.push({ at: Date.now(), key });
      });
      if (fake.delayMs > 0) setTimeout(answer, fake.delayMs);
      else answer();
    });
    return fake;
  }

  reset(): void {
    this.arrivals.length = 0;
    this.cutOff.length = 0;
  }

  close(): Promise<void> {
    return this.api.close();
  }
}

/** The site id of HTTP Basic credentials (`site:key`). */
function siteOf(authorization: string | undefined): string {
  if (!authorization?.startsWith('Basic ')) return '';
  return Buffer.from(authorization.slice(6), 'base64').toString('utf8').split(':')[0] ?? '';
}

/** The event's key (`data.key`, stamped by the bench on every event) and when the bench sent it (`data.sent_at`). */
function identify(body: string): { key: string; sentAt?: number } {
  try {
    const parsed = JSON.parse(body) as { data?: { key?: unknown; sent_at?: unknown } };
    const data = parsed.data ?? {};
    return { key: String(data.key ?? ''), sentAt: typeof data.sent_at === 'number' ? data.sent_at : undefined };
  } catch {
    return { key: '' };
  }
}
