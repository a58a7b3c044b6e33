import type { SignalEvent } from '../../shared/event';
import { toUnixSeconds } from '../timestamps';
import { type MappingContext, record, withDates } from './types';

const PAGE_FIELDS = ['title', 'referrer', 'path', 'search'] as const;

/** The page's URL: `properties.url`, else `context.page.url`, as both peers take it. */
export function pageUrl(event: SignalEvent): string | undefined {
  const candidates = [event.properties?.url, event.context?.page?.url];
  return candidates.find((v): v is string => typeof v === 'string' && v.trim() !== '')?.trim();
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
    // One URL for the page: the name it is filed under and data.url never disagree.
    Object.assign(data, record(event.properties), { url });
    return { name: url, type: 'page', ...base, data: withDates(data, ctx.options) };
  }
  if (event.type === 'screen') {
    return { name: screenName(event), type: 'screen', ...base, data: withDates(record(event.properties), ctx.options) };
  }
  return { name: (event.event ?? '').trim(), ...base, data: withDates(record(event.properties), ctx.options) };
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
