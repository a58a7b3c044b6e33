import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { FastifyHelmetOptions } from '@fastify/helmet';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { AppError } from '../../errors';
import { NoQuery } from '../schemas/common';

/** src/web beside the code when run from source, dist/web once built (scripts/build copies it). */
const WEB = resolve(__dirname, '../../web');

/** The page and what it loads: its script and style are files, so the policy can refuse every inline one. */
const FILES = {
  '/live': { file: 'live.html', type: 'text/html; charset=utf-8' },
  '/live/app.js': { file: 'live.js', type: 'text/javascript; charset=utf-8' },
  '/live/app.css': { file: 'live.css', type: 'text/css; charset=utf-8' },
} as const;

/**
 * The page's own policy: scripts and styles from this origin only (no inline ones, so an injected tag does nothing),
 * talks only to this origin, and a form can submit nowhere (the token form is handled by the script). Helmet writes it
 * in place of the API's `default-src 'none'`, so the answer carries exactly one Content-Security-Policy.
 */
const PAGE_CSP: FastifyHelmetOptions['contentSecurityPolicy'] = {
  useDefaults: false,
  directives: {
    defaultSrc: ["'self'"],
    scriptSrc: ["'self'"],
    styleSrc: ["'self'"],
    connectSrc: ["'self'"],
    imgSrc: ["'self'", 'data:'],
    objectSrc: ["'none'"],
    baseUri: ["'none'"],
    formAction: ["'none'"],
    frameAncestors: ["'none'"],
  },
};

/** GET /live: the Live Events page; it asks for a token and talks to the admin API. */
export function registerLivePage(app: FastifyInstance): void {
  const cache = new Map<string, string>();
  const read = (file: string) => {
    let text = cache.get(file);
    if (text === undefined) {
      try {
        text = readFileSync(resolve(WEB, file), 'utf8');
      } catch {
        // A build without the page must not take the API down with it: only these routes fail.
        throw new AppError(
          500,
          'LIVE_PAGE_MISSING',
          `The Live Events page is missing from this build (${file}): build with scripts/build`,
        );
      }
      cache.set(file, text);
    }
    return text;
  };
  // In a plugin of its own so that it loads after helmet: a route declared before then never shows helmet its
  // `helmet` option, and would get the API's policy, which blocks the page's script.
  void app.register(async (page) => {
    for (const [path, { file, type }] of Object.entries(FILES)) {
      page
        .withTypeProvider<ZodTypeProvider>()
        .get(
          path,
          { helmet: { contentSecurityPolicy: PAGE_CSP }, schema: { querystring: NoQuery } },
          async (_r, reply) => reply.header('content-type', type).header('cache-control', 'no-store').send(read(file)),
        );
    }
  });
}
