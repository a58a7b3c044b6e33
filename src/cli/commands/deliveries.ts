import { DELIVERY_STATUSES } from '../../shared/delivery';
import { EVENT_TYPES } from '../../shared/event';
import { ApiClient, type DeliverySummary } from '../api-client';
import {
  COMMON_FLAGS,
  FILTER_FLAGS,
  type FlagTable,
  integerFlag,
  oneOf,
  parseFlags,
  parseTimeFlag,
  UsageError,
} from '../args';
import { type CliContext, EXIT } from '../context';
import { table } from '../output';
import { resolveConnection } from '../settings';
import { usage } from '../usage';

const DELIVERIES_FLAGS = {
  ...COMMON_FLAGS,
  ...FILTER_FLAGS,
  limit: { type: 'string' },
  'page-size': { type: 'string' },
} as const satisfies FlagTable;

/** `deliveries`: the list endpoint as an aligned table, following `next_cursor` up to --limit rows. */
export async function deliveriesCommand(argv: readonly string[], ctx: CliContext): Promise<number> {
  const flags = parseFlags(argv, DELIVERIES_FLAGS, 'deliveries');
  if (flags.help) {
    ctx.stdout.write(usage('deliveries'));
    return EXIT.ok;
  }
  const now = ctx.now();
  const since = parseTimeFlag(flags, 'since', now, 'deliveries');
  const until = parseTimeFlag(flags, 'until', now, 'deliveries');
  if (since && until && until <= since)
    throw new UsageError(`--until (${until}) must be after --since (${since})`, 'deliveries');
  const query = {
    status: oneOf(flags, 'status', DELIVERY_STATUSES, 'deliveries'),
    integration_id: flags.integration,
    event_type: oneOf(flags, 'event-type', EVENT_TYPES, 'deliveries'),
    since,
    until,
  };
  const limit = integerFlag(flags, 'limit', { min: 1, max: 10_000 }, 'deliveries') ?? 50;
  const pageSize = integerFlag(flags, 'page-size', { min: 1, max: 100 }, 'deliveries') ?? 100;
  const connection = resolveConnection(flags, ctx.env, ctx.cwd, 'deliveries');
  ctx.stdout.hide(connection.token);
  ctx.stderr.hide(connection.token);
  const api = new ApiClient(connection);

  const rows: DeliverySummary[] = [];
  let cursor: string | undefined;
  let more = false;
  do {
    const page = await api.listDeliveries({
      ...query,
      limit: Math.min(pageSize, limit - rows.length),
      ...(cursor ? { cursor } : {}),
    });
    rows.push(...page.data.slice(0, limit - rows.length));
    cursor = page.has_more && page.next_cursor ? page.next_cursor : undefined;
    more = cursor !== undefined;
  } while (cursor && rows.length < limit);

  if (rows.length === 0) {
    ctx.stderr.line('no deliveries match');
    return EXIT.ok;
  }
  ctx.stdout.write(
    table(
      ['TIME', 'STATUS', 'HTTP', 'ATTEMPTS', 'EVENT', 'CUSTOMER', 'WORKFLOW ID'],
      rows.map((d) => [
        d.started_at ? d.started_at.replace(/\.\d+Z$/, 'Z') : '-',
        // A late delivery reached Customer.io after its event's 72-hour campaign window: it starts no campaign.
        d.late ? `${d.status} (late ${d.late.age_hours} h)` : d.status,
        d.http_status === null ? '-' : String(d.http_status),
        String(d.attempts),
        [d.event_type, d.event_name].filter(Boolean).join(' ') || '-',
        d.customer_id ?? '-',
        d.workflow_id,
      ]),
    ),
  );
  // A full page can come with a cursor to an empty one: only "more" when the last page said so.
  if (more) ctx.stderr.line(`showing ${rows.length}; more match (raise --limit)`);
  return EXIT.ok;
}
