/** The service under test, as the bench reaches it: its processes, its API, and Temporal's visibility. */
import type { ChildProcess } from 'node:child_process';
import type { Client } from '@temporalio/client';
import { Agent, request } from 'undici';
import type { FakeTrackApi } from './fake-track-api';
import { BATCH, INTAKE_CONCURRENCY, PEOPLE } from './flags';
import { percentile, round } from './report';

export const http = new Agent({ keepAliveTimeout: 60_000, connections: 16 });

/** What every phase of the bench works with, once the service is up in its layout (bench/layouts.ts). */
export interface Bench {
  fake: FakeTrackApi;
  client: Client;
  apiUrl: string;
  pipelineKey: string;
  adminToken: string;
  /** The settings of another `npm run worker` on this layout. */
  workerEnv: Record<string, string>;
  serverPid: number;
  /** The service's node processes, whose CPU and RSS count as the service's. */
  servicePids: number[];
  /** The PostgreSQL backends of the layout's databases, when there are any on this machine (bench/layouts.ts). */
  databasePids?: (() => Promise<number[]>) | undefined;
  /** The task queue of the baselines' worker, in the bench process. */
  baselineQueue: string;
  /** Processes to stop at the end. */
  children: ChildProcess[];
  /** A Customer.io integration (site id `bench`, no consent categories, default settings unless given). */
  install(
    name: string,
    settings?: { site_id?: string; consent_categories?: string[]; order_wait_minutes?: number },
  ): Promise<string>;
  disable(integrationId: string): Promise<unknown>;
}

/**
 * One track event as the bench sends it: `key` names it at the fake, `sent_at` gives its latency there; `consent`
 * picks the integrations it is delivered to (bench/outage.ts).
 */
export function benchEvent(tag: string, i: number, sentAt: number, consent?: Record<string, boolean>, people = PEOPLE) {
  return {
    type: 'track',
    event: 'Bench',
    userId: `u-${i % people}`,
    messageId: `${tag}-${i}`,
    properties: { key: `${tag}-${i}`, sent_at: sentAt },
    ...(consent ? { context: { consent } } : {}),
  };
}

/** Posts `events` track events in batches through the intake; returns intake figures. */
export async function postEvents(
  apiUrl: string,
  pipelineKey: string,
  tag: string,
  events: number,
  consent?: Record<string, boolean>,
  people?: number,
) {
  const durations: number[] = [];
  const batches = Math.ceil(events / BATCH);
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: Math.min(INTAKE_CONCURRENCY, batches) }, async () => {
      while (next < batches) {
        const b = next++;
        const size = Math.min(BATCH, events - b * BATCH);
        const sentAt = Date.now();
        const batch = Array.from({ length: size }, (_, j) => benchEvent(tag, b * BATCH + j, sentAt, consent, people));
        const t = performance.now();
        const res = await call(apiUrl, pipelineKey, 'POST', '/v1/batch', { batch });
        durations.push(performance.now() - t);
        if (res.status !== 202)
          throw new Error(`intake answered ${res.status}: ${JSON.stringify(res.body).slice(0, 500)}`);
      }
    }),
  );
  return {
    intakePerSecond: round(events / ((performance.now() - t0) / 1000)),
    batchP50: percentile(durations, 0.5),
    batchP99: percentile(durations, 0.99),
  };
}

/** The intake's eager-start counters, when the service exposes them (GET /metrics). */
export async function scrapeEager(apiUrl: string): Promise<{ eager: number; notEager: number }> {
  try {
    const res = await request(`${apiUrl}/metrics`, { dispatcher: http });
    const text = await res.body.text();
    const value = (eager: string) =>
      Number(
        new RegExp(`signal_intake_workflow_starts_total\\{[^}]*eager="${eager}"[^}]*\\} (\\d+)`).exec(text)?.[1] ?? 0,
      );
    return { eager: value('true'), notEager: value('false') };
  } catch {
    return { eager: 0, notEager: 0 };
  }
}

/** Deliveries to an integration whose run has completed (visibility). */
export const deliveredTo = (integrationId: string) =>
  `IntegrationId = '${integrationId}' AND ExecutionStatus = 'Completed'`;

/**
 * Polls a visibility count until it reaches `expected`: once a second, for every path alike (each query costs the
 * server a little; a second's granularity is 1 % of a 100 s phase).
 */
export async function waitForCount(
  client: Client,
  query: string,
  expected: number,
  timeoutMs = 900_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { count } = await client.workflow.count(query);
    if (count >= expected) return;
    if (Date.now() > deadline) throw new Error(`only ${count} of ${expected} done after ${timeoutMs} ms: ${query}`);
    await new Promise((r) => setTimeout(r, 1_000));
  }
}

export async function until(predicate: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

export async function call(
  apiUrl: string,
  token: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: unknown }> {
  const res = await request(`${apiUrl}${path}`, {
    method: method as 'GET',
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
    dispatcher: http,
    headersTimeout: 300_000,
    bodyTimeout: 300_000,
  });
  const text = await res.body.text();
  return { status: res.statusCode, body: text ? (JSON.parse(text) as unknown) : undefined };
}
