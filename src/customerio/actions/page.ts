import type { SignalEvent } from '../../shared/event';
import { utf8Length } from '../identifiers';
import { EVENT_NAME_MAX_BYTES } from '../limits';
import { ADOPT_ALL, type AdoptRevision, PLAN_REVISIONS, revised } from '../plan-revisions';
import { EVENT_LIMITS, type EventShape, eventBody, unnamed } from './event-body';
import { type Action, customerPath, record } from './types';

const PAGE_FIELDS = ['title', 'referrer', 'path', 'search'] as const;

/** The page's URL: `properties.url`, else `context.page.url`, as both peers take it. */
function pageUrl(event: SignalEvent): string | undefined {
  const candidates = [event.properties?.url, event.context?.page?.url];
  return candidates.find((v): v is string => typeof v === 'string' && v.trim() !== '')?.trim();
}

/**
 * The name a page view is filed under: its URL when that fits Customer.io's 100-byte event-name limit, else the URL's
 * path (no scheme, host, query or fragment), cut to 100 bytes if it is longer still. data.url keeps the whole URL.
 * Runs started before the limit applied to pages send the whole URL (plan-revisions.ts).
 */
function pageName(event: SignalEvent, adopt: AdoptRevision = ADOPT_ALL): string | undefined {
  const url = pageUrl(event);
  if (url === undefined) return undefined;
  return revised(adopt, PLAN_REVISIONS.pageNameWithinLimit, nameWithinLimit(url), url);
}

function nameWithinLimit(url: string): string {
  if (utf8Length(url) <= EVENT_NAME_MAX_BYTES) return url;
  const path = url.replace(/^[a-z][a-z\d+.-]*:\/\/[^/?#]*/i, '').split(/[?#]/, 1)[0] || '/';
  let name = '';
  for (const char of path) {
    if (utf8Length(name + char) > EVENT_NAME_MAX_BYTES) break;
    name += char;
  }
  return name;
}

/**
 * A page view's body: type "page", named by pageName, its data the page's title, referrer, path and search, then its
 * properties, then the whole URL.
 */
export const pageView: EventShape = {
  type: 'page',
  name: pageName,
  unnamed: 'A page event needs its URL in properties.url (or context.page.url): Customer.io names page views by URL',
  data({ event }) {
    const data: Record<string, unknown> = {};
    for (const field of PAGE_FIELDS) {
      const value = event.context?.page?.[field];
      if (value !== undefined && value !== null) data[field] = value;
    }
    // One URL for the page: the name it is filed under (the URL, or its path when the URL is too long) and data.url.
    return Object.assign(data, record(event.properties), { url: pageUrl(event)! });
  },
};

/**
 * page → POST /api/v1/customers/{id}/events with type "page": data.url is the page's URL, and so is the name unless
 * the URL is over 100 bytes (then its path: see pageName).
 */
export const page: Action = {
  operation: 'page',
  addresses: 'person',
  appliesTo: ({ event }) => event.type === 'page',
  refuse: ({ event }) => unnamed(event, pageView),
  // pageName keeps the name within 100 bytes; runs started before it did send the whole URL, and still may.
  limits: { ...EVENT_LIMITS, limitName: false },
  eventName: (event) => pageName(event) ?? event.name,
  build: (ctx) => ({ method: 'POST', path: customerPath(ctx.customerId, '/events'), body: eventBody(ctx, pageView) }),
};
