import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { LiveFeed } from '../../deliveries/live-feed';
import type { DeliveryFilter } from '../../deliveries/query';
import type { DeliveryService } from '../../deliveries/service';
import { AppError } from '../../errors';
import type { AuditLog } from '../../store/audit-log';
import { actorOf, principalOf } from '../auth';
import type { LiveStream, LiveStreams } from '../live-streams';
import { ERROR_RESPONSES } from '../schemas/common';
import {
  BulkReplayResult,
  DeliveryGetQuery,
  DeliveryList,
  DeliveryListQuery,
  DeliveryParams,
  DeliveryRecord,
  LiveQuery,
  ReplayManyBody,
  ReplayOneBody,
  ReplayStarted,
} from '../schemas/deliveries';

function toFilter(q: {
  integration_id?: string;
  status?: string;
  event_type?: string;
  event_name?: string;
  customer_id?: string;
  message_id?: string;
  since?: string;
  until?: string;
  late?: 'true' | 'false';
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
    late: q.late === undefined ? undefined : q.late === 'true',
  };
}

/** Deliveries read from Temporal, replays, and the live stream behind the Live Events page. */
export function registerDeliveryRoutes(
  app: FastifyInstance,
  deps: { deliveries: DeliveryService; live: LiveFeed; streams: LiveStreams; audit: AuditLog },
): void {
  const { deliveries, live, streams, audit } = deps;
  const api = app.withTypeProvider<ZodTypeProvider>();

  api.get(
    '/deliveries',
    {
      config: { role: 'viewer' },
      schema: {
        summary: 'Deliveries, newest first, from Temporal visibility',
        querystring: DeliveryListQuery,
        response: { 200: DeliveryList, ...ERROR_RESPONSES },
      },
    },
    async (request) => {
      const q = request.query;
      return deliveries.list(toFilter(q), { limit: q.limit, cursor: q.cursor });
    },
  );

  api.get(
    '/deliveries/:workflow_id',
    {
      config: { role: 'viewer' },
      schema: {
        summary: "One delivery's record, read from its history",
        params: DeliveryParams,
        querystring: DeliveryGetQuery,
        response: { 200: DeliveryRecord, ...ERROR_RESPONSES },
      },
    },
    async (request) => deliveries.get(request.params.workflow_id, request.query.run_id),
  );

  api.post(
    '/deliveries/replay',
    {
      config: { role: 'editor' },
      schema: {
        summary: 'Replay every delivery a filter matches',
        body: ReplayManyBody,
        response: { 200: BulkReplayResult, ...ERROR_RESPONSES },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      const body = request.body;
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
    },
  );

  api.post(
    '/deliveries/:workflow_id/replay',
    {
      config: { role: 'editor' },
      schema: {
        summary: 'Replay one delivery',
        params: DeliveryParams,
        body: ReplayOneBody,
        response: { 202: ReplayStarted, ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const started = await deliveries.replay(request.params.workflow_id, {
        includeDelivered: request.body.include_delivered,
        force: request.body.force,
      });
      const actor = actorOf(principal, request);
      await audit.record({
        action: 'delivery.replayed',
        actor,
        resourceType: 'delivery',
        resourceId: started.replay_of,
        changes: { replay: { new: started.workflow_id } },
      });
      if (started.forced_past) {
        // Who chose to land an event after its person's deletion, and which deletion: a privacy request may hang on it.
        await audit.record({
          action: 'delivery.replay_forced_after_deletion',
          actor,
          resourceType: 'delivery',
          resourceId: started.replay_of,
          changes: { replay: { new: started.workflow_id }, barrier: { new: started.forced_past.workflow_id } },
        });
      }
      return reply.code(202).send(started);
    },
  );

  // Server-sent events. EventSource cannot set headers, so this one route also takes the token as ?token=.
  api.get(
    '/live-events',
    {
      config: { role: 'viewer', queryToken: true },
      schema: {
        summary: 'Deliveries as they change (text/event-stream): a snapshot, then changes',
        querystring: LiveQuery,
        response: ERROR_RESPONSES,
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const stream = streams.admit(principal.id);
      // Before any await: a client that leaves during the first query must still give its place back.
      const res = reply.raw;
      res.once('close', () => stream.end());
      if (res.destroyed || request.raw.socket.destroyed) {
        stream.end();
        return reply.hijack();
      }

      const q = request.query;
      let snapshot;
      try {
        snapshot = await deliveries.list(toFilter(q), { limit: 50 });
      } catch (err) {
        stream.end();
        throw err;
      }
      if (stream.isEnded) {
        if (res.destroyed) return reply.hijack();
        throw new AppError(503, 'SHUTTING_DOWN', 'The API is stopping: connect again in a moment');
      }

      reply.hijack();
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-store, no-transform',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
      });
      const send = (event: string, data: unknown) => res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
      send('snapshot', snapshot.data);
      stream.onEnd(
        live.subscribe((rows) => {
          const mine = rows.filter(
            (row) =>
              (!q.integration_id || row.integration_id === q.integration_id) &&
              (!q.status || row.status === q.status) &&
              (!q.event_type || row.event_type === q.event_type),
          );
          if (mine.length > 0) send('deliveries', mine);
        }),
      );
      // A revoked token's stream ends with an `end` event that says why, whichever replica the token was revoked on.
      stream.onEnd((why) => {
        if (res.writableEnded) return;
        if (why === 'revoked') send('end', REVOKED);
        res.end();
      });
      every(stream, streams.limits.heartbeatMs, async () => {
        // A comment line, so proxies do not time a quiet stream out.
        res.write(': keep-alive\n\n');
      });
      const stillValid = request.recheckPrincipal;
      if (stillValid) {
        every(stream, Math.max(MIN_RECHECK_MS, streams.limits.recheckMs), async () => {
          // A store that cannot answer right now is no proof of revocation: the next check asks again.
          const valid = await stillValid().catch(() => true);
          if (!valid) stream.end('revoked');
        });
      }
    },
  );

  /** `task` every `ms` while the stream is open, never two at once. */
  function every(stream: LiveStream, ms: number, task: () => Promise<void>): void {
    let running = false;
    const timer = setInterval(() => {
      if (running || stream.isEnded) return;
      running = true;
      void task().finally(() => (running = false));
    }, ms);
    // The stream, not this timer, is what keeps a connection (and so the process) alive.
    timer.unref();
    stream.onEnd(() => clearInterval(timer));
  }
}

const REVOKED = {
  error: { code: 'UNAUTHORIZED', message: 'The token of this stream was revoked: the stream has ended' },
};

/** However short PIPELINE_KEY_CACHE_MS is (0: ask on every event), a stream's token is not asked about more often. */
const MIN_RECHECK_MS = 250;
