/**
 * Per-person order (issue 16), judged on what Customer.io received; shared by the order tests and the order bench
 * (bench/per-person.ts), so both count the same thing.
 *
 * "Seen" means answered 2xx: a request answered 500 changed nothing there. A person has an inversion when the
 * places of their 2xx-answered requests, in arrival order, ever go down (a repeat of the same place, which a lost
 * worker may cause, is not one). A deletion is undone when a 2xx-answered non-delete request for the person arrives
 * after their 2xx-answered delete: it re-creates them.
 */
import { createHash } from 'node:crypto';
import type { Client } from '@temporalio/client';
import type { RecordedRequest } from './fake-customerio';
import { deadline } from './wait';

/** One request Customer.io received for a person, in the judge's terms. */
export interface Arrival {
  at: number;
  method: string;
  person: string;
  /** The event's place in its person's handover order (0 = the identify); a DELETE is the last. */
  seq: number;
  sentAt?: number;
  status: number;
}

export interface OrderVerdict {
  peopleWithInversion: number;
  deletionsUndone: number;
  /** Who, for a failure message. */
  inverted: string[];
  undone: string[];
}

/**
 * One person's events in handover order: an identify, tracks, and a `User Deleted` track last (the mapping makes it
 * delete_person). Each carries its place (`seq`) in the field the mapping copies into Customer.io's body.
 */
export function personEvents(tag: string, person: number, events: number): Record<string, unknown>[] {
  const userId = `${tag}-p${person}`;
  return Array.from({ length: events }, (_, seq) => {
    const messageId = `${userId}-e${seq}`;
    if (seq === 0) return { type: 'identify', userId, messageId, traits: { seq } };
    if (seq === events - 1) return { type: 'track', event: 'User Deleted', userId, messageId, properties: {} };
    return { type: 'track', event: 'Bench', userId, messageId, properties: { seq } };
  });
}

/** Cuts `events` into intake requests of `size`, in order. */
export function requestsOf(events: Record<string, unknown>[], size: number): Record<string, unknown>[][] {
  return Array.from({ length: Math.ceil(events.length / size) }, (_, i) => events.slice(i * size, (i + 1) * size));
}

/** Every person's event 0, then every person's event 1, …: the handover order of a fleet of people acting at once. */
export function roundByRound(perPerson: Record<string, unknown>[][]): Record<string, unknown>[] {
  const rounds = Math.max(0, ...perPerson.map((events) => events.length));
  return Array.from({ length: rounds }, (_, e) => perPerson.flatMap((events) => events.slice(e, e + 1))).flat();
}

/** The person (from the path) and the event's place (from the body; a DELETE has none); undefined for other paths. */
export function describeRequest(
  method: string,
  path: string,
  body: string,
): Omit<Arrival, 'at' | 'status'> | undefined {
  const match = /^\/api\/v1\/customers\/([^/?]+)/.exec(path);
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

/**
 * What stays the same for a request from run to run: method, the person's number (without the run's tag) and the
 * event's place. Undefined for requests that are not about one of `personEvents`' people.
 */
export function stableRequestKey(method: string, path: string, body: string): string | undefined {
  const described = describeRequest(method, path, body);
  if (!described) return undefined;
  const person = /-(p\d+)$/.exec(described.person)?.[1];
  return person === undefined ? undefined : `${described.method} ${person} ${described.seq}`;
}

/** The key to seed FakeCustomerIo's failures with: the same for every attempt of an event, in every run. */
export const orderRequestKey = (r: RecordedRequest): string | undefined => stableRequestKey(r.method, r.path, r.body);

/** What FakeCustomerIo received and answered, as the judge reads it (requests about no person are left out). */
export function arrivalsAt(requests: readonly RecordedRequest[]): Arrival[] {
  return requests.flatMap((r) => {
    const described = describeRequest(r.method, r.path, r.body);
    return described && r.status !== undefined ? [{ ...described, at: r.receivedAt, status: r.status }] : [];
  });
}

/**
 * Whether attempt number `attempt` (1-based) of the request known as `request` is answered 500: a pure function of
 * its arguments, so two runs with the same seed fail the same attempts of the same events, whatever their timing.
 * About `share` of all attempts fail.
 */
export function failsAttempt(seed: string, share: number, request: string, attempt: number): boolean {
  const digest = createHash('sha256').update(`${seed}\n${attempt}\n${request}`).digest();
  return digest.readUInt32BE(0) / 2 ** 32 < share;
}

/** Inversions and undone deletions in what Customer.io saw (2xx answers, in arrival order). */
export function judgeOrder(arrivals: Arrival[]): OrderVerdict {
  const seen = new Map<string, Arrival[]>();
  for (const a of arrivals) {
    if (a.status < 200 || a.status >= 300) continue;
    const list = seen.get(a.person) ?? [];
    list.push(a);
    seen.set(a.person, list);
  }
  const inverted: string[] = [];
  const undone: string[] = [];
  for (const [person, list] of seen) {
    if (list.some((a, i) => i > 0 && a.seq < list[i - 1]!.seq)) inverted.push(person);
    const deleted = list.findIndex((a) => a.method === 'DELETE');
    if (deleted >= 0 && list.slice(deleted + 1).some((a) => a.method !== 'DELETE')) undone.push(person);
  }
  return { peopleWithInversion: inverted.length, deletionsUndone: undone.length, inverted, undone };
}

export interface RunVerdict extends OrderVerdict {
  /** Requests Customer.io received for the run's people, and how many it answered 500. */
  requests: number;
  failed: number;
  /** Distinct events (person, place) answered 2xx at least once. */
  eventsSeen: number;
}

/** The judge's verdict on what FakeCustomerIo received for the people of run `tag` (`personEvents`' user ids). */
export function judgeRun(requests: readonly RecordedRequest[], tag: string): RunVerdict {
  const arrivals = arrivalsAt(requests.filter((r) => r.path.startsWith(`/api/v1/customers/${tag}-`)));
  const ok = arrivals.filter((a) => a.status >= 200 && a.status < 300);
  return {
    requests: arrivals.length,
    failed: arrivals.filter((a) => a.status >= 500).length,
    eventsSeen: new Set(ok.map((a) => `${a.person}#${a.seq}`)).size,
    ...judgeOrder(arrivals),
  };
}

/**
 * Waits (at most `withinMs`) for every run to close and counts them by "<Temporal status> <delivery status>", e.g.
 * `{"COMPLETED delivered": 320}`: what the ordered runs assert on.
 */
export async function closedOutcomes(
  client: Client,
  workflowIds: readonly string[],
  withinMs: number,
): Promise<Record<string, number>> {
  const outcomes: Record<string, number> = {};
  let closed = 0;
  await deadline(
    (async () => {
      for (const workflowId of workflowIds) {
        const handle = client.workflow.getHandle(workflowId);
        const outcome = await handle.result().then(
          (r: { status: string }) => r.status,
          (err: Error) => `workflow failed: ${err.message}`,
        );
        const { status } = await handle.describe();
        const key = `${status.name} ${outcome}`;
        outcomes[key] = (outcomes[key] ?? 0) + 1;
        closed++;
      }
    })(),
    withinMs,
    () => `only ${closed} of ${workflowIds.length} deliveries closed within ${withinMs} ms`,
  );
  return outcomes;
}
