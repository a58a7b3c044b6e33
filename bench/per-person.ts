/**
 * The per-person order bench (issue 16): few people, many events each, handed over in per-person order, with
 * Customer.io answering a share of requests 500. It counts what Customer.io would have seen out of order.
 *
 * "Seen" means answered 2xx: a request answered 500 changed nothing there. A person has an inversion when the
 * sequence numbers of their 2xx-answered requests, in arrival order, are not increasing. A deletion is undone when a
 * 2xx-answered non-delete request for the person arrives after their 2xx-answered delete (it re-creates them).
 */
import { createHash } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { LoopbackTrackApi } from './loopback-track-api';

export interface PerPersonOptions {
  people: number;
  /** Events per person: one identify, then tracks, then `User Deleted` (at least 2). */
  eventsPerPerson: number;
  /** Events per intake request; requests go one after the other, so acceptance order is handover order. */
  batch: number;
  deadlineMs: number;
}

export interface Arrival {
  at: number;
  method: string;
  person: string;
  /** The event's place in its person's handover order (0 = the identify); the delete is the last. */
  seq: number;
  sentAt?: number;
  status: number;
}

export interface OrderReport {
  people: number;
  events: number;
  requests: number;
  failedAnswers: number;
  peopleWithInversion: number;
  deletionsUndone: number;
  deliveredOrFailedSeconds: number;
  perSecond: number;
  latencyP50?: number;
  latencyP99?: number;
  closed: Record<string, number>;
}

/**
 * Customer.io for this bench. Which requests fail is a pure function of (seed, person number, event's place, attempt
 * number of that same request), so two runs fail the same attempts of the same events whatever their tag; the 2xx
 * share is about `1 - failShare`.
 */
export class OrderingFake {
  readonly arrivals: Arrival[] = [];
  private readonly attempts = new Map<string, number>();
  private api!: LoopbackTrackApi;

  private constructor(
    private readonly failShare: number,
    private readonly seed: string,
  ) {}

  get url(): string {
    return this.api.url;
  }

  static async start(failShare: number, seed: string): Promise<OrderingFake> {
    const fake = new OrderingFake(failShare, seed);
    fake.api = await LoopbackTrackApi.start((req, body, res) => {
      const arrival = describe(req.method ?? '', req.url ?? '', body);
      // The run's tag and send times differ from run to run; the person's number and the event's place do not.
      const stable = arrival
        ? `${arrival.method} ${arrival.person.replace(/^.*-(p\d+)$/, '$1')} ${arrival.seq}`
        : `${req.method} ${req.url} ${body}`;
      const status = fake.answer(stable);
      if (arrival) fake.arrivals.push({ ...arrival, at: Date.now(), status });
      res.writeHead(status, { 'content-type': 'application/json', 'content-length': 2 }).end('{}');
    });
    return fake;
  }

  private answer(request: string): number {
    const attempt = (this.attempts.get(request) ?? 0) + 1;
    this.attempts.set(request, attempt);
    const digest = createHash('sha256').update(`${this.seed}\n${attempt}\n${request}`).digest();
    return digest.readUInt32BE(0) / 2 ** 32 < this.failShare ? 500 : 200;
  }

  close(): Promise<void> {
    return this.api.close();
  }
}

/** The person (from the path) and the event's sequence number (stamped by the bench; a DELETE has no body). */
function describe(method: string, url: string, body: string): Omit<Arrival, 'at' | 'status'> | undefined {
  const match = /^\/api\/v1\/customers\/([^/?]+)/.exec(url);
  if (!match) return undefined;
  const person = decodeURIComponent(match[1]!);
  if (method === 'DELETE') return { method, person, seq: Number.POSITIVE_INFINITY };
  try {
    const parsed = JSON.parse(body) as Record<string, { seq?: unknown; sent_at?: unknown } | undefined>;
    // identify carries the traits at the top level of the body; track carries its properties in `data`.
    const stamp = { ...(parsed as { seq?: unknown; sent_at?: unknown }), ...(parsed.data ?? {}) };
    return {
      method,
      person,
      seq: Number(stamp.seq),
      sentAt: typeof stamp.sent_at === 'number' ? stamp.sent_at : undefined,
    };
  } catch {
    return undefined;
  }
}

/** The bench's events, person by person in handover order: identify, tracks, `User Deleted` last. */
export function personEvents(tag: string, person: number, events: number): Record<string, unknown>[] {
  const userId = `${tag}-p${person}`;
  return Array.from({ length: events }, (_, seq) => {
    const messageId = `${userId}-e${seq}`;
    if (seq === 0) return { type: 'identify', userId, messageId, traits: { seq } };
    if (seq === events - 1) return { type: 'track', event: 'User Deleted', userId, messageId, properties: {} };
    return { type: 'track', event: 'Bench', userId, messageId, properties: { seq } };
  });
}

/** The event with the time the bench hands it over, where the mapping carries it to Customer.io. */
function stamped(event: Record<string, unknown>, sentAt: number): Record<string, unknown> {
  const field = event.type === 'identify' ? 'traits' : 'properties';
  return { ...event, [field]: { ...(event[field] as object), sent_at: sentAt } };
}

/** Inversions and undone deletions in what Customer.io saw (2xx answers, in arrival order). */
export function judgeOrder(arrivals: Arrival[]): { peopleWithInversion: number; deletionsUndone: number } {
  const seen = new Map<string, Arrival[]>();
  for (const a of arrivals) {
    if (a.status < 200 || a.status >= 300) continue;
    const list = seen.get(a.person) ?? [];
    list.push(a);
    seen.set(a.person, list);
  }
  let peopleWithInversion = 0;
  let deletionsUndone = 0;
  for (const list of seen.values()) {
    if (list.some((a, i) => i > 0 && a.seq < list[i - 1]!.seq)) peopleWithInversion++;
    const deleted = list.findIndex((a) => a.method === 'DELETE');
    if (deleted >= 0 && list.slice(deleted + 1).some((a) => a.method !== 'DELETE')) deletionsUndone++;
  }
  return { peopleWithInversion, deletionsUndone };
}

/**
 * Hands the events over through `POST /v1/batch` (round by round: every person's event 0, then every person's
 * event 1 …, cut into requests of `batch`), then waits until every delivery of the integration has closed.
 */
export async function runPerPerson(ctx: {
  options: PerPersonOptions;
  fake: OrderingFake;
  client: Client;
  integrationId: string;
  tag: string;
  post: (batch: Record<string, unknown>[]) => Promise<void>;
}): Promise<OrderReport> {
  const { people, eventsPerPerson, batch, deadlineMs } = ctx.options;
  const t0 = Date.now();
  const perPerson = Array.from({ length: people }, (_, p) => personEvents(ctx.tag, p, eventsPerPerson));
  const handover = Array.from({ length: eventsPerPerson }, (_, e) => perPerson.map((events) => events[e]!)).flat();
  for (let i = 0; i < handover.length; i += batch) {
    await ctx.post(handover.slice(i, i + batch).map((event) => stamped(event, Date.now())));
  }

  const total = handover.length;
  const deadline = t0 + deadlineMs;
  const open = `IntegrationId = '${ctx.integrationId}' AND ExecutionStatus = 'Running'`;
  const all = `IntegrationId = '${ctx.integrationId}'`;
  for (;;) {
    const [{ count: started }, { count: running }] = await Promise.all([
      ctx.client.workflow.count(all),
      ctx.client.workflow.count(open),
    ]);
    if (started >= total && running === 0) break;
    if (Date.now() > deadline) throw new Error(`${running} of ${total} deliveries still open after ${deadlineMs} ms`);
    await new Promise((r) => setTimeout(r, 500));
  }
  const seconds = (Date.now() - t0) / 1000;
  const closed: Record<string, number> = {};
  for (const status of ['Completed', 'Failed', 'Terminated', 'TimedOut', 'Canceled']) {
    const { count } = await ctx.client.workflow.count(`${all} AND ExecutionStatus = '${status}'`);
    if (count > 0) closed[status] = count;
  }
  const firstSeen = new Map<string, number>();
  for (const a of ctx.fake.arrivals) {
    const key = `${a.person}#${a.seq}`;
    if (a.status < 300 && a.sentAt !== undefined && !firstSeen.has(key)) firstSeen.set(key, a.at - a.sentAt);
  }
  const latencies = [...firstSeen.values()];
  return {
    people,
    events: total,
    requests: ctx.fake.arrivals.length,
    failedAnswers: ctx.fake.arrivals.filter((a) => a.status >= 500).length,
    ...judgeOrder(ctx.fake.arrivals),
    deliveredOrFailedSeconds: Math.round(seconds * 10) / 10,
    perSecond: Math.round((total / seconds) * 10) / 10,
    latencyP50: percentile(latencies, 0.5),
    latencyP99: percentile(latencies, 0.99),
    closed,
  };
}

export function percentile(values: number[], p: number): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  return Math.round(sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!);
}
