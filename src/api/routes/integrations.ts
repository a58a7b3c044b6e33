import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { DeliveryService } from '../../deliveries/service';
import { type IntegrationService, presentIntegration } from '../../integrations/service';
import type { CircuitView } from '../../store/circuits';
import { actorOf, principalOf } from '../auth';
import { pageOf, toPosition } from '../pagination';
import { ERROR_RESPONSES, NoContent, PageQuery } from '../schemas/common';
import {
  Integration,
  IntegrationList,
  IntegrationParams,
  IntegrationWithParked,
  PatchBody,
  RevisionList,
} from '../schemas/integrations';

/** Each integration's circuit, as the workers report it (all of them without ids). */
export type CircuitReader = (integrationIds?: string[]) => Promise<Map<string, CircuitView>>;

const CLOSED: CircuitView = { state: 'closed', workers: [] };

export function registerIntegrationRoutes(
  app: FastifyInstance,
  integrations: IntegrationService,
  deliveries: DeliveryService,
  circuits: CircuitReader,
): void {
  const api = app.withTypeProvider<ZodTypeProvider>();

  api.get(
    '/integrations',
    {
      config: { role: 'viewer' },
      schema: {
        summary: 'Installed integrations',
        querystring: PageQuery,
        response: { 200: IntegrationList, ...ERROR_RESPONSES },
      },
    },
    async (request) => {
      const { limit, cursor } = request.query;
      const rows = await integrations.list({ limit: limit + 1, after: toPosition(cursor) });
      const views = await circuits(rows.map((r) => r.id));
      return pageOf(
        rows,
        limit,
        (r) => ({ createdAt: r.created_at, id: r.id }),
        (r) => ({ ...presentIntegration(r), circuit: views.get(r.id) ?? CLOSED }),
      );
    },
  );

  api.get(
    '/integrations/:id',
    {
      config: { role: 'viewer' },
      schema: {
        summary: 'One integration',
        params: IntegrationParams,
        response: { 200: IntegrationWithParked, ...ERROR_RESPONSES },
      },
    },
    async (request) => {
      const view = await integrations.get(request.params.id);
      // One visibility count: how many deliveries wait for this integration's credentials to be fixed.
      const [parked, views] = await Promise.all([deliveries.countParked(view.id), circuits([view.id])]);
      return { ...presentIntegration(view), parked_deliveries: parked, circuit: views.get(view.id) ?? CLOSED };
    },
  );

  api.get(
    '/integrations/:id/revisions',
    {
      config: { role: 'viewer' },
      schema: {
        summary: 'Config revisions, newest first',
        params: IntegrationParams,
        response: { 200: RevisionList, ...ERROR_RESPONSES },
      },
    },
    async (request) => {
      const revisions = await integrations.revisions(request.params.id);
      return { data: revisions, next_cursor: null, has_more: false };
    },
  );

  api.patch(
    '/integrations/:id',
    {
      config: { role: 'editor' },
      schema: {
        summary: 'Change name, enabled or config (the body is checked by the integration service)',
        params: IntegrationParams,
        body: PatchBody,
        response: { 200: Integration, ...ERROR_RESPONSES },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      return presentIntegration(
        await integrations.update(request.params.id, request.body, actorOf(principal, request)),
      );
    },
  );

  api.delete(
    '/integrations/:id',
    {
      config: { role: 'admin' },
      schema: {
        summary: 'Remove an integration',
        params: IntegrationParams,
        response: { 204: NoContent, ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      await integrations.remove(request.params.id, actorOf(principalOf(request), request));
      return reply.code(204).send();
    },
  );
}
