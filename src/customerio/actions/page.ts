import type { SignalEvent } from '../../shared/event';
import { toUnixSeconds } from '../timestamps';
import { type Action, customerPath } from './types';

const PAGE_FIELDS = ['title', 'referrer', 'path', 'search'] as const;

/** The page's URL: Customer.io keys page views by URL, so segments can match on it. */
function pageUrl(event: SignalEvent): string | undefined {
  const candidates = [event.context?.page?.url, event.properties?.url];
  return candidates.find((v): v is string => typeof v === 'string' && v.trim() !== '')?.trim();
}

/** page → POST /api/v1/customers/{id}/events with type "page": name is the URL, data carries title and referrer. */
export const page: Action = {
  operation: 'page',
  appliesTo: (event) => event.type === 'page',
  refuse: (event) =>
    pageUrl(event)
      ? undefined
      : 'A page event needs its URL in context.page.url (or properties.url): Customer.io names page views by URL',
  // Page names are URLs: Customer.io's own web SDK sends them whole, so only custom event names are held to 100 bytes.
  limits: { kind: 'event', field: 'properties', limitName: false },
  eventName: (event) => pageUrl(event) ?? event.name,
  build(event, ctx) {
    const data: Record<string, unknown> = {};
    for (const field of PAGE_FIELDS) {
      const value = event.context?.page?.[field];
      if (value !== undefined && value !== null) data[field] = value;
    }
    Object.assign(data, event.properties ?? {});
    return {
      operation: 'page',
      method: 'POST',
      path: customerPath(ctx.customerId, '/events'),
      body: { name: pageUrl(event), type: 'page', id: ctx.eventId, timestamp: toUnixSeconds(ctx.eventTimeMs), data },
    };
  },
};
