import { z } from 'zod';
import { MAX_BULK_REPLAY } from '../../deliveries/service';
import { DELIVERY_STATUSES } from '../../shared/delivery';
import { EVENT_TYPES } from '../../shared/event';
import { IsoTime, listOf, optionalParam, PageLimit, plainText } from './common';

/** Temporal's own limit on a workflow id (1000 bytes); delivery ids are far shorter. */
const MAX_WORKFLOW_ID = 1_000;

const Status = z.enum(DELIVERY_STATUSES).describe('Delivery status (the DeliveryStatus search attribute)');
const EventType = z.enum(EVENT_TYPES);

/** Filters shared by the list, the live stream and bulk replay; each maps to a search attribute. */
export const DeliveryFilters = {
  integration_id: optionalParam(plainText(200).describe('Only deliveries of this integration')),
  status: optionalParam(Status),
  event_type: optionalParam(EventType),
  event_name: optionalParam(plainText(255).describe('Exact event name (track) or page URL (page)')),
  customer_id: optionalParam(
    plainText(255).describe('Customer id as sent; with hash_pii the hashed label is matched too'),
  ),
  message_id: optionalParam(plainText(200).describe('The event messageId')),
  since: optionalParam(IsoTime.describe('Runs started at or after this time')),
  until: optionalParam(IsoTime.describe('Runs started before this time')),
  late: optionalParam(
    z
      .enum(['true', 'false'])
      .describe(
        "true: only late deliveries (Customer.io took them after their event's 72-hour campaign window); false: only the others",
      ),
  ),
};

export const DeliveryListQuery = z
  .strictObject({
    ...DeliveryFilters,
    limit: PageLimit,
    cursor: optionalParam(plainText(4_000).describe('next_cursor of the previous page (signed; bound to the filters)')),
  })
  .describe('Filters and page of GET /v1/admin/deliveries');

export const DeliveryParams = z
  .strictObject({ workflow_id: plainText(MAX_WORKFLOW_ID).min(1).describe('customer_io:<integration>:<messageId>') })
  .describe('One delivery, by workflow id');

export const DeliveryGetQuery = z
  .strictObject({
    run_id: optionalParam(z.uuid('must be a UUID (a Temporal run id)').describe('A run; default the latest')),
  })
  .describe('Which run of the delivery');

export const ReplayOneBody = z
  .strictObject({
    include_delivered: z
      .boolean()
      .default(false)
      .describe('Replay even if the delivery (or its last replay) succeeded'),
    force: z
      .boolean()
      .default(false)
      .describe(
        "Replay even though the delivery was handed over before its person's deletion (or suppression): it would land after it and undo it. Recorded in the audit log",
      ),
  })
  .prefault({})
  .meta({ id: 'ReplayRequest', description: 'Options of a replay' });

export const ReplayManyBody = z
  .strictObject({
    status: DeliveryFilters.status,
    integration_id: DeliveryFilters.integration_id,
    event_type: DeliveryFilters.event_type,
    since: DeliveryFilters.since,
    until: DeliveryFilters.until,
    include_delivered: z.boolean().default(false),
    dry_run: z.boolean().default(false).describe('Only say what would be replayed'),
    limit: z.number().int().min(1).max(MAX_BULK_REPLAY).default(100).describe('Replays to start, at most'),
  })
  .prefault({})
  .meta({ id: 'BulkReplayRequest', description: 'Which deliveries to replay (failed ones unless asked otherwise)' });

export const LiveQuery = z
  .strictObject({
    integration_id: DeliveryFilters.integration_id,
    status: DeliveryFilters.status,
    event_type: DeliveryFilters.event_type,
    token: optionalParam(plainText(500).describe('The bearer token (EventSource cannot send headers)')),
  })
  .describe('Filters of the live stream');

const LastError = z
  .object({
    type: z.string().optional().describe('The failure type, e.g. CustomerIoRejected'),
    message: z.string().describe('What failed, with the troubleshooting text'),
    httpStatus: z.number().optional(),
    attempt: z.number().optional(),
  })
  .nullable();

export const DeliverySummary = z
  .object({
    workflow_id: z.string(),
    run_id: z.string(),
    integration_id: z.string().nullable(),
    status: z.string().describe(`One of ${DELIVERY_STATUSES.join(', ')}`),
    execution_status: z.string().describe('The Temporal run: running, completed, failed, terminated, …'),
    event_type: z.string().nullable(),
    event_name: z.string().nullable(),
    customer_id: z.string().nullable().describe('Hashed (sha256:…) when the integration sets hash_pii'),
    message_id: z.string().nullable(),
    http_status: z.number().nullable().describe("Customer.io's last answer"),
    attempts: z.number(),
    replay_of: z.string().nullable(),
    last_error: LastError,
    waiting_for: z
      .string()
      .nullable()
      .describe('While waiting_for_order: the earlier delivery (workflow id) of the same person it waits for'),
    late: z
      .object({
        age_hours: z.number().describe("The event's age in hours when Customer.io accepted it"),
        threshold_hours: z.number().describe('Customer.io starts campaigns only from events younger than this (72)'),
      })
      .nullable()
      .describe(
        'Delivered after its event was 72 hours old: Customer.io stored it but starts no campaign from it (null: in time, or not delivered)',
      ),
    started_at: z.string(),
    closed_at: z.string().nullable(),
    temporal_ui_url: z.string(),
  })
  .meta({ id: 'DeliverySummary', description: 'One delivery run, as visibility knows it' });

export const DeliveryList = listOf(DeliverySummary).meta({ id: 'DeliveryList' });

const Attempt = z
  .object({
    attempt: z.number(),
    scheduled_at: z.string(),
    started_at: z.string().nullable(),
    finished_at: z.string().nullable(),
    outcome: z.string().describe('delivered, retry, rejected, lost, deferred, …'),
    duration_ms: z.number().nullable(),
    credentials_revision: z.number().nullable(),
    request: z.object({
      method: z.string().nullable(),
      url: z.string().nullable().describe('The URL requested'),
      path: z.string().nullable(),
      body: z.unknown(),
    }),
    response: z
      .object({ status: z.number(), body_excerpt: z.string().nullable(), retry_after_ms: z.number().nullable() })
      .nullable(),
    error: z.object({ type: z.string().nullable(), message: z.string() }).nullable(),
  })
  .meta({ id: 'DeliveryAttempt', description: 'One HTTP attempt to Customer.io' });

export const DeliveryRecord = DeliverySummary.extend({
  event: z.unknown().describe('The input event (personal fields hashed with hash_pii)'),
  attempts_detail: z.array(Attempt),
  timeline: z.array(z.object({ at: z.string(), what: z.string(), detail: z.string().optional() })),
  outcome: z
    .object({
      status: z.string(),
      result: z.unknown().optional(),
      failure: z.object({ type: z.string().nullable(), message: z.string() }).optional(),
    })
    .nullable(),
  order: z
    .object({
      waited_ms: z
        .number()
        .nullable()
        .describe('How long it waited for earlier deliveries of its person (null: still waiting)'),
      waited_for: z.string().describe('The earlier delivery it waited for last'),
      overtook: z.boolean().describe('It went ahead of that delivery after order_wait_minutes'),
      summary: z.string().describe('E.g. "waited 1200 ms for customer_io:int_1:msg-7"'),
    })
    .nullable()
    .describe("Its place in its person's order (issue 16); null when it never waited"),
  replays: z.array(DeliverySummary),
}).meta({ id: 'DeliveryRecord', description: "A delivery's whole story, read from its history" });

export const ReplayStarted = z
  .object({
    replay_of: z.string(),
    workflow_id: z.string(),
    run_id: z.string(),
    forced_past: z
      .object({ workflow_id: z.string(), handed_at: z.string() })
      .optional()
      .describe('A forced replay: the deletion (or suppression) of the person it goes past'),
  })
  .meta({ id: 'ReplayStarted' });

export const BulkReplayResult = z
  .object({
    dry_run: z.boolean(),
    matched: z.number().describe('Deliveries looked at'),
    replayed: z.array(ReplayStarted).optional(),
    would_replay: z.array(z.string()).optional().describe('Dry run: the workflow ids that would be replayed'),
    skipped: z.array(z.object({ workflow_id: z.string(), reason: z.string(), detail: z.string() })),
  })
  .meta({ id: 'BulkReplayResult' });
