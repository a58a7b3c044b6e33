import { createHash } from 'node:crypto';
import { type Transaction, sql } from 'kysely';
import type { OrderOutcome } from '../shared/delivery';
import type { Db } from './database';
import { preparedQuery } from './prepared-query';
import type { Database, OrderEntriesTable, OrderKeysTable } from './schema';

/** One delivery handed over, in handover order (array order within a request). */
export interface OrderHandover {
  workflowId: string;
  /** Its order key (src/customerio/order-key.ts). */
  key: string;
  barrier: boolean;
}

/** A delivery's place in its key's chain: what it must wait for before its first attempt. */
export interface OrderPlace {
  seq: number;
  /** The unfinished entries it waits for: its predecessor (a barrier: every earlier unfinished entry of its key). */
  waitFor: string[];
}

export type { OrderOutcome };

/** One delivery's entry, with its key's latest barrier (a replay of an entry before it would undo the barrier). */
export interface OrderEntry {
  workflowId: string;
  integrationId: string;
  seq: number;
  barrier: boolean;
  predecessor?: string;
  handedAt: string;
  finishedAt?: string;
  outcome?: OrderOutcome;
  lastBarrier?: { seq: number; workflowId: string; at: string };
}

/** An entry a delivery waits for that has not finished yet. */
export interface UnfinishedEntry {
  workflowId: string;
  barrier: boolean;
  /** When it was handed over (ISO); unset for entries taken in the same call. */
  handedAt?: string;
}

type Tx = Transaction<Database>;
type Rows = OrderEntriesTable[];

/** Rows of one multi-row insert: well under SQLite's and PostgreSQL's bound-parameter limits. */
const INSERT_CHUNK = 200;

/**
 * The order book (issue 16): for each (integration, order key), the chain of deliveries in the order they were handed
 * over, and which of them have finished. The intake takes each request's places in one transaction before it starts
 * anything; a run asks it whether what it waits for has finished, and tells it when it has finished itself, which
 * names the runs to wake. It lives in the service's own database (SQLite or PostgreSQL), so it costs one transaction
 * per request and no Temporal call. Keys are kept as digests: the book does not hold who a person is.
 */
export class OrderBook {
  // The statements every ordered delivery runs (a read at its attempt, the finish and its waiters), compiled once.
  private readonly finishEntry;
  private readonly waitersOf;
  private readonly entriesByIds: [(a: string) => Promise<Rows>, (a: string, b: string) => Promise<Rows>];

  constructor(private readonly db: Db) {
    this.finishEntry = preparedQuery(db, 3, (at: string, outcome: OrderOutcome, workflowId: string) =>
      db
        .updateTable('order_entries')
        .set({ finished_at: at, outcome })
        .where('workflow_id', '=', workflowId)
        .where('finished_at', 'is', null)
        .returning(['integration_id', 'order_key', 'seq']),
    );
    this.waitersOf = preparedQuery(db, 4, (workflowId: string, integrationId: string, orderKey: string, seq: number) =>
      db
        .selectFrom('order_entries')
        .select('workflow_id')
        .where('finished_at', 'is', null)
        .where('waiting_since', 'is not', null)
        .where((eb) =>
          eb.or([
            eb('predecessor_workflow_id', '=', workflowId),
            eb.and([
              eb('integration_id', '=', integrationId),
              eb('order_key', '=', orderKey),
              eb('barrier', '=', 1),
              eb('seq', '>', seq),
            ]),
          ]),
        )
        .orderBy('seq'),
    );
    const one = preparedQuery(db, 1, (a: string) =>
      db.selectFrom('order_entries').selectAll().where('workflow_id', 'in', [a]),
    );
    const two = preparedQuery(db, 2, (a: string, b: string) =>
      db.selectFrom('order_entries').selectAll().where('workflow_id', 'in', [a, b]),
    );
    this.entriesByIds = [async (a) => (await one(a)).rows, async (a, b) => (await two(a, b)).rows];
  }

  /**
   * The places of a request's deliveries of one integration, taken in one transaction, in array order. Idempotent by
   * workflow id: a delivery taken before (a retried request) keeps its place, and what it waits for is read afresh.
   * Key rows are locked in a fixed order (PostgreSQL: the upsert's row lock), so API replicas taking places for the
   * same person serialise on the key and never deadlock.
   */
  async take(integrationId: string, handovers: OrderHandover[], now = new Date()): Promise<OrderPlace[]> {
    if (handovers.length === 0) return [];
    const at = now.toISOString();
    return this.db.transaction().execute(async (tx) => {
      const digests = handovers.map((h) => keyDigest(h.key));
      // Written first: on SQLite the transaction takes the write lock at once (no read-then-upgrade conflict between
      // processes); on PostgreSQL each key row is locked until commit.
      const keys = await lockKeys(tx, integrationId, [...new Set(digests)].sort());

      const ids = handovers.map((h) => h.workflowId);
      const existing = new Map((await entriesOf(tx, ids)).map((e) => [e.workflow_id, e]));
      const tails = [...keys.values()].map((k) => k.tail_workflow_id).filter((id): id is string => id !== null);
      // A tail whose entry is gone was pruned, long after it finished.
      const openTails = new Set(
        (await entriesOf(tx, tails)).filter((e) => e.finished_at === null).map((e) => e.workflow_id),
      );
      const unfinishedOf = new Map<string, UnfinishedEntry[]>();
      const taken = new Map<string, OrderEntriesTable>();
      const inserts: OrderEntriesTable[] = [];
      const places: OrderPlace[] = [];
      for (const [i, handover] of handovers.entries()) {
        const before = existing.get(handover.workflowId) ?? taken.get(handover.workflowId);
        if (before) {
          places.push({ seq: before.seq, waitFor: await waitForOf(tx, before, taken) });
          continue;
        }
        const digest = digests[i]!;
        const key = keys.get(digest)!;
        const seq = key.next_seq + 1;
        const predecessor = key.tail_workflow_id;
        let waitFor: string[];
        if (handover.barrier) {
          if (!unfinishedOf.has(digest)) {
            const stored = await unfinishedEntries(tx, integrationId, digest);
            const fromThisRequest = inserts
              .filter((e) => e.order_key === digest)
              .map((e) => ({ workflowId: e.workflow_id, barrier: e.barrier === 1 }));
            unfinishedOf.set(digest, [...stored, ...fromThisRequest]);
          }
          waitFor = unfinishedOf.get(digest)!.map((e) => e.workflowId);
        } else {
          const predecessorOpen = predecessor !== null && (taken.has(predecessor) || openTails.has(predecessor));
          waitFor = predecessorOpen ? [predecessor] : [];
        }
        const entry: OrderEntriesTable = {
          workflow_id: handover.workflowId,
          integration_id: integrationId,
          order_key: digest,
          seq,
          predecessor_workflow_id: predecessor,
          barrier: handover.barrier ? 1 : 0,
          handed_at: at,
          waiting_since: null,
          finished_at: null,
          outcome: null,
        };
        inserts.push(entry);
        taken.set(entry.workflow_id, entry);
        unfinishedOf.get(digest)?.push({ workflowId: entry.workflow_id, barrier: handover.barrier });
        key.next_seq = seq;
        key.tail_workflow_id = entry.workflow_id;
        if (handover.barrier) {
          key.last_barrier_seq = seq;
          key.last_barrier_workflow_id = entry.workflow_id;
          key.last_barrier_at = at;
        }
        places.push({ seq, waitFor });
      }
      for (let i = 0; i < inserts.length; i += INSERT_CHUNK) {
        await tx
          .insertInto('order_entries')
          .values(inserts.slice(i, i + INSERT_CHUNK))
          .execute();
      }
      await storeKeys(
        tx,
        [...new Set(inserts.map((e) => e.order_key))].map((digest) => keys.get(digest)!),
      );
      return places;
    });
  }

  /**
   * Marks a delivery finished (idempotent: the first outcome stays) and names the unfinished runs waiting for it by
   * signal (waiting()): its successor, and any later barrier of its key. Waking one that has more to wait for is
   * harmless: it asks again. The mark is committed before the waiters are read, and a waiter says it waits before it
   * asks a last time, so one of the two always sees the other: no waiter is left without its signal.
   */
  async finish(workflowId: string, outcome: OrderOutcome, now = new Date()): Promise<string[]> {
    const entry =
      (await this.finishEntry(now.toISOString(), outcome, workflowId)).rows[0] ??
      // Finished before (the first outcome stays): its waiters are named again, a second release is harmless.
      (await this.db
        .selectFrom('order_entries')
        .select(['integration_id', 'order_key', 'seq'])
        .where('workflow_id', '=', workflowId)
        .executeTakeFirst());
    if (!entry) return [];
    const { rows } = await this.waitersOf(workflowId, entry.integration_id, entry.order_key, entry.seq);
    return rows.map((w) => w.workflow_id);
  }

  /** These runs wait for a signal from what they wait for (finish() names only such runs). */
  async waiting(workflowIds: string | string[], now = new Date()): Promise<void> {
    const ids = typeof workflowIds === 'string' ? [workflowIds] : workflowIds;
    if (ids.length === 0) return;
    await this.db
      .updateTable('order_entries')
      .set({ waiting_since: now.toISOString() })
      .where('workflow_id', 'in', ids)
      .where('waiting_since', 'is', null)
      .execute();
  }

  /**
   * What an ordered attempt asks first, in one read: whether its own run was delivered already (its 2xx recorded, its
   * worker lost before the run recorded it), and which of `waitFor` have not finished, as unfinished() says.
   */
  async standing(
    workflowId: string,
    waitFor: string[],
  ): Promise<{ delivered: boolean; unfinished: UnfinishedEntry[] }> {
    const rows = await this.entries([workflowId, ...waitFor]);
    const delivered = rows.some((e) => e.workflow_id === workflowId && e.outcome === 'delivered');
    const awaited = new Set(waitFor);
    return { delivered, unfinished: unfinishedInOrder(rows.filter((e) => awaited.has(e.workflow_id))) };
  }

  /** Which of these entries have not finished yet, in chain order (an entry no longer kept has finished long ago). */
  async unfinished(workflowIds: string[]): Promise<UnfinishedEntry[]> {
    return unfinishedInOrder(await this.entries(workflowIds));
  }

  /** The entries of these runs: one or two (an attempt's usual reads) by a statement compiled once. */
  private async entries(workflowIds: string[]): Promise<Rows> {
    const ids = [...new Set(workflowIds)];
    const [one, two] = this.entriesByIds;
    if (ids.length === 1) return one(ids[0]!);
    if (ids.length === 2) return two(ids[0]!, ids[1]!);
    return entriesOf(this.db, ids);
  }

  /** A delivery's entry and its key's latest barrier; undefined when it was never ordered (or was pruned). */
  async entry(workflowId: string): Promise<OrderEntry | undefined> {
    const row = await this.db
      .selectFrom('order_entries as e')
      .innerJoin('order_keys as k', (j) =>
        j.onRef('k.integration_id', '=', 'e.integration_id').onRef('k.order_key', '=', 'e.order_key'),
      )
      .select([
        'e.workflow_id',
        'e.integration_id',
        'e.seq',
        'e.barrier',
        'e.predecessor_workflow_id',
        'e.handed_at',
        'e.finished_at',
        'e.outcome',
        'k.last_barrier_seq',
        'k.last_barrier_workflow_id',
        'k.last_barrier_at',
      ])
      .where('e.workflow_id', '=', workflowId)
      .executeTakeFirst();
    if (!row) return undefined;
    return {
      workflowId: row.workflow_id,
      integrationId: row.integration_id,
      seq: row.seq,
      barrier: row.barrier === 1,
      handedAt: row.handed_at,
      ...(row.predecessor_workflow_id ? { predecessor: row.predecessor_workflow_id } : {}),
      ...(row.finished_at ? { finishedAt: row.finished_at, outcome: row.outcome as OrderOutcome } : {}),
      ...(row.last_barrier_seq !== null
        ? {
            lastBarrier: {
              seq: row.last_barrier_seq,
              workflowId: row.last_barrier_workflow_id!,
              at: row.last_barrier_at!,
            },
          }
        : {}),
    };
  }

  /**
   * Forgets entries that finished before `before` (their runs' histories are gone after the namespace's retention):
   * a key's row stays, so its sequence and latest barrier go on. Returns how many went.
   */
  async prune(before: Date): Promise<number> {
    const result = await this.db
      .deleteFrom('order_entries')
      .where('finished_at', '<', before.toISOString())
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}

/** The stored form of an order key: it names a person (an id, an email), which the book has no need to keep. */
export function keyDigest(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

/**
 * The keys' rows, created on first use, locked until the transaction ends (PostgreSQL: the upsert's row locks, taken
 * in the order given, which callers sort, so two takers never lock in opposite orders). One statement per chunk.
 */
async function lockKeys(tx: Tx, integrationId: string, digests: string[]): Promise<Map<string, OrderKeysTable>> {
  const keys = new Map<string, OrderKeysTable>();
  for (let i = 0; i < digests.length; i += INSERT_CHUNK) {
    const rows = await tx
      .insertInto('order_keys')
      .values(
        digests.slice(i, i + INSERT_CHUNK).map((digest) => ({
          integration_id: integrationId,
          order_key: digest,
          next_seq: 0,
          tail_workflow_id: null,
          last_barrier_seq: null,
          last_barrier_workflow_id: null,
          last_barrier_at: null,
        })),
      )
      .onConflict((oc) =>
        oc.columns(['integration_id', 'order_key']).doUpdateSet({ next_seq: sql<number>`order_keys.next_seq` }),
      )
      .returningAll()
      .execute();
    for (const row of rows) keys.set(row.order_key, row);
  }
  return keys;
}

/** Writes the keys' new sequence, tail and last barrier (rows locked by lockKeys): one statement per chunk. */
async function storeKeys(tx: Tx, keys: OrderKeysTable[]): Promise<void> {
  for (let i = 0; i < keys.length; i += INSERT_CHUNK) {
    await tx
      .insertInto('order_keys')
      .values(keys.slice(i, i + INSERT_CHUNK))
      .onConflict((oc) =>
        oc.columns(['integration_id', 'order_key']).doUpdateSet((eb) => ({
          next_seq: eb.ref('excluded.next_seq'),
          tail_workflow_id: eb.ref('excluded.tail_workflow_id'),
          last_barrier_seq: eb.ref('excluded.last_barrier_seq'),
          last_barrier_workflow_id: eb.ref('excluded.last_barrier_workflow_id'),
          last_barrier_at: eb.ref('excluded.last_barrier_at'),
        })),
      )
      .execute();
  }
}

function unfinishedInOrder(rows: OrderEntriesTable[]): UnfinishedEntry[] {
  return rows
    .filter((e) => e.finished_at === null)
    .sort((a, b) => a.seq - b.seq)
    .map((e) => ({ workflowId: e.workflow_id, barrier: e.barrier === 1, handedAt: e.handed_at }));
}

async function entriesOf(db: Db | Tx, workflowIds: string[]): Promise<OrderEntriesTable[]> {
  const out: OrderEntriesTable[] = [];
  const unique = [...new Set(workflowIds)];
  for (let i = 0; i < unique.length; i += INSERT_CHUNK) {
    const chunk = unique.slice(i, i + INSERT_CHUNK);
    out.push(...(await db.selectFrom('order_entries').selectAll().where('workflow_id', 'in', chunk).execute()));
  }
  return out;
}

async function unfinishedEntries(tx: Tx, integrationId: string, digest: string): Promise<UnfinishedEntry[]> {
  const rows = await tx
    .selectFrom('order_entries')
    .select(['workflow_id', 'barrier'])
    .where('integration_id', '=', integrationId)
    .where('order_key', '=', digest)
    .where('finished_at', 'is', null)
    .orderBy('seq')
    .execute();
  return rows.map((r) => ({ workflowId: r.workflow_id, barrier: r.barrier === 1 }));
}

/** What an entry taken before waits for now: a barrier every earlier unfinished entry, else its open predecessor. */
async function waitForOf(tx: Tx, entry: OrderEntriesTable, taken: Map<string, OrderEntriesTable>): Promise<string[]> {
  if (entry.barrier === 1) {
    const open = await unfinishedEntries(tx, entry.integration_id, entry.order_key);
    const earlier = (
      await entriesOf(
        tx,
        open.map((e) => e.workflowId),
      )
    ).filter((e) => e.seq < entry.seq);
    return earlier.sort((a, b) => a.seq - b.seq).map((e) => e.workflow_id);
  }
  const predecessor = entry.predecessor_workflow_id;
  if (!predecessor) return [];
  if (taken.has(predecessor)) return [predecessor];
  const [row] = await entriesOf(tx, [predecessor]);
  return row && row.finished_at === null ? [predecessor] : [];
}
