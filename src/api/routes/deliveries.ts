import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { LiveFeed } from '../../deliveries/live-feed';
import type { DeliveryFilter } from '../../deliveries/query';
import type { DeliverySummary } from '../../deliveries/records';
import { type DeliveryService, MAX_BULK_REPLAY } from '../../deliveries/service';
import { parseInput } from '../../errors';
import { DELIVERY_STATUSES } from '../../shared/delivery';
import { EVENT_TYPES } from '../../shared/event';
import type { AuditLog } from '../../store/audit-log';
import { actorOf, requireRole } from '../auth';
import { MAX_PAGE_SIZE } from '../pagination';

const isoTime = z.iso.datetime({ offset: true, message: 'must be an ISO 8601 date-time, e.g. 2026-11-29T10:00:00Z' });
/** An empty query parameter (`?status=`) means "no filter", as a form with a blank select sends it. */
const optional = <T extends z.ZodTypeAny>(schema: T) =>
  z.preprocess((v) => (v === '' ? undefined : v), schema.optional());

const Filters = {
  integration_id: optional(z.string().max(200)),
  status: optional(z.enum(DELIVERY_STATUSES)),
  event_type: optional(z.enum(EVENT_TYPES)),
  event_name: optional(z.string().max(255)),
  customer_id: optional(z.string().max(255)),
  message_id: optional(z.string().max(200)),
  since: optional(isoTime),
  until: optional(isoTime),
};

const ListQuery = z.strictObject({
  ...Filters,
  limit: z.coerce.number().int().min(1).max(MAX_PAGE_SIZE, `limit can be at most ${MAX_PAGE_SIZE}`).default(50),
  cursor: z.string().max(4000).optional(),
});

const ReplayOne = z.strictObject({ include_delivered: z.boolean().default(false) });
const ReplayMany = z.strictObject({
  status: Filters.status,
  integration_id: Filters.integration_id,
  event_type: Filters.event_type,
  since: Filters.since,
  until: Filters.until,
  include_delivered: z.boolean().default(false),
  dry_run: z.boolean().default(false),
  limit: z.number().int().min(1).max(MAX_BULK_REPLAY).default(100),
});

const LiveQuery = z.object({
  integration_id: Filters.integration_id,
  status: Filters.status,
  event_type: Filters.event_type,
  token: z.string().optional(),
});

const parse = <T extends z.ZodTypeAny>(schema: T, value: unknown) => parseInput(schema, value ?? {});

function toFilter(q: {
  integration_id?: string;
  status?: string;
  event_type?: string;
  event_name?: string;
  customer_id?: string;
  message_id?: string;
  since?: string;
  until?: string;
}): DeliveryFilter {
  return {
    integrationId: q.integration_id,
    status: q.status,
    eventType: q.event_type,
    eventName: q.event_name,
    customerId: q.customer_id,
    messageId: q.message_id,
    since: q.since && new Date(q.since).toISOString(),
    until: q.until && new Date(q.until).toISOString(),
  };
}

/** Deliveries read from Temporal, replays, and the live stream behind the Live Events page. */
export function registerDeliveryRoutes(
  app: FastifyInstance,
  deps: { deliveries: DeliveryService; live: LiveFeed; audit: AuditLog },
): void {
  const { deliveries, live, audit } = deps;

  app.get('/deliveries', async (request) => {
    requireRole(request.principal, 'viewer');
    const q = parse(ListQuery, request.query);
    return deliveries.list(toFilter(q), { limit: q.limit, cursor: q.cursor });
  });

  app.get<{ Params: { workflowId: string }; Querystring: { run_id?: string } }>(
    '/deliveries/:workflowId',
    async (request) => {
      requireRole(request.principal, 'viewer');
      return deliveries.get(request.params.workflowId, request.query.run_id || undefined);
    },
  );

  app.post('/deliveries/replay', async (request) => {
    const principal = requireRole(request.principal, 'editor');
    const body = parse(ReplayMany, request.body);
    return deliveries.replayMany(toFilter(body), {
      includeDelivered: body.include_delivered,
      dryRun: body.dry_run,
      limit: body.limit,
      onReplayed: (r) =>
        audit.record({
          action: 'delivery.replayed',
          actor: actorOf(principal, request),
          resourceType: 'delivery',
          resourceId: r.replay_of,
          changes: { replay: { new: r.workflow_id } },
        }),
    });
  });

  app.post<{ Params: { workflowId: string } }>('/deliveries/:workflowId/replay', async (request, reply) => {
    const principal = requireRole(request.principal, 'editor');
    const body = parse(ReplayOne, request.body);
    const started = await deliveries.replay(request.params.workflowId, { includeDelivered: body.include_delivered });
    await audit.record({
      action: 'delivery.replayed',
      actor: actorOf(principal, request),
      resourceType: 'delivery',
      resourceId: started.replay_of,
      changes: { replay: { new: started.workflow_id } },
    });
    return reply.code(202).send(started);
  });

  // Server-sent events. EventSource cannot set headers, so this one route also takes the token as ?token=.
  app.get('/live-events', { config: { queryToken: true } }, async (request, reply) => {
    requireRole(request.principal, 'viewer');
    const q = parse(LiveQuery, request.query);
    const matches = (row: DeliverySummary) =>
      (!q.integration_id || row.integration_id === q.integration_id) &&
      (!q.status || row.status === q.status) &&
      (!q.event_type || row.event_type === q.event_type);
    const snapshot = await deliveries.list(toFilter(q), { limit: 50 });

    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    const send = (event: string, data: unknown) => res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    send('snapshot', snapshot.data);
    const unsubscribe = live.subscribe((rows) => {
      const mine = rows.filter(matches);
      if (mine.length > 0) send('deliveries', mine);
    });
    const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), 15_000);
    request.raw.on('close', () => {
      clearInterval(heartbeat);
      unsubscribe();
    });
  });
}
