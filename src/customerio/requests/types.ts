import type { Operation } from '../../shared/delivery';

/** One Track API v1 call, without host or credentials: those are resolved at send time from the integration. */
export interface TrackApiRequest {
  operation: Operation;
  method: 'PUT' | 'POST';
  /** Path below the region's base URL, identifiers already URL-encoded. */
  path: string;
  body: Record<string, unknown>;
}

export interface MappingContext {
  customerId: string;
  email?: string;
  eventTimeMs: number;
  /** Deterministic ULID (see event-id.ts). */
  eventId: string;
}

export function customerPath(customerId: string, suffix = ''): string {
  return `/api/v1/customers/${encodeURIComponent(customerId)}${suffix}`;
}
