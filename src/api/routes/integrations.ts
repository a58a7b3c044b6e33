import type { FastifyInstance } from 'fastify';
import type { DeliveryService } from '../../deliveries/service';
import { type IntegrationService, presentIntegration } from '../../integrations/service';
import { actorOf, requireRole } from '../auth';
import { pageOf, parsePage } from '../pagination';

export function registerIntegrationRoutes(
  app: FastifyInstance,
  integrations: IntegrationService,
  deliveries: DeliveryService,
): void {
  app.get('/integrations', async (request) => {
    requireRole(request.principal, 'viewer');
    const { limit, position } = parsePage(request.query);
    const rows = await integrations.list({ limit: limit + 1, after: position });
    return pageOf(rows, limit, (r) => ({ createdAt: r.created_at, id: r.id }), presentIntegration);
  });

  app.get<{ Params: { id: string } }>('/integrations/:id', async (request) => {
    requireRole(request.principal, 'viewer');
    const view = await integrations.get(request.params.id);
    // One visibility count: how many deliveries wait for this integration's credentials to be fixed.
    return { ...presentIntegration(view), parked_deliveries: await deliveries.countParked(view.id) };
  });

  app.get<{ Params: { id: string } }>('/integrations/:id/revisions', async (request) => {
    requireRole(request.principal, 'viewer');
    const revisions = await integrations.revisions(request.params.id);
    return { data: revisions, next_cursor: null, has_more: false };
  });

  app.patch<{ Params: { id: string } }>('/integrations/:id', async (request) => {
    const principal = requireRole(request.principal, 'editor');
    return presentIntegration(await integrations.update(request.params.id, request.body, actorOf(principal, request)));
  });

  app.delete<{ Params: { id: string } }>('/integrations/:id', async (request, reply) => {
    const principal = requireRole(request.principal, 'admin');
    await integrations.remove(request.params.id, actorOf(principal, request));
    return reply.code(204).send();
  });
}
