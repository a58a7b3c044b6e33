import type { FastifyInstance } from 'fastify';
import { errors } from '../../errors';
import { CATALOG, findVendor } from '../../integrations/catalog';
import { type IntegrationService, presentIntegration } from '../../integrations/service';
import { actorOf, requireRole } from '../auth';

export function registerCatalogRoutes(app: FastifyInstance, integrations: IntegrationService): void {
  app.get<{ Querystring: { category?: string } }>('/integration-catalog', async (request) => {
    requireRole(request.principal, 'viewer');
    const category = request.query.category;
    const data = CATALOG.filter((v) => !category || v.category === category);
    return { data, next_cursor: null, has_more: false };
  });

  app.get<{ Params: { key: string } }>('/integration-catalog/:key', async (request) => {
    requireRole(request.principal, 'viewer');
    const vendor = findVendor(request.params.key);
    if (!vendor) throw errors.notFound(`Catalog entry "${request.params.key}"`);
    return vendor;
  });

  app.post<{ Params: { key: string } }>('/integration-catalog/:key/install', async (request, reply) => {
    const principal = requireRole(request.principal, 'editor');
    const view = await integrations.install(request.params.key, request.body, actorOf(principal, request));
    return reply.code(201).send(presentIntegration(view));
  });
}
