import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { validatorCompiler } from 'fastify-type-provider-zod';
import type { z } from 'zod';
import { isDocumentedOnly } from '../schemas/documented';

export interface SchemaOptions {
  /**
   * Checks every answer against its route's declared response schema and reports each that does not match (the test
   * harness fails on any): what the OpenAPI document promises is what the routes send. Off in production: it costs a
   * parse per answer.
   */
  onResponseMismatch?: (problem: string) => void;
}

/** How route schemas are used: request schemas are enforced (bar the intake's, see documentedOnly), answers are not. */
async function schemas(app: FastifyInstance, options: SchemaOptions): Promise<void> {
  app.setValidatorCompiler((route) =>
    isDocumentedOnly(route.schema)
      ? (data: unknown) => ({ value: data })
      : validatorCompiler(route as Parameters<typeof validatorCompiler>[0]),
  );
  // Response schemas document the answers (for OpenAPI) but do not filter them: parsing an answer through its schema
  // would silently drop a field the schema does not list yet, or turn a mismatch into a 500.
  app.setSerializerCompiler(({ schema, method, url, httpStatus }) => {
    const report = options.onResponseMismatch;
    if (!report) return (data) => JSON.stringify(data);
    return (data) => {
      const checked = (schema as z.ZodType).safeParse(data);
      if (!checked.success) {
        const where = checked.error.issues.map((i) => `${i.path.join('.') || '(answer)'}: ${i.message}`).join('; ');
        report(`${method} ${url} ${httpStatus}: ${where}`);
      }
      return JSON.stringify(data);
    };
  });
}

export default fp(schemas, { name: 'schemas' });
