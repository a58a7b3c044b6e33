import { type Client, WorkflowNotFoundError } from '@temporalio/client';
import { settleEvent, startDeliveryRun } from '../client/start-delivery';
import { hashPiiMentions } from '../customerio/pii';
import { AppError, errors } from '../errors';
import { countStarted } from '../observability/delivery-metrics';
import { DELIVERY_WORKFLOW_TYPES, legacyReplayWorkflowId, replayWorkflowId } from '../shared/names';
import type { IntegrationStore } from '../store/integrations';
import type { OrderBook } from '../store/order-book';
import {
  GRPC,
  hasGrpcCode,
  isSearchAttributeNotReady,
  isTemporalUnreachable,
  withinDeadline,
} from '../temporal/grpc-status';
import { CursorSeal } from './cursor';
import { countParkedDeliveries, resumeParkedDeliveries, stopParkedDeliveries } from './parked';
import { type DeliveryFilter, deliveryQuery } from './query';
import {
  decodeInput,
  deliveryRecord,
  type DeliveryRecord,
  type DeliverySummary,
  hashedId,
  type RecordOptions,
  summarize,
} from './records';

interface DeliveryServiceOptions extends RecordOptions {
  client: Client;
  taskQueue: string;
  store: Pick<IntegrationStore, 'get'>;
  /** Where replays learn whether a delivery was handed over before its person's deletion (issue 16). */
  orderBook?: Pick<OrderBook, 'entry'>;
  /** Signs list cursors; replicas that share it accept each other's (default: a key of this process alone). */
  cursorKey?: Buffer;
  /** How long an API request waits for a visibility query or a describe (API_TEMPORAL_TIMEOUT_MS). */
  temporalTimeoutMs: number;
}

interface ReplayOptions {
  /** Delivered (and filtered) deliveries are replayed only when asked to. */
  includeDelivered?: boolean;
  /** Replay one handed over before its person's deletion anyway (single replays only; the caller audits it). */
  force?: boolean;
}

export interface ReplayStarted {
  replay_of: string;
  workflow_id: string;
  run_id: string;
  /** Forced past its person's deletion or suppression: that barrier delivery. */
  forced_past?: { workflow_id: string; handed_at: string };
}

type ReplayVerdict =
  | { replay: true; forcedPast?: { workflow_id: string; handed_at: string } }
  | {
      replay: false;
      reason: 'in_progress' | 'already_delivered' | 'not_replayable' | 'order_after_deletion';
      detail: string;
    };

const REFUSAL_CODES: Record<Extract<ReplayVerdict, { replay: false }>['reason'], string> = {
  in_progress: 'REPLAY_IN_PROGRESS',
  already_delivered: 'ALREADY_DELIVERED',
  not_replayable: 'NOT_REPLAYABLE',
  order_after_deletion: 'ORDER_AFTER_DELETION',
};

export const MAX_BULK_REPLAY = 1000;
/** How many matching deliveries one bulk replay looks at, at most, to find its replays. */
const MAX_BULK_SCAN = 10_000;

/**
 * Deliveries as Temporal knows them (visibility for lists, the history for one record), and replays of them.
 * There is no second delivery log: every answer here is read from the workflow runs.
 */
export class DeliveryService {
  private readonly cursors: CursorSeal;

  constructor(private readonly options: DeliveryServiceOptions) {
    this.cursors = new CursorSeal(options.cursorKey);
  }

  async list(
    filter: DeliveryFilter,
    page: { limit: number; cursor?: string },
  ): Promise<{ data: DeliverySummary[]; next_cursor: string | null; has_more: boolean }> {
    const { client } = this.options;
    const query = deliveryQuery(filter);
    let nextPageToken: Uint8Array | undefined;
    if (page.cursor) {
      nextPageToken = this.cursors.open(query, page.cursor);
      if (!nextPageToken || nextPageToken.length === 0) throw badCursor();
    }
    const response = await this.visibility(() =>
      client.workflowService.listWorkflowExecutions({
        namespace: client.options.namespace,
        query,
        pageSize: page.limit,
        nextPageToken,
      }),
    ).catch((err: unknown) => {
      // A cursor we sealed that Temporal no longer takes (its visibility store changed, say).
      if (page.cursor && hasGrpcCode(err, GRPC.INVALID_ARGUMENT)) throw badCursor();
      throw err;
    });
    const token =
      response.nextPageToken && response.nextPageToken.length > 0
        ? this.cursors.seal(query, response.nextPageToken)
        : null;
    return {
      data: await this.shownAsConfigured((response.executions ?? []).map((e) => summarize(e, this.options))),
      next_cursor: token,
      has_more: token !== null,
    };
  }

  /**
   * A call to Temporal that an API request waits for: bounded by `temporalTimeoutMs`, so a Temporal that is down or
   * slow is a quick 503 rather than a request held for the SDK's ~20 s of retries.
   */
  private async visibility<T>(call: () => Promise<T>): Promise<T> {
    const { client } = this.options;
    try {
      return await withinDeadline(client, this.options.temporalTimeoutMs, call);
    } catch (err) {
      if (isTemporalUnreachable(err)) {
        throw new AppError(503, 'TEMPORAL_UNAVAILABLE', 'Temporal did not answer in time: retry shortly');
      }
      if (isSearchAttributeNotReady(err)) {
        throw new AppError(
          503,
          'TEMPORAL_UNAVAILABLE',
          'Temporal does not know the delivery search attributes yet (a new cluster sees them within a minute of their registration): retry shortly',
        );
      }
      throw err;
    }
  }

  /** Rows of integrations with hash_pii name their person by a hash, in the customer id and in the last error. */
  private async shownAsConfigured(rows: DeliverySummary[]): Promise<DeliverySummary[]> {
    const ids = [...new Set(rows.map((r) => r.integration_id).filter((id): id is string => id !== null))];
    const hashing = new Set<string>();
    for (const id of ids) if ((await this.options.store.get(id))?.config.hash_pii) hashing.add(id);
    return rows.map((row) => {
      if (!row.integration_id || !hashing.has(row.integration_id)) return row;
      const raw = row.customer_id && !row.customer_id.startsWith('sha256:') ? [row.customer_id] : [];
      return {
        ...row,
        customer_id: hashedId(row.customer_id),
        last_error: hashPiiMentions(row.last_error, raw) as DeliverySummary['last_error'],
      };
    });
  }

  async summary(workflowId: string, runId?: string): Promise<DeliverySummary | undefined> {
    try {
      const handle = this.options.client.workflow.getHandle(workflowId, runId);
      const description = await this.visibility(() => handle.describe());
      if (!(DELIVERY_WORKFLOW_TYPES as readonly string[]).includes(description.type)) return undefined;
      return summarize(description.raw.workflowExecutionInfo!, this.options);
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return undefined;
      throw err;
    }
  }

  async get(workflowId: string, runId?: string): Promise<DeliveryRecord> {
    const summary = await this.summary(workflowId, runId);
    if (!summary) throw errors.notFound(`Delivery ${workflowId}`);
    const history = await this.options.client.workflow.getHandle(workflowId, summary.run_id).fetchHistory();
    const integration = summary.integration_id ? await this.options.store.get(summary.integration_id) : undefined;
    const replays = summary.replay_of ? [] : (await this.list({ replayOf: workflowId }, { limit: 20 })).data;
    return deliveryRecord(summary, history, integration?.config.hash_pii ? 'hash' : 'show', replays);
  }

  countParked(integrationId: string): Promise<number> {
    return this.visibility(() => countParkedDeliveries(this.options.client, integrationId));
  }

  resumeParked(integrationId: string, revisionNumber: number): Promise<number> {
    return resumeParkedDeliveries(this.options.client, integrationId, revisionNumber);
  }

  stopParked(integrationId: string): Promise<number> {
    return stopParkedDeliveries(this.options.client, integrationId);
  }

  /** Starts a new run of a delivery from its original input, linked both ways (ReplayOf, memo). */
  async replay(workflowId: string, options: ReplayOptions = {}): Promise<ReplayStarted> {
    const target = await this.summary(workflowId);
    if (!target) throw errors.notFound(`Delivery ${workflowId}`);
    // Replaying a replay repeats the original delivery.
    const original = target.replay_of ? await this.summary(target.replay_of) : target;
    if (!original) throw errors.notFound(`Delivery ${target.replay_of}`);
    const verdict = await this.verdict(original, options);
    if (!verdict.replay) throw new AppError(409, REFUSAL_CODES[verdict.reason], verdict.detail);
    const started = await this.startReplay(original);
    return verdict.forcedPast ? { ...started, forced_past: verdict.forcedPast } : started;
  }

  /**
   * Replays every delivery matching the filter (failed ones unless asked otherwise), up to `limit` replays, or says
   * what it would do. Originals already delivered by a replay are skipped but do not count toward the limit, so a
   * second run moves on to the rest. `onReplayed` hears of each replay as it starts (the audit log).
   */
  async replayMany(
    filter: DeliveryFilter,
    options: ReplayOptions & {
      dryRun?: boolean;
      limit?: number;
      onReplayed?: (started: ReplayStarted) => Promise<void>;
    },
  ) {
    const limit = Math.min(options.limit ?? 100, MAX_BULK_REPLAY);
    const replayed: ReplayStarted[] = [];
    const wouldReplay: string[] = [];
    const skipped: { workflow_id: string; reason: string; detail: string }[] = [];
    let matched = 0;
    let cursor: string | undefined;
    do {
      const page = await this.list(
        { ...filter, status: filter.status ?? 'failed', originalsOnly: true },
        { limit: 100, cursor },
      );
      cursor = page.next_cursor ?? undefined;
      for (const candidate of page.data) {
        if (replayed.length + wouldReplay.length >= limit || matched >= MAX_BULK_SCAN) break;
        matched++;
        // A bulk replay never goes past a person's deletion: that takes a replay of its own, forced and audited.
        const verdict = await this.verdict(candidate, { ...options, force: false });
        if (!verdict.replay) {
          skipped.push({ workflow_id: candidate.workflow_id, reason: verdict.reason, detail: verdict.detail });
        } else if (options.dryRun) {
          wouldReplay.push(candidate.workflow_id);
        } else {
          try {
            const started = await this.startReplay(candidate);
            replayed.push(started);
            await options.onReplayed?.(started);
          } catch (err) {
            if (!(err instanceof AppError)) throw err;
            skipped.push({ workflow_id: candidate.workflow_id, reason: err.code.toLowerCase(), detail: err.message });
          }
        }
      }
    } while (cursor && replayed.length + wouldReplay.length < limit && matched < MAX_BULK_SCAN);
    return {
      dry_run: options.dryRun === true,
      matched,
      ...(options.dryRun ? { would_replay: wouldReplay } : { replayed }),
      skipped,
    };
  }

  /** Whether a delivery may be replayed now, looking at it and at its latest replay. */
  /**
   * The newest replay of a delivery, by its replay id (and the id replays had before they got their own id space).
   * Whatever is found there counts only if it says it replays this delivery (ReplayOf): an id is no proof.
   */
  private async latestReplay(originalWorkflowId: string): Promise<DeliverySummary | undefined> {
    const found = await Promise.all(
      [replayWorkflowId(originalWorkflowId), legacyReplayWorkflowId(originalWorkflowId)].map((id) => this.summary(id)),
    );
    const replays = found.filter((r): r is DeliverySummary => r?.replay_of === originalWorkflowId);
    return replays.sort((a, b) => (a.started_at < b.started_at ? 1 : -1))[0];
  }

  private async verdict(original: DeliverySummary, options: ReplayOptions): Promise<ReplayVerdict> {
    if (original.execution_status === 'running') {
      return {
        replay: false,
        reason: 'in_progress',
        detail: `${original.workflow_id} is still running (${original.status})`,
      };
    }
    const latestReplay = await this.latestReplay(original.workflow_id);
    if (latestReplay?.execution_status === 'running') {
      return {
        replay: false,
        reason: 'in_progress',
        detail: `a replay of ${original.workflow_id} is already running (${latestReplay.workflow_id})`,
      };
    }
    const effective = latestReplay ?? original;
    if ((effective.status === 'delivered' || effective.status === 'filtered') && !options.includeDelivered) {
      return {
        replay: false,
        reason: 'already_delivered',
        detail: `${original.workflow_id} ${latestReplay ? 'was replayed and ended' : 'ended'} ${effective.status}: pass include_delivered to replay it anyway`,
      };
    }
    return this.orderVerdict(original, options);
  }

  /**
   * A delivery handed over before its person's deletion (or suppression), the order barrier of its key, would land
   * after it and undo it (a replayed identify or track re-creates the person): refused unless forced.
   */
  private async orderVerdict(original: DeliverySummary, options: ReplayOptions): Promise<ReplayVerdict> {
    const entry = await this.options.orderBook?.entry(original.workflow_id);
    const barrier = entry?.lastBarrier;
    if (!entry || !barrier || barrier.seq <= entry.seq) return { replay: true };
    const past = { workflow_id: barrier.workflowId, handed_at: barrier.at };
    if (options.force) return { replay: true, forcedPast: past };
    return {
      replay: false,
      reason: 'order_after_deletion',
      detail: `${original.workflow_id} was handed over before its person's deletion or suppression (${barrier.workflowId}, handed over at ${barrier.at}); replaying it would land after that and undo it (re-create the person): pass force=true to replay it anyway (recorded in the audit log)`,
    };
  }

  private async startReplay(original: DeliverySummary): Promise<ReplayStarted> {
    const { client } = this.options;
    const history = await client.workflow.getHandle(original.workflow_id, original.run_id).fetchHistory();
    const input = decodeInput(history);
    if (!input) throw new AppError(409, 'NOT_REPLAYABLE', `${original.workflow_id} has no readable input`);
    const integration = await this.options.store.get(input.integrationId);
    // The original event (so the same Customer.io event id), settled afresh under the integration's current settings.
    const settled = settleEvent(input.integrationId, input.event, {
      config: integration?.config,
      retry: input.retry,
      filter: input.filter,
      replayOf: { workflowId: original.workflow_id, runId: original.run_id },
    });
    const { taskQueue } = this.options;
    const outcome = await startDeliveryRun(client, settled, { taskQueue });
    countStarted(outcome, settled.input, 'replay');
    if (outcome.status === 'duplicate') {
      throw new AppError(
        409,
        'REPLAY_IN_PROGRESS',
        `a replay of ${original.workflow_id} is already running (${outcome.workflowId})`,
      );
    }
    return { replay_of: original.workflow_id, workflow_id: outcome.workflowId, run_id: outcome.runId };
  }
}

const badCursor = () =>
  errors.validation([{ field: 'cursor', message: 'is not a cursor this API issued for these filters' }]);
