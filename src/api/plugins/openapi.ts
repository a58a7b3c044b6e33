import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { jsonSchemaTransform, jsonSchemaTransformObject } from 'fastify-type-provider-zod';
import { requestExamples, shownAs } from '../schemas/documented';

/** Who may call a route, as the OpenAPI document says it: the admin API takes API tokens, intake pipeline keys. */
function securityOf(url: string): Record<string, string[]>[] | undefined {
  if (url.startsWith('/v1/admin/')) return [{ adminToken: [] }];
  if (url.startsWith('/v1/')) return [{ pipelineKey: [] }];
  return undefined;
}

/**
 * The OpenAPI 3.1 document, generated from the zod schemas the routes validate with (so it cannot drift), served at
 * GET /openapi.json, with a browsable reference at /docs. Registered before the routes, which it collects as they are
 * added.
 */
async function openApi(app: FastifyInstance): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'signal-customerio',
        version: '1',
        description:
          'Management API (/v1/admin) and event intake (/v1) of the Customer.io integration of Datafly Signal. ' +
          'Every error is {"error":{"code","message","details"}}.',
      },
      components: {
        securitySchemes: {
          adminToken: {
            type: 'http',
            scheme: 'bearer',
            description: 'An API token (sio_…) with the role the route needs: viewer, editor or admin',
          },
          pipelineKey: { type: 'http', scheme: 'bearer', description: 'A pipeline key (dk_live_…)' },
        },
      },
    },
    transform: (input) => {
      const body = shownAs(input.schema?.body);
      const transformed = jsonSchemaTransform(body ? { ...input, schema: { ...input.schema, body } } : input);
      const schema: Record<string, unknown> = { ...transformed.schema };
      const security = securityOf(input.url);
      if (security) schema.security = security;
      return { ...transformed, schema };
    },
    transformObject: (input) => {
      const document = jsonSchemaTransformObject(input) as { components?: { schemas?: Record<string, object> } };
      const schemas = document.components?.schemas ?? {};
      for (const [id, examples] of requestExamples()) {
        const component = schemas[`${id}Input`];
        if (component) schemas[`${id}Input`] = { ...component, examples };
      }
      return document as ReturnType<typeof jsonSchemaTransformObject>;
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs', staticCSP: true });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
}

export default fp(openApi, { name: 'openapi' });
