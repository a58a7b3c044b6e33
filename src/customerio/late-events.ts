import type { LateRecord } from '../shared/delivery';
import type { TrackApiCall } from './exchange';

/**
 * Customer.io starts a campaign from an event only if the event's `timestamp` is within the last 72 hours when it
 * arrives; an older event is stored but starts nothing (track event section and "Campaign timing" in
 * ../shared/reference/customer-io-track-api.md, from [SPEC-2024][SPEC-2026] and the timestamps FAQ). The same holds
 * for merged anonymous events, counted from their timestamp.
 */
export const LATE_AFTER_HOURS = 72;

const HOUR_MS = 3_600_000;

/**
 * The time Customer.io files the call's event under, in ms: the body's `timestamp` (unix seconds), which only
 * event-like calls carry (track, page, screen, anonymous events). A call without one (identify, deletions, devices,
 * objects) is stamped by Customer.io on arrival, so no campaign window can have passed for it.
 */
export function campaignEventTimeMs(request: Pick<TrackApiCall, 'body'>): number | undefined {
  const timestamp = request.body?.timestamp;
  return typeof timestamp === 'number' && Number.isFinite(timestamp) ? timestamp * 1000 : undefined;
}

/** How old the call's event is at `nowMs` (0 for a future time), or undefined when the call carries no event time. */
export function eventAgeMs(request: Pick<TrackApiCall, 'body'>, nowMs: number): number | undefined {
  const at = campaignEventTimeMs(request);
  return at === undefined ? undefined : Math.max(0, nowMs - at);
}

/**
 * Whether a call that Customer.io accepted at `nowMs` came too late to start a campaign: the event's age then, in
 * hours (one decimal, rounded down), or undefined when it was in time.
 */
export function lateness(request: Pick<TrackApiCall, 'body'>, nowMs: number): LateRecord | undefined {
  const age = eventAgeMs(request, nowMs);
  if (age === undefined || age <= LATE_AFTER_HOURS * HOUR_MS) return undefined;
  return { ageHours: ageInHours(age), thresholdHours: LATE_AFTER_HOURS };
}

/**
 * `refuse_events_older_than_hours`: why this call is not to be sent at `nowMs`, or undefined when it may go (the
 * setting is off, the call carries no event time, or its event is young enough).
 */
export function tooOldToSend(
  request: Pick<TrackApiCall, 'body'>,
  refuseOlderThanHours: number | undefined,
  nowMs: number,
): string | undefined {
  if (!refuseOlderThanHours) return undefined;
  const age = eventAgeMs(request, nowMs);
  if (age === undefined || age <= refuseOlderThanHours * HOUR_MS) return undefined;
  return (
    `the event is ${ageInHours(age)} h old, older than this integration's refuse_events_older_than_hours ` +
    `(${refuseOlderThanHours} h): not sent to Customer.io`
  );
}

function ageInHours(ms: number): number {
  return Math.floor(ms / (HOUR_MS / 10)) / 10;
}
