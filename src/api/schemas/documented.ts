import { z } from 'zod';

const DOCUMENTED_ONLY = new Set<z.ZodType>();
/** Request bodies the document shows, whose examples it carries: zod leaves those out of input schemas. */
const SHOWN = new Set<z.ZodType>();
const SHOWN_AS = new Map<unknown, z.ZodType>();

/**
 * A body schema a route documents (in the OpenAPI document) but does not enforce itself: the service behind the route
 * parses the body with this very schema, so there is one rule, and its errors keep their fields' names (a batch's bad
 * event is refused by index while the others go through).
 */
export function documentedOnly<T extends z.ZodType>(schema: T): T {
  DOCUMENTED_ONLY.add(schema);
  SHOWN.add(schema);
  return schema;
}

/**
 * A body the route enforces with `enforced` and the document shows as `shown`, which says more than the route can
 * check: the install and PATCH envelopes are checked at the route, their `config` by the integration service once the
 * variant's defaults or the stored config are merged in; the document still lists the config's fields.
 */
export function documentedAs<T extends z.ZodType>(enforced: T, shown: z.ZodType): T {
  SHOWN_AS.set(enforced, shown);
  SHOWN.add(shown);
  return enforced;
}

/** The schema the document shows for a route's body. */
export function shownAs(body: unknown): unknown {
  return SHOWN_AS.get(body) ?? body;
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
  for (const schema of SHOWN) {
    const meta = z.globalRegistry.get(schema);
    if (meta?.id && Array.isArray(meta.examples)) byId.set(meta.id, meta.examples);
  }
  return byId;
}
