import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { FastifyHelmetOptions } from '@fastify/helmet';
import type { FastifyInstance } from 'fastify';
import { AppError } from '../../errors';

/** web/live.html beside the code: src/web when run from source, dist/web once built (scripts/build copies it). */
const PAGE = resolve(__dirname, '../../web/live.html');

/**
 * The page's own policy: its script and style are inline in the one file, and it talks only to this origin. Helmet
 * writes it in place of the API's `default-src 'none'`, so the answer carries exactly one Content-Security-Policy.
 */
const PAGE_CSP: FastifyHelmetOptions['contentSecurityPolicy'] = {
  useDefaults: false,
  directives: {
    defaultSrc: ["'self'"],
    scriptSrc: ["'unsafe-inline'"],
    styleSrc: ["'unsafe-inline'"],
    connectSrc: ["'self'"],
    imgSrc: ["'self'", 'data:'],
    frameAncestors: ["'none'"],
  },
};

/** GET /live: the Live Events page, one self-contained HTML file; it asks for a token and talks to the admin API. */
export function registerLivePage(app: FastifyInstance): void {
  let html: string | undefined;
  // In a plugin of its own so that it loads after helmet: a route declared before then never shows helmet its
  // `helmet` option, and would get the API's policy, which blocks the page's inline script.
  void app.register(async (page) => {
    page.get('/live', { helmet: { contentSecurityPolicy: PAGE_CSP } }, async (_request, reply) => {
      try {
        html ??= readFileSync(PAGE, 'utf8');
      } catch {
        // A build without the page must not take the API down with it: only this route fails.
        throw new AppError(
          500,
          'LIVE_PAGE_MISSING',
          `The Live Events page is missing from this build (${PAGE}): build with scripts/build`,
        );
      }
      return reply.header('content-type', 'text/html; charset=utf-8').header('cache-control', 'no-store').send(html);
    });
  });
}
