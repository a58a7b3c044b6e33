import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { FastifyInstance } from 'fastify';

/** src/web/live.html, found from src/ or from a compiled copy (dist keeps no HTML, so look in both). */
function livePageHtml(): string {
  for (const candidate of [resolve(__dirname, '../../web/live.html'), resolve(__dirname, '../../../src/web/live.html')]) {
    try {
      return readFileSync(candidate, 'utf8');
    } catch {
      // try the next place
    }
  }
  throw new Error('src/web/live.html not found');
}

/** GET /live: the Live Events page, one self-contained HTML file; it asks for a token and talks to the admin API. */
export function registerLivePage(app: FastifyInstance): void {
  const html = livePageHtml();
  app.get('/live', async (_request, reply) =>
    reply
      .header('content-type', 'text/html; charset=utf-8')
      .header('cache-control', 'no-store')
      .header('content-security-policy', "default-src 'self'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; img-src 'self' data:; frame-ancestors 'none'")
      .send(html),
  );
}
