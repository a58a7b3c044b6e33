import { defaultPayloadConverter } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { ACTIVITY, type SendAttemptInput, type SendAttemptResult } from '../activities/contract';
import type { TrackApiRequest } from '../customerio/actions/types';
import type { HttpExchange } from '../customerio/exchange';
import type { AttemptFailureDetails } from '../customerio/outcomes';

type History = temporal.api.history.v1.IHistory;
type HistoryEvent = temporal.api.history.v1.IHistoryEvent;
type Failure = temporal.api.failure.v1.IFailure;
const EventType = temporal.api.enums.v1.EventType;

/** One HTTP attempt of a delivery, as the workflow history records it. */
interface AttemptRecord {
  attempt: number;
  scheduledAt: string;
  startedAt?: string;
  finishedAt?: string;
  request: TrackApiRequest;
  outcome: 'delivered' | 'skipped' | 'failed' | 'timed_out' | 'in_flight';
  exchange?: HttpExchange;
  /** Credentials revision the attempt used (never the credentials). */
  revisionNumber?: number;
  error?: { type?: string; message: string };
}

/** Every HTTP attempt of a delivery run, oldest first, read back from its history. */
export function attemptsFromHistory(history: History): AttemptRecord[] {
  const byScheduledId = new Map<string, AttemptRecord>();
  const records: AttemptRecord[] = [];
  for (const event of history.events ?? []) {
    const at = eventTime(event);
    const scheduled = event.activityTaskScheduledEventAttributes;
    if (
      event.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED &&
      scheduled?.activityType?.name === ACTIVITY.send
    ) {
      const input = decode<SendAttemptInput>(scheduled.input?.payloads?.[0]);
      const record: AttemptRecord = {
        attempt: input?.attempt ?? records.length + 1,
        scheduledAt: at,
        request: input!.request,
        outcome: 'in_flight',
      };
      byScheduledId.set(String(event.eventId), record);
      records.push(record);
      continue;
    }
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
      const result = decode<SendAttemptResult>(completed.result?.payloads?.[0]);
      record.finishedAt = at;
      if (result?.outcome === 'delivered') {
        record.outcome = 'delivered';
        record.exchange = result.exchange;
        record.revisionNumber = result.revisionNumber;
      } else {
        record.outcome = 'skipped';
        if (result) record.error = { type: result.reason, message: result.detail };
      }
      continue;
    }
    const failed = event.activityTaskFailedEventAttributes ?? event.activityTaskTimedOutEventAttributes;
    if (failed) {
      const record = byScheduledId.get(String(failed.scheduledEventId));
      if (!record) continue;
      record.finishedAt = at;
      record.outcome = event.activityTaskTimedOutEventAttributes ? 'timed_out' : 'failed';
      const failure = failed.failure ?? undefined;
      const details = decode<AttemptFailureDetails>(failure?.applicationFailureInfo?.details?.payloads?.[0]);
      if (details) {
        record.exchange = details.exchange;
        record.revisionNumber = details.revisionNumber;
      }
      record.error = describeFailure(failure);
    }
  }
  return records;
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
