import { defaultPayloadConverter } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { ACTIVITY, type SendAttemptInput, type SendAttemptResult } from '../activities/contract';
import type { HttpExchange, TrackApiRequest } from '../customerio/exchange';
import type { AttemptFailureDetails } from '../customerio/outcomes';
import { DELIVER_EVENT_V1_WORKFLOW } from '../shared/names';

type History = temporal.api.history.v1.IHistory;
type HistoryEvent = temporal.api.history.v1.IHistoryEvent;
type Failure = temporal.api.failure.v1.IFailure;
const EventType = temporal.api.enums.v1.EventType;

const CLOSE_EVENTS = new Set<number>([
  EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED,
  EventType.EVENT_TYPE_WORKFLOW_EXECUTION_FAILED,
  EventType.EVENT_TYPE_WORKFLOW_EXECUTION_TERMINATED,
  EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CANCELED,
  EventType.EVENT_TYPE_WORKFLOW_EXECUTION_TIMED_OUT,
]);

/** The marker sdk-core records for every local activity, with the result or the failure. */
const LOCAL_ACTIVITY_MARKER = 'core_local_activity';

export type AttemptOutcome =
  | 'delivered'
  | 'skipped'
  | 'failed'
  | 'timed_out'
  | 'in_flight'
  | 'deferred'
  | 'lost'
  | 'waiting_for_order'
  | 'already_delivered';

/** Outcomes of an attempt that sent nothing: held back (rate limit, circuit, an earlier delivery), or found done. */
const NOT_SENT: ReadonlySet<AttemptOutcome> = new Set(['deferred', 'waiting_for_order', 'already_delivered']);

/** What held a deferred attempt back: the integration's rate limit, or its circuit (Customer.io kept failing). */
export function heldBackBy(result: { wake?: string; detail: string }): 'circuit' | 'rate_limit' {
  return result.wake === 'signal' || result.detail.includes('(circuit open)') ? 'circuit' : 'rate_limit';
}

/** One HTTP attempt of a delivery (or one the rate limiter held back), as the workflow history records it. */
export interface AttemptRecord {
  /** A `waiting_for_order` attempt: the earlier delivery of the same person it waited for. */
  waitingFor?: string;
  attempt: number;
  /** The history event that records it: an activity's scheduling, or a local activity's marker. */
  eventId: string;
  scheduledAt: string;
  startedAt?: string;
  finishedAt?: string;
  request?: TrackApiRequest;
  outcome: AttemptOutcome;
  exchange?: HttpExchange;
  /** Credentials revision the attempt used (never the credentials). */
  revisionNumber?: number;
  error?: { type?: string; message: string };
  /** How long the rate limiter asked to wait, for a deferred attempt. */
  retryAfterMs?: number;
}

interface LocalActivityData {
  activity_type?: string;
  original_schedule_time?: { seconds?: number; nanos?: number };
}

/**
 * Every HTTP attempt of a delivery run, oldest first, read back from its history: regular activities (runs of the
 * first workflow version) and local-activity markers (v2). A workflow task that timed out or failed before the next
 * attempt was recorded is shown as a lost attempt: the worker died (or stalled) while it may have been sending, and
 * the attempt was made again.
 */
export function attemptsFromHistory(history: History): AttemptRecord[] {
  const byScheduledId = new Map<string, AttemptRecord>();
  const records: AttemptRecord[] = [];
  let made = 0;
  let lostAt: string | undefined;
  let closed = false;
  const localAttempts =
    history.events?.[0]?.workflowExecutionStartedEventAttributes?.workflowType?.name !== DELIVER_EVENT_V1_WORKFLOW;
  for (const event of history.events ?? []) {
    const at = eventTime(event);
    const scheduled = event.activityTaskScheduledEventAttributes;
    if (
      event.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED &&
      scheduled?.activityType?.name === ACTIVITY.send
    ) {
      const input = decode<SendAttemptInput>(scheduled.input?.payloads?.[0]);
      const record: AttemptRecord = {
        attempt: input?.attempt ?? made + 1,
        eventId: String(event.eventId),
        scheduledAt: at,
        request: input?.request,
        outcome: 'in_flight',
      };
      made = record.attempt;
      byScheduledId.set(String(event.eventId), record);
      records.push(record);
      continue;
    }
    const marker = event.markerRecordedEventAttributes;
    if (marker?.markerName === LOCAL_ACTIVITY_MARKER) {
      const data = decode<LocalActivityData>(marker.details?.data?.payloads?.[0]);
      if (data?.activity_type !== ACTIVITY.send) continue;
      const record = fromMarker(
        event,
        data,
        marker.failure ?? undefined,
        decode<SendAttemptResult>(marker.details?.result?.payloads?.[0]),
      );
      const sent = !NOT_SENT.has(record.outcome);
      if (sent) made++;
      record.attempt = sent ? made : made + 1;
      if (lostAt && sent) records.push(lostAttempt(record, lostAt));
      lostAt = undefined;
      records.push(record);
      continue;
    }
    if (
      localAttempts &&
      (event.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT ||
        event.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED)
    ) {
      lostAt ??= at;
      continue;
    }
    if (CLOSE_EVENTS.has(event.eventType ?? 0)) closed = true;
    const started = event.activityTaskStartedEventAttributes;
    if (started) {
      const record = byScheduledId.get(String(started.scheduledEventId));
      if (record) record.startedAt = at;
      continue;
    }
    const completed = event.activityTaskCompletedEventAttributes;
    if (completed) {
      const record = byScheduledId.get(String(completed.scheduledEventId));
      if (!record) continue;
      record.finishedAt = at;
      applyResult(record, decode<SendAttemptResult>(completed.result?.payloads?.[0]));
      continue;
    }
    const failed = event.activityTaskFailedEventAttributes ?? event.activityTaskTimedOutEventAttributes;
    if (failed) {
      const record = byScheduledId.get(String(failed.scheduledEventId));
      if (!record) continue;
      record.finishedAt = at;
      applyFailure(record, failed.failure ?? undefined);
      if (event.activityTaskTimedOutEventAttributes) record.outcome = 'timed_out';
    }
  }
  // The task that timed out has not been retried yet (the run is still waiting for a worker).
  if (lostAt && !closed)
    records.push(lostAttempt({ attempt: made + 1, eventId: '', scheduledAt: lostAt, outcome: 'lost' }, lostAt));
  return records;
}

function fromMarker(
  event: HistoryEvent,
  data: LocalActivityData,
  failure: Failure | undefined,
  result: SendAttemptResult | undefined,
): AttemptRecord {
  const record: AttemptRecord = {
    attempt: 0,
    eventId: String(event.eventId),
    // The marker's complete_time is workflow time (its task's start plus the run time); the event's own time is when
    // the result reached the history, which is never before the attempt began.
    scheduledAt: timestampToIso(data.original_schedule_time) ?? eventTime(event),
    finishedAt: eventTime(event),
    outcome: 'in_flight',
  };
  if (failure) applyFailure(record, failure);
  else applyResult(record, result);
  return record;
}

function applyResult(record: AttemptRecord, result: SendAttemptResult | undefined): void {
  if (result?.request) record.request = result.request;
  switch (result?.outcome) {
    case 'delivered':
      record.outcome = 'delivered';
      record.exchange = result.exchange;
      record.revisionNumber = result.revisionNumber;
      return;
    case 'deferred':
      record.outcome = 'deferred';
      record.retryAfterMs = result.retryAfterMs;
      record.error = { type: heldBackBy(result) === 'circuit' ? 'CircuitOpen' : 'RateLimited', message: result.detail };
      return;
    case 'waiting_for_order':
      record.outcome = 'waiting_for_order';
      record.waitingFor = result.waitingFor;
      record.error = { type: 'WaitingForOrder', message: result.detail };
      return;
    case 'already_delivered':
      record.outcome = 'already_delivered';
      record.error = { type: 'AlreadyDelivered', message: result.detail };
      return;
    case 'skipped':
      record.outcome = 'skipped';
      record.error = { type: result.reason, message: result.detail };
      return;
    default:
      record.outcome = 'skipped';
  }
}

function applyFailure(record: AttemptRecord, failure: Failure | undefined): void {
  record.outcome = 'failed';
  const details = decode<AttemptFailureDetails>(failure?.applicationFailureInfo?.details?.payloads?.[0]);
  if (details) {
    record.exchange = details.exchange;
    record.revisionNumber = details.revisionNumber;
    if (details.request) record.request = details.request;
  }
  record.error = describeFailure(failure);
}

function lostAttempt(next: AttemptRecord, at: string): AttemptRecord {
  return {
    attempt: next.attempt,
    eventId: '',
    scheduledAt: at,
    finishedAt: at,
    request: next.request,
    outcome: 'lost',
    error: {
      type: 'WorkerLost',
      message:
        'The worker running this attempt stopped answering (its workflow task timed out); the attempt was made again',
    },
  };
}

function describeFailure(failure: Failure | undefined): { type?: string; message: string } {
  if (!failure) return { message: 'unknown failure' };
  const type = failure.applicationFailureInfo?.type ?? (failure.timeoutFailureInfo ? 'Timeout' : undefined);
  return { ...(type ? { type } : {}), message: failure.message ?? '' };
}

/** A payload as the default data converter wrote it (histories, memos and search attributes of deliveries). */
export function decode<T>(payload: temporal.api.common.v1.IPayload | null | undefined): T | undefined {
  if (!payload) return undefined;
  return defaultPayloadConverter.fromPayload<T>(payload);
}

export function timestampToIso(ts: { seconds?: unknown; nanos?: number | null } | null | undefined): string | null {
  if (!ts) return null;
  return new Date(Number(ts.seconds ?? 0) * 1000 + Math.floor((ts.nanos ?? 0) / 1e6)).toISOString();
}

export function eventTime(event: HistoryEvent): string {
  return timestampToIso(event.eventTime) ?? '';
}
