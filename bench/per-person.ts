/**
 * The per-person order bench (issue 16): few people, many events each, handed over in per-person order, with
 * Customer.io answering a share of requests 500. It counts what Customer.io would have seen out of order, judged as the
 * order tests judge it (test/support/order-judge.ts).
 */
import type { Client } from '@temporalio/client';
import {
  type Arrival,
  describeRequest,
  failsAttempt,
  judgeOrder,
  personEvents,
  roundByRound,
  stableRequestKey,
} from '../test/support/order-judge';
import { LoopbackTrackApi } from './loopback-track-api';

export interface PerPersonOptions {
  people: number;
  /** Events per person: one identify, then tracks, then `User Deleted` (at least 2). */
  eventsPerPerson: number;
  /** Events per intake request; requests go one after the other, so acceptance order is handover order. */
  batch: number;
  deadlineMs: number;
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
      const arrival = describeRequest(req.method ?? '', req.url ?? '', body);
      // The run's tag and send times differ from run to run; the person's number and the event's place do not.
      const stable = stableRequestKey(req.method ?? '', req.url ?? '', body) ?? `${req.method} ${req.url} ${body}`;
      const status = fake.answer(stable);
      if (arrival) fake.arrivals.push({ ...arrival, at: Date.now(), status });
      res.writeHead(status, { 'content-type': 'application/json', 'content-length': 2 }).end('{}');
    });
    return fake;
  }

  private answer(request: string): number {
    const attempt = (this.attempts.get(request) ?? 0) + 1;
    this.attempts.set(request, attempt);
    return failsAttempt(this.seed, this.failShare, request, attempt) ? 500 : 200;
  }

  close(): Promise<void> {
    return this.api.close();
  }
}

/** The event with the time the bench hands it over, where the mapping carries it to Customer.io. */
function stamped(event: Record<string, unknown>, sentAt: number): Record<string, unknown> {
  const field = event.type === 'identify' ? 'traits' : 'properties';
  return { ...event, [field]: { ...(event[field] as object), sent_at: sentAt } };
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
  const handover = roundByRound(perPerson);
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
  const verdict = judgeOrder(ctx.fake.arrivals);
  return {
    people,
    events: total,
    requests: ctx.fake.arrivals.length,
    failedAnswers: ctx.fake.arrivals.filter((a) => a.status >= 500).length,
    peopleWithInversion: verdict.peopleWithInversion,
    deletionsUndone: verdict.deletionsUndone,
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
