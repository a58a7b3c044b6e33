import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { errors } from '../../errors';
import { CATALOG, findVendor } from '../../integrations/catalog';
import { type IntegrationService, presentIntegration } from '../../integrations/service';
import { actorOf, principalOf } from '../auth';
import { ERROR_RESPONSES } from '../schemas/common';
import { Catalog, CatalogParams, CatalogQuery, CatalogVendor, InstallBody, Integration } from '../schemas/integrations';

export function registerCatalogRoutes(app: FastifyInstance, integrations: IntegrationService): void {
  const api = app.withTypeProvider<ZodTypeProvider>();

  api.get(
    '/integration-catalog',
    {
      config: { role: 'viewer' },
      schema: {
        summary: 'The integration catalog',
        querystring: CatalogQuery,
        response: { 200: Catalog, ...ERROR_RESPONSES },
      },
    },
    async (request) => {
      const { category } = request.query;
      const data = CATALOG.filter((v) => !category || v.category === category);
      return { data, next_cursor: null, has_more: false };
    },
  );

  api.get(
    '/integration-catalog/:key',
    {
      config: { role: 'viewer' },
      schema: {
        summary: 'One catalog entry',
        params: CatalogParams,
        response: { 200: CatalogVendor, ...ERROR_RESPONSES },
      },
    },
    async (request) => {
      const vendor = findVendor(request.params.key);
      if (!vendor) throw errors.notFound(`Catalog entry "${request.params.key}"`);
      return vendor;
    },
  );

  api.post(
    '/integration-catalog/:key/install',
    {
      config: { role: 'editor' },
      // An unknown vendor is 404 whatever the body holds: the vendor is looked up before the body is checked.
      preValidation: async (request) => {
        const params = CatalogParams.safeParse(request.params);
        if (params.success) integrations.vendor(params.data.key);
      },
      schema: {
        summary: 'Install an integration (the body is checked by the integration service)',
        params: CatalogParams,
        body: InstallBody,
        response: { 201: Integration, ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const view = await integrations.install(request.params.key, request.body, actorOf(principal, request));
      return reply.code(201).send(presentIntegration(view));
    },
  );
}
