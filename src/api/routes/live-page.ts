import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { AppError } from '../../errors';

/** web/live.html beside the code: src/web when run from source, dist/web once built (scripts/build copies it). */
const PAGE = resolve(__dirname, '../../web/live.html');

/** GET /live: the Live Events page, one self-contained HTML file; it asks for a token and talks to the admin API. */
export function registerLivePage(app: FastifyInstance): void {
  let html: string | undefined;
  app.get('/live', async (_request, reply) => {
    try {
      html ??= readFileSync(PAGE, 'utf8');
    } catch {
      // A build without the page must not take the API down with it: only this route fails.
      throw new AppError(500, 'LIVE_PAGE_MISSING', `The Live Events page is missing from this build (${PAGE}): build with scripts/build`);
    }
    return reply
      .header('content-type', 'text/html; charset=utf-8')
      .header('cache-control', 'no-store')
      .header('content-security-policy', "default-src 'self'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; img-src 'self' data:; frame-ancestors 'none'")
      .send(html);
  });
}
