import type { SignalEvent } from '../../shared/event';
import { utf8Length } from '../identifiers';
import { EVENT_NAME_MAX_BYTES } from '../limits';
import { ADOPT_ALL, type AdoptRevision, PLAN_REVISIONS, revised } from '../plan-revisions';
import { toUnixSeconds } from '../timestamps';
import { type MappingContext, record, withDates } from './types';

const PAGE_FIELDS = ['title', 'referrer', 'path', 'search'] as const;

/** The page's URL: `properties.url`, else `context.page.url`, as both peers take it. */
export function pageUrl(event: SignalEvent): string | undefined {
  const candidates = [event.properties?.url, event.context?.page?.url];
  return candidates.find((v): v is string => typeof v === 'string' && v.trim() !== '')?.trim();
}

/**
 * The name a page view is filed under: its URL when that fits Customer.io's 100-byte event-name limit, else the URL's
 * path (no scheme, host, query or fragment), cut to 100 bytes if it is longer still. data.url keeps the whole URL.
 * Runs started before the limit applied to pages send the whole URL (plan-revisions.ts).
 */
export function pageName(event: SignalEvent, adopt: AdoptRevision = ADOPT_ALL): string | undefined {
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

/** A screen's name: the screen call's `name`, else `properties.name`, else its `event`. */
export function screenName(event: SignalEvent): string | undefined {
  const candidates = [event.name, event.properties?.name, event.event];
  return candidates.find((v): v is string => typeof v === 'string' && v.trim() !== '')?.trim();
}

/**
 * The body every event-like call shares (custom event, page view, screen view, anonymous or not): Customer.io's name,
 * type, the deterministic id, the time in unix seconds, and the data.
 */
export function eventBody(ctx: MappingContext): Record<string, unknown> {
  const { event } = ctx;
  const base = { id: ctx.eventId, timestamp: toUnixSeconds(ctx.eventTimeMs) };
  if (event.type === 'page') {
    const url = pageUrl(event)!;
    const data: Record<string, unknown> = {};
    for (const field of PAGE_FIELDS) {
      const value = event.context?.page?.[field];
      if (value !== undefined && value !== null) data[field] = value;
    }
    // One URL for the page: the name it is filed under (the URL, or its path when the URL is too long) and data.url.
    Object.assign(data, record(event.properties), { url });
    return { name: pageName(event, ctx.adopt), type: 'page', ...base, data: withDates(data, ctx) };
  }
  if (event.type === 'screen') {
    return { name: screenName(event), type: 'screen', ...base, data: withDates(record(event.properties), ctx) };
  }
  return { name: (event.event ?? '').trim(), ...base, data: withDates(record(event.properties), ctx) };
}

/** Why an event-like call cannot be named, or undefined. */
export function unnamed(event: SignalEvent): string | undefined {
  if (event.type === 'page' && !pageUrl(event)) {
    return 'A page event needs its URL in properties.url (or context.page.url): Customer.io names page views by URL';
  }
  if (event.type === 'screen' && !screenName(event))
    return 'A screen event needs a name (name, properties.name or event)';
  if (event.type === 'track' && !event.event?.trim()) return 'A track event needs an event name';
  return undefined;
}

export const EVENT_LIMITS = {
  kind: 'event',
  field: 'properties',
  data: (body: Record<string, unknown>) => body.data,
  name: (body: Record<string, unknown>) => body.name,
} as const;
