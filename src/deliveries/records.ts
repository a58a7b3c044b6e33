import { temporal } from '@temporalio/proto';
import { ACTIVITY } from '../activities/contract';
import { planDelivery } from '../customerio/actions';
import type { TrackApiRequest } from '../customerio/exchange';
import { personalData, type StartedInput, upgradeInput } from '../customerio/delivery-input';
import { LATE_AFTER_HOURS } from '../customerio/late-events';
import { hashPiiFields, hashPiiMentions, hashPiiValue } from '../customerio/pii';
import {
  chainedBehind,
  type DeliverEventInput,
  type DeliveryStatus,
  type LastError,
  type LateRecord,
  type OrderWaitRecord,
  startedBehind,
} from '../shared/delivery';
import {
  CIRCUIT_CLOSED_SIGNAL,
  CREDENTIALS_UPDATED_SIGNAL,
  INTEGRATION_CHANGED_SIGNAL,
  ORDER_RELEASED_SIGNAL,
} from '../shared/names';
import {
  AttemptsKey,
  CustomerIdKey,
  DeliveryStatusKey,
  EventNameKey,
  EventTypeKey,
  HttpStatusKey,
  IntegrationIdKey,
  LateEventAgeHoursKey,
  MessageIdKey,
  ReplayOfKey,
} from '../shared/search-attributes';
import { type AttemptRecord, attemptsFromHistory, decode, eventTime, timestampToIso } from './history';

type ExecutionInfo = temporal.api.workflow.v1.IWorkflowExecutionInfo;
type History = temporal.api.history.v1.IHistory;
type Payload = temporal.api.common.v1.IPayload;
const ExecutionStatus = temporal.api.enums.v1.WorkflowExecutionStatus;
const EventType = temporal.api.enums.v1.EventType;

type ExecutionState = 'running' | 'completed' | 'failed' | 'terminated' | 'canceled' | 'timed_out' | 'continued_as_new';

/** One delivery as lists and the Live Events view show it: read from visibility, no history needed. */
export interface DeliverySummary {
  workflow_id: string;
  run_id: string;
  integration_id: string | null;
  status: DeliveryStatus;
  execution_status: ExecutionState;
  event_type: string | null;
  event_name: string | null;
  customer_id: string | null;
  message_id: string | null;
  http_status: number | null;
  attempts: number;
  replay_of: string | null;
  last_error: LastError | null;
  /** While `waiting_for_order`: the earlier delivery of the same person it waits for. */
  waiting_for: string | null;
  /** Delivered after Customer.io's 72-hour campaign window for its event: how old the event was then. */
  late: { age_hours: number; threshold_hours: number } | null;
  started_at: string;
  closed_at: string | null;
  temporal_ui_url: string;
}

export interface RecordOptions {
  uiUrl: string;
  namespace: string;
}

const STATE: Record<number, ExecutionState> = {
  [ExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING]: 'running',
  [ExecutionStatus.WORKFLOW_EXECUTION_STATUS_COMPLETED]: 'completed',
  [ExecutionStatus.WORKFLOW_EXECUTION_STATUS_FAILED]: 'failed',
  [ExecutionStatus.WORKFLOW_EXECUTION_STATUS_TERMINATED]: 'terminated',
  [ExecutionStatus.WORKFLOW_EXECUTION_STATUS_CANCELED]: 'canceled',
  [ExecutionStatus.WORKFLOW_EXECUTION_STATUS_TIMED_OUT]: 'timed_out',
  [ExecutionStatus.WORKFLOW_EXECUTION_STATUS_CONTINUED_AS_NEW]: 'continued_as_new',
};

export function summarize(info: ExecutionInfo, options: RecordOptions): DeliverySummary {
  const sa = decodeFields(info.searchAttributes?.indexedFields);
  const memo = decodeFields(info.memo?.fields);
  const workflowId = info.execution?.workflowId ?? '';
  const runId = info.execution?.runId ?? '';
  const state = STATE[info.status ?? 0] ?? 'running';
  return {
    workflow_id: workflowId,
    run_id: runId,
    integration_id: text(sa[IntegrationIdKey.name]),
    status: deliveryStatus(state, text(sa[DeliveryStatusKey.name])),
    execution_status: state,
    event_type: text(sa[EventTypeKey.name]),
    event_name: text(sa[EventNameKey.name]),
    customer_id: text(sa[CustomerIdKey.name]),
    message_id: text(sa[MessageIdKey.name]),
    http_status: number(sa[HttpStatusKey.name]),
    attempts: number(sa[AttemptsKey.name]) ?? 0,
    replay_of: text(sa[ReplayOfKey.name]),
    last_error:
      (memo.lastError as LastError | undefined) ??
      (state === 'terminated' || state === 'canceled' || state === 'timed_out'
        ? { type: state, message: `The workflow was ${state.replace('_', ' ')} outside the delivery logic`, attempt: 0 }
        : null),
    waiting_for:
      state === 'running' && text(sa[DeliveryStatusKey.name]) === 'waiting_for_order'
        ? text((memo.waitingFor as { workflowId?: unknown } | undefined)?.workflowId)
        : null,
    late: lateView(number(sa[LateEventAgeHoursKey.name])),
    started_at: timestampToIso(info.startTime) ?? '',
    closed_at: timestampToIso(info.closeTime),
    temporal_ui_url: temporalUiUrl(options, workflowId, runId),
  };
}

/** The late label as lists show it; the threshold is the one rule there is (src/customerio/late-events.ts). */
function lateView(ageHours: number | null): DeliverySummary['late'] {
  return ageHours === null ? null : { age_hours: ageHours, threshold_hours: LATE_AFTER_HOURS };
}

/** What a late delivery's timeline says at its end. */
function lateDetail(late: LateRecord): string {
  return `late: the event was ${late.ageHours} h old, past Customer.io's ${late.thresholdHours}-hour campaign window (stored, starts no campaign)`;
}

/** A run stopped from outside (terminate, cancel, timeout) never set its final status: it did not deliver. */
function deliveryStatus(state: ExecutionState, labelled: string | null): DeliveryStatus {
  if (state === 'terminated' || state === 'canceled' || state === 'timed_out') return 'failed';
  if (labelled) return labelled as DeliveryStatus;
  if (state === 'completed') return 'delivered';
  return state === 'running' ? 'pending' : 'failed';
}

function temporalUiUrl(options: RecordOptions, workflowId: string, runId: string): string {
  return `${options.uiUrl.replace(/\/+$/, '')}/namespaces/${encodeURIComponent(options.namespace)}/workflows/${encodeURIComponent(workflowId)}/${encodeURIComponent(runId)}/history`;
}

/** How personal data in an event is shown: as sent, or hashed when the integration says `hash_pii`. */
type PiiPolicy = 'show' | 'hash';

interface AttemptView {
  attempt: number;
  scheduled_at: string;
  started_at: string | null;
  finished_at: string | null;
  outcome: string;
  duration_ms: number | null;
  credentials_revision: number | null;
  request: { method: string | null; url: string | null; path: string | null; body: unknown };
  response: { status: number; body_excerpt: string | null; retry_after_ms: number | null } | null;
  error: { type: string | null; message: string } | null;
}

export interface DeliveryRecord extends DeliverySummary {
  event: unknown;
  attempts_detail: AttemptView[];
  timeline: { at: string; what: string; detail?: string }[];
  outcome: { status: DeliveryStatus; result?: unknown; failure?: { type: string | null; message: string } } | null;
  /** Its place in its person's order: what it waited for (or waits for now), how long, whether it went ahead. */
  order: OrderView | null;
  replays: DeliverySummary[];
}

interface OrderView {
  waited_ms: number | null;
  waited_for: string;
  overtook: boolean;
  /** As an operator reads it: "waited 1200 ms for <earlier delivery>". */
  summary: string;
}

/** The whole story of one delivery run, from its history: input, every attempt, every wait, the outcome. */
export function deliveryRecord(
  summary: DeliverySummary,
  history: History,
  pii: PiiPolicy,
  replays: DeliverySummary[],
): DeliveryRecord {
  const events = history.events ?? [];
  const input = decodeInput(history);
  // Settled once for what the record derives from it (the planned request, the personal data to hash).
  const settled = readable(input);
  const redact = (value: unknown) => (pii === 'hash' ? hashPiiFields(value) : value);
  const recorded = attemptsFromHistory(history);
  const byEvent = new Map(recorded.map((a) => [a.eventId, a]));
  // Every attempt sends the one request planned for the delivery; a lost attempt's is known from the others.
  const knownRequest = recorded.find((a) => a.request)?.request ?? plannedRequest(settled);
  const attempts = recorded.map<AttemptView>((a) => ({
    attempt: a.attempt,
    scheduled_at: a.scheduledAt,
    started_at: a.startedAt ?? null,
    finished_at: a.finishedAt ?? null,
    outcome: a.outcome,
    duration_ms: a.exchange?.durationMs ?? null,
    credentials_revision: a.revisionNumber ?? null,
    request: {
      method: (a.request ?? knownRequest)?.method ?? null,
      url: a.exchange?.url ?? null,
      path: (a.request ?? knownRequest)?.path ?? null,
      body: redact((a.request ?? knownRequest)?.body ?? null),
    },
    response:
      a.exchange?.status !== undefined
        ? {
            status: a.exchange.status,
            body_excerpt: a.exchange.responseExcerpt ?? null,
            retry_after_ms: a.exchange.retryAfterMs ?? null,
          }
        : null,
    error: a.error ? { type: a.error.type ?? null, message: a.error.message } : null,
  }));

  const timeline: DeliveryRecord['timeline'] = [];
  let outcome: DeliveryRecord['outcome'] = null;
  for (const event of events) {
    const at = eventTime(event);
    switch (event.eventType) {
      case EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED:
        timeline.push({
          at,
          what: 'received',
          detail: input?.replayOf ? `replay of ${input.replayOf.workflowId}` : undefined,
        });
        // Started behind an unfinished delivery of the same person, its first task delayed until that one releases it.
        if (settled?.order?.startDelayed) {
          const detail = chainedBehind(settled.order);
          timeline.push({ at, what: 'waiting for an earlier delivery of the same person', detail });
        }
        break;
      case EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED: {
        const name = event.activityTaskScheduledEventAttributes?.activityType?.name;
        timeline.push({ at, what: name === ACTIVITY.send ? 'attempt' : 'checked credentials' });
        break;
      }
      case EventType.EVENT_TYPE_MARKER_RECORDED: {
        const attempt = byEvent.get(String(event.eventId));
        if (attempt) timeline.push(markerEntry(at, attempt));
        break;
      }
      case EventType.EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT:
      case EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED:
        if (recorded.some((a) => a.outcome === 'lost')) {
          timeline.push({ at, what: 'worker lost', detail: 'its workflow task timed out; another worker took over' });
        }
        break;
      case EventType.EVENT_TYPE_TIMER_STARTED: {
        const timeout = event.timerStartedEventAttributes?.startToFireTimeout;
        const ms = timeout ? Number(timeout.seconds ?? 0) * 1000 + Math.round((timeout.nanos ?? 0) / 1e6) : 0;
        timeline.push({ at, what: timerPurpose(events, event, byEvent), detail: `${ms} ms` });
        break;
      }
      case EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED: {
        const signal = event.workflowExecutionSignaledEventAttributes;
        const name = signal?.signalName ?? '';
        timeline.push(
          name === CREDENTIALS_UPDATED_SIGNAL
            ? { at, what: 'credentials updated', detail: `revision ${String(decode(signal?.input?.payloads?.[0]))}` }
            : { at, what: SIGNAL_MEANING[name] ?? `signal ${name}` },
        );
        break;
      }
      case EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED: {
        const result = decode<{ status: DeliveryStatus; late?: LateRecord }>(
          event.workflowExecutionCompletedEventAttributes?.result?.payloads?.[0],
        );
        outcome = { status: result?.status ?? 'delivered', result };
        timeline.push({ at, what: result?.status ?? 'completed', detail: result?.late && lateDetail(result.late) });
        break;
      }
      case EventType.EVENT_TYPE_WORKFLOW_EXECUTION_FAILED: {
        const failure = event.workflowExecutionFailedEventAttributes?.failure;
        outcome = {
          status: 'failed',
          failure: { type: failure?.applicationFailureInfo?.type ?? null, message: failure?.message ?? '' },
        };
        timeline.push({ at, what: 'failed', detail: failure?.message ?? undefined });
        break;
      }
      case EventType.EVENT_TYPE_WORKFLOW_EXECUTION_TERMINATED:
      case EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CANCELED:
      case EventType.EVENT_TYPE_WORKFLOW_EXECUTION_TIMED_OUT:
        outcome = {
          status: 'failed',
          failure: { type: summary.execution_status, message: `The workflow was ${summary.execution_status}` },
        };
        timeline.push({ at, what: summary.execution_status });
        break;
    }
  }
  const record = {
    ...summary,
    event: redact(input?.event ?? null),
    attempts_detail: attempts,
    timeline,
    outcome,
    order: orderView(
      outcome?.result,
      summary.execution_status === 'running' ? { last: recorded.at(-1) } : undefined,
      settled,
    ),
    replays,
  };
  if (pii === 'show') return record;
  // Hashed everywhere the record shows it: the customer id in URLs, paths, results and messages, not only in the event.
  return {
    ...(hashPiiMentions(record, settled ? personalData(settled) : []) as DeliveryRecord),
    customer_id: hashedId(summary.customer_id),
  };
}

/**
 * What a timer waits for, told by what came right before it: a credentials check (a wait for credentials), an
 * attempt the rate limiter held back (a wait for its slot), or a failed attempt (a backoff).
 */
/** What a signal meant to the run, for its timeline. */
const SIGNAL_MEANING: Record<string, string> = {
  [INTEGRATION_CHANGED_SIGNAL]: 'integration disabled or deleted',
  [CIRCUIT_CLOSED_SIGNAL]: "the integration's circuit closed",
  [ORDER_RELEASED_SIGNAL]: 'an earlier delivery of the same person finished',
};

/** An attempt's marker on the timeline: sent, or held back (and by what). */
function markerEntry(at: string, attempt: AttemptRecord): DeliveryRecord['timeline'][number] {
  switch (attempt.outcome) {
    case 'deferred':
      return {
        at,
        what: attempt.error?.type === 'CircuitOpen' ? 'held back by the open circuit' : 'held back by the rate limit',
      };
    case 'waiting_for_order':
      return { at, what: 'waiting for an earlier delivery of the same person', detail: attempt.waitingFor };
    case 'already_delivered':
      return { at, what: 'found already delivered', detail: attempt.error?.message };
    default:
      return { at, what: 'attempt' };
  }
}

/** The order section of a record: from the result of a finished run, or the attempt a running one waits after. */
function orderView(
  result: unknown,
  running: { last: AttemptRecord | undefined } | undefined,
  input: DeliverEventInput | undefined,
): OrderView | null {
  const wait = (result as { orderWait?: OrderWaitRecord } | undefined)?.orderWait;
  if (wait) {
    const { waitedMs, waitedFor, overtook = false } = wait;
    const summary = overtook
      ? `went ahead of ${waitedFor} after waiting ${waitedMs} ms for it (order_wait_minutes)`
      : `waited ${waitedMs} ms for ${waitedFor}`;
    return { waited_ms: waitedMs, waited_for: waitedFor, overtook, summary };
  }
  // Started behind its predecessor with its first task delayed (src/client/start-in-order.ts), and not begun yet.
  if (!running) return null;
  const { last } = running;
  const waitedFor =
    last?.outcome === 'waiting_for_order' ? last.waitingFor : !last ? startedBehind(input?.order) : undefined;
  if (waitedFor) {
    return { waited_ms: null, waited_for: waitedFor, overtook: false, summary: `waiting for ${waitedFor}` };
  }
  return null;
}

function timerPurpose(
  events: temporal.api.history.v1.IHistoryEvent[],
  timer: temporal.api.history.v1.IHistoryEvent,
  attempts: Map<string, AttemptRecord>,
): string {
  for (let i = events.indexOf(timer) - 1; i >= 0; i--) {
    const event = events[i]!;
    const scheduled = event.activityTaskScheduledEventAttributes;
    if (scheduled)
      return scheduled.activityType?.name === ACTIVITY.credentials ? 'waiting for credentials' : 'backing off';
    const attempt = attempts.get(String(event.eventId));
    if (attempt)
      return (
        TIMER_AFTER[attempt.outcome === 'deferred' ? (attempt.error?.type ?? '') : attempt.outcome] ?? 'backing off'
      );
  }
  return 'backing off';
}

/** What a timer after a held-back attempt was for. */
const TIMER_AFTER: Record<string, string> = {
  RateLimited: 'waiting for the rate limit',
  CircuitOpen: 'waiting for the circuit to close',
  waiting_for_order: 'waiting for an earlier delivery of the same person',
};

/** A stored input as it is started today (upgradeInput), or undefined for one too strange to settle. */
function readable(input: StartedInput | undefined): DeliverEventInput | undefined {
  try {
    return input && upgradeInput(input);
  } catch {
    return undefined;
  }
}

/** The request a delivery's input plans, for a record whose history holds none yet (its first attempt was lost). */
function plannedRequest(input: DeliverEventInput | undefined): TrackApiRequest | undefined {
  if (!input) return undefined;
  try {
    const plan = planDelivery(input);
    return plan.ok ? plan.request : undefined;
  } catch {
    return undefined;
  }
}

/** A customer id label as hash_pii shows it; labels set with hash_pii on are hashed already. */
export function hashedId(id: string | null): string | null {
  return id === null || id.startsWith('sha256:') ? id : hashPiiValue(id);
}

/** The input a run was started with, as stored: a run started before 2026-12-07 may hold less (StartedInput). */
export function decodeInput(history: History): StartedInput | undefined {
  return decode<StartedInput>(history.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0]);
}

function decodeFields(fields: Record<string, Payload> | null | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, payload] of Object.entries(fields ?? {})) {
    try {
      out[key] = decode(payload);
    } catch {
      out[key] = undefined;
    }
  }
  return out;
}

function text(value: unknown): string | null {
  if (Array.isArray(value)) return value.length > 0 ? String(value[0]) : null;
  return typeof value === 'string' && value !== '' ? value : null;
}

function number(value: unknown): number | null {
  const v = Array.isArray(value) ? value[0] : value;
  return typeof v === 'number' ? v : null;
}
