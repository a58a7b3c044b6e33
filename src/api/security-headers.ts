import type { IncomingMessage, ServerResponse } from 'node:http';
import helmet, { type HelmetOptions } from 'helmet';

/**
 * The API's helmet settings. Helmet's default policy is written for HTML sites; a JSON answer loads nothing and is
 * never framed. The one page sets its own (routes/live-page.ts).
 */
export const API_HELMET: HelmetOptions = {
  contentSecurityPolicy: { useDefaults: false, directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] } },
  // Says the same as frame-ancestors 'none' to browsers that only know the older header.
  xFrameOptions: { action: 'deny' },
};

/**
 * The headers helmet sets with API_HELMET, worked out once, for answers written where no Fastify hook runs: errors
 * found while routing (bad percent-encoding, an over-long parameter) and ones Node's HTTP parser refuses.
 */
export const API_SECURITY_HEADERS: Readonly<Record<string, string>> = headersOf(API_HELMET);

function headersOf(options: HelmetOptions): Record<string, string> {
  const headers: Record<string, string> = {};
  const recorder = {
    setHeader: (name: string, value: unknown) => (headers[name.toLowerCase()] = String(value)),
    removeHeader: () => undefined,
  };
  helmet(options)({} as IncomingMessage, recorder as unknown as ServerResponse, () => undefined);
  return headers;
}
