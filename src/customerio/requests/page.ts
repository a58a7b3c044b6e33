import type { SignalEvent } from '../../shared/event';
import { toUnixSeconds } from '../timestamps';
import { customerPath, type MappingContext, type TrackApiRequest } from './types';

const PAGE_FIELDS = ['title', 'referrer', 'path', 'search'] as const;

/** The page's URL: Customer.io keys page views by URL, so segments can match on it. */
export function pageUrl(event: SignalEvent): string | undefined {
  const candidates = [event.context?.page?.url, event.properties?.url];
  return candidates.find((v): v is string => typeof v === 'string' && v.trim() !== '')?.trim();
}

/** page → POST /api/v1/customers/{id}/events with type "page": name is the URL, data carries title and referrer. */
export function pageRequest(event: SignalEvent, url: string, ctx: MappingContext): TrackApiRequest {
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
    body: { name: url, type: 'page', id: ctx.eventId, timestamp: toUnixSeconds(ctx.eventTimeMs), data },
  };
}
