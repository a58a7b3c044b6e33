import { DELIVERY_STATUSES } from '../../shared/delivery';
import { EVENT_TYPES } from '../../shared/event';
import { ApiClient, ApiError, type ReplayFilter, type ReplaySkip, type ReplayStarted } from '../api-client';
import {
  COMMON_FLAGS,
  FILTER_FLAGS,
  type FlagTable,
  type FlagValues,
  integerFlag,
  oneOf,
  parseFlags,
  parseTimeFlag,
  UsageError,
} from '../args';
import { type CliContext, EXIT } from '../context';
import { Progress } from '../progress';
import { resolveConnection } from '../settings';
import { usage } from '../usage';

export const REPLAY_FLAGS = {
  ...COMMON_FLAGS,
  ...FILTER_FLAGS,
  'include-delivered': { type: 'boolean' },
  limit: { type: 'string' },
  'dry-run': { type: 'boolean' },
} as const satisfies FlagTable;

/** Replays started at once; the API allows 50 admin requests a second, and a 429 is waited out. */
const CONCURRENCY = 4;

/** 409 answers that mean "nothing to do now", not "it went wrong". */
const SKIP_CODES: Record<string, string> = {
  REPLAY_IN_PROGRESS: 'in_progress',
  ALREADY_DELIVERED: 'already_delivered',
};

interface Settled {
  workflowId: string;
  outcome: 'replayed' | 'skipped' | 'failed';
  started?: ReplayStarted;
  reason?: string;
  detail?: string;
}

function parseReplayArgs(
  argv: readonly string[],
  now: Date,
): { help: true } | { help: false; flags: FlagValues<typeof REPLAY_FLAGS>; filter: ReplayFilter; dryRun: boolean } {
  const flags = parseFlags(argv, REPLAY_FLAGS, 'replay');
  if (flags.help) return { help: true };
  const since = parseTimeFlag(flags, 'since', now, 'replay');
  if (!since) throw new UsageError('--since is required: how far back to look, e.g. --since 2h', 'replay');
  const until = parseTimeFlag(flags, 'until', now, 'replay');
  if (until && until <= since) throw new UsageError(`--until (${until}) must be after --since (${since})`, 'replay');
  const eventType = oneOf(flags, 'event-type', EVENT_TYPES, 'replay');
  const limit = integerFlag(flags, 'limit', { min: 1, max: 1000 }, 'replay');
  const filter: ReplayFilter = {
    status: oneOf(flags, 'status', DELIVERY_STATUSES, 'replay') ?? 'failed',
    since,
    ...(until ? { until } : {}),
    ...(flags.integration ? { integration_id: flags.integration } : {}),
    ...(eventType ? { event_type: eventType } : {}),
    ...(flags['include-delivered'] ? { include_delivered: true } : {}),
    limit: limit ?? 100,
  };
  return { help: false, flags, filter, dryRun: flags['dry-run'] === true };
}

/** `replay`: a dry run through the bulk endpoint for the candidates, then one replay request per candidate. */
export async function replayCommand(argv: readonly string[], ctx: CliContext): Promise<number> {
  const parsed = parseReplayArgs(argv, ctx.now());
  if (parsed.help) {
    ctx.stdout.write(usage('replay'));
    return EXIT.ok;
  }
  const connection = resolveConnection(parsed.flags, ctx.env, ctx.cwd, 'replay');
  ctx.stderr.hide(connection.token);
  ctx.stdout.hide(connection.token);
  const api = new ApiClient(connection);
  const { filter } = parsed;

  const plan = await api.planReplay(filter);
  const skippedUpFront = plan.skipped ?? [];
  if (plan.would_replay.length >= (filter.limit ?? 100)) {
    // The API stops looking once --limit replays are found; deliveries past them wait for the next run.
    ctx.stderr.line(
      `note: --limit ${filter.limit ?? 100} reached; more deliveries may match: run again to continue, or raise --limit (at most 1000)`,
    );
  }

  if (parsed.dryRun) {
    ctx.stdout.line(
      `dry run: would replay ${plan.would_replay.length}, skip ${skippedUpFront.length}${reasons(skippedUpFront)} of ${plan.matched} matched`,
    );
    for (const id of plan.would_replay) ctx.stdout.line(`would replay ${id}`);
    for (const s of skippedUpFront)
      ctx.stdout.line(`skip ${s.workflow_id} (${s.reason}): ${plainDetail(s.workflow_id, s.detail)}`);
    return EXIT.ok;
  }

  const progress = new Progress(ctx.stderr, plan.matched);
  progress.start();
  const settled: Settled[] = [];
  for (const s of skippedUpFront) {
    const skip: Settled = { workflowId: s.workflow_id, outcome: 'skipped', reason: s.reason, detail: s.detail };
    settled.push(skip);
    progress.record('skipped', describe(skip));
  }

  let interrupted = false;
  const stopListening = ctx.onInterrupt(() => {
    interrupted = true;
    progress.note('interrupted: finishing the replays already sent, starting no more (Ctrl-C again to quit at once)');
  });
  const results: (Settled | undefined)[] = new Array(plan.would_replay.length);
  let next = 0;
  const worker = async () => {
    while (!interrupted && next < plan.would_replay.length) {
      const index = next++;
      const workflowId = plan.would_replay[index]!;
      const result = await replayOne(api, workflowId, filter.include_delivered === true);
      results[index] = result;
      progress.record(result.outcome, describe(result));
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(CONCURRENCY, plan.would_replay.length) }, worker));
  } finally {
    stopListening();
    progress.finish();
  }
  settled.push(...results.filter((r): r is Settled => r !== undefined));

  const replayed = settled.filter((s) => s.outcome === 'replayed');
  const skipped = settled.filter((s) => s.outcome === 'skipped');
  const failed = settled.filter((s) => s.outcome === 'failed');
  if (ctx.stderr.isTTY) {
    // The bar showed counts only: say what was skipped or failed, and why.
    for (const s of [...skipped, ...failed]) ctx.stderr.line(describe(s));
  }
  const notAttempted = plan.would_replay.length - results.filter(Boolean).length;
  ctx.stdout.line(
    `replayed ${replayed.length}, skipped ${skipped.length}${reasons(skipped.map((s) => ({ reason: s.reason ?? '' })))}, failed ${failed.length} of ${plan.matched} matched` +
      (notAttempted > 0 ? `, ${notAttempted} not attempted (interrupted)` : ''),
  );
  for (const r of replayed) ctx.stdout.line(`${r.workflowId} -> ${r.started!.workflow_id} ${r.started!.run_id}`);
  if (interrupted) return EXIT.interrupted;
  return failed.length > 0 ? EXIT.failed : EXIT.ok;
}

async function replayOne(api: ApiClient, workflowId: string, includeDelivered: boolean): Promise<Settled> {
  try {
    const started = await api.replayOne(workflowId, includeDelivered ? { include_delivered: true } : {});
    return { workflowId, outcome: 'replayed', started };
  } catch (err) {
    if (!(err instanceof ApiError)) throw err;
    const skipReason = err.status === 409 ? SKIP_CODES[err.code] : undefined;
    if (skipReason) return { workflowId, outcome: 'skipped', reason: skipReason, detail: err.message };
    return { workflowId, outcome: 'failed', detail: err.describe() };
  }
}

function describe(s: Settled): string {
  if (s.outcome === 'replayed') return `replayed ${s.workflowId} -> ${s.started!.workflow_id} ${s.started!.run_id}`;
  if (s.outcome === 'skipped')
    return `skipped ${s.workflowId} (${s.reason}): ${plainDetail(s.workflowId, s.detail ?? '')}`;
  return `failed ${s.workflowId}: ${s.detail}`;
}

/** The API's reason without the workflow id the line already shows, and in the CLI's terms (flags, not fields). */
function plainDetail(workflowId: string, detail: string): string {
  const text = detail.startsWith(`${workflowId} `) ? detail.slice(workflowId.length + 1) : detail;
  return text.replace(/\binclude_delivered\b/g, '--include-delivered');
}

/** ` (already_delivered 2, in_progress 1)`, or nothing when nothing was skipped. */
function reasons(skipped: Pick<ReplaySkip, 'reason'>[]): string {
  if (skipped.length === 0) return '';
  const counts = new Map<string, number>();
  for (const s of skipped) counts.set(s.reason, (counts.get(s.reason) ?? 0) + 1);
  return ` (${[...counts].map(([reason, n]) => `${reason} ${n}`).join(', ')})`;
}
