import { z } from 'zod';

const DOCUMENTED_ONLY = new Set<z.ZodType>();

/**
 * A body schema a route documents (in the OpenAPI document) but does not enforce itself: the service behind the route
 * parses the body with this very schema, so there is one rule, and its errors keep their fields' names (a batch's bad
 * event is refused by index while the others go through).
 */
export function documentedOnly<T extends z.ZodType>(schema: T): T {
  DOCUMENTED_ONLY.add(schema);
  return schema;
}

export function isDocumentedOnly(schema: unknown): boolean {
  return DOCUMENTED_ONLY.has(schema as z.ZodType);
}

/**
 * The examples of each documented request body, by the id it has in the document. zod leaves examples out of input
 * schemas (it reads them as outputs), but a request body's examples are what a caller sends.
 */
export function requestExamples(): Map<string, unknown[]> {
  const byId = new Map<string, unknown[]>();
  for (const schema of DOCUMENTED_ONLY) {
    const meta = z.globalRegistry.get(schema);
    if (meta?.id && Array.isArray(meta.examples)) byId.set(meta.id, meta.examples);
  }
  return byId;
}
