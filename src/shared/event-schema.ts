import { z } from 'zod';
import { EVENT_TYPES, type SignalEvent } from './event';
import { parseEventTime } from './event-time';
import { identifierProblem } from './identifier-rules';
import { jsonShapeProblem } from './json-shape';

/**
 * The Signal event envelope (camelCase, as Signal's gateway normalises it), with the snake_case aliases
 * `user_id`, `anonymous_id` and `message_id` accepted on input. Every boundary that takes an event
 * (HTTP intake, the typed client) parses it with this one schema.
 */

const JsonObject = z.record(z.string(), z.unknown());
const OptionalText = z.string().optional();
/** A value that names someone or something and may end up in a URL path or a workflow id. */
const SafeText = z.string().superRefine((value, ctx) => {
  const problem = identifierProblem(value.trim());
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});
// Segment-style sources send numeric ids; Customer.io ids are strings.
const Identifier = z
  .union([z.string(), z.number().finite()])
  .transform((v) => String(v).trim())
  .pipe(SafeText)
  .nullish();
const MessageId = z.string().trim().min(1).max(200).pipe(SafeText).nullish();

const EventTime = z.union([z.string(), z.number()]).refine((v) => parseEventTime(v) !== undefined, {
  message: 'must be an ISO 8601 date-time (e.g. 2026-02-25T14:30:00.000Z) or a unix timestamp',
});

const PageContext = z.looseObject({
  url: OptionalText,
  title: OptionalText,
  referrer: OptionalText,
  path: OptionalText,
  search: OptionalText,
});

const EventContext = z.looseObject({
  page: PageContext.optional(),
  traits: JsonObject.optional(),
  consent: JsonObject.optional(),
  ip: OptionalText,
  userAgent: OptionalText,
  device: z.looseObject({ token: z.string().optional(), type: OptionalText }).optional(),
  externalId: z
    .array(z.looseObject({ type: OptionalText }))
    .max(20)
    .optional(),
});

const RawSignalEvent = z
  .object({
    type: z.enum(EVENT_TYPES),
    event: OptionalText,
    name: OptionalText,
    properties: JsonObject.nullish(),
    traits: JsonObject.nullish(),
    userId: Identifier,
    user_id: Identifier,
    anonymousId: Identifier,
    anonymous_id: Identifier,
    previousId: Identifier,
    previous_id: Identifier,
    groupId: Identifier,
    email: SafeText.nullish(),
    context: EventContext.nullish(),
    timestamp: EventTime.nullish(),
    messageId: MessageId,
    message_id: MessageId,
  })
  .superRefine((e, ctx) => {
    if (e.type === 'track' && !e.event?.trim()) {
      ctx.addIssue({ code: 'custom', path: ['event'], message: 'a track event needs an event name' });
    }
  });

export const SignalEventSchema = RawSignalEvent.transform((e) => {
  const userId = e.userId || e.user_id || undefined;
  const anonymousId = e.anonymousId || e.anonymous_id || undefined;
  const previousId = e.previousId || e.previous_id || undefined;
  const messageId = e.messageId ?? e.message_id ?? undefined;
  const event: SignalEvent = { type: e.type };
  if (e.event !== undefined) event.event = e.event;
  if (e.name !== undefined) event.name = e.name;
  if (e.properties) event.properties = e.properties;
  if (e.traits) event.traits = e.traits;
  if (userId) event.userId = userId;
  if (anonymousId) event.anonymousId = anonymousId;
  if (previousId) event.previousId = previousId;
  if (e.groupId) event.groupId = e.groupId;
  if (e.email) event.email = e.email;
  if (e.context) event.context = e.context;
  if (e.timestamp !== undefined && e.timestamp !== null) event.timestamp = e.timestamp;
  if (messageId) event.messageId = messageId;
  return event;
});

export type SignalEventInput = z.input<typeof SignalEventSchema>;

type ParseResult = { ok: true; event: SignalEvent } | { ok: false; issues: { path: string; message: string }[] };

export function parseSignalEvent(input: unknown): ParseResult {
  // Before the schema: its own walk over a hostile nesting depth would overflow the stack.
  const shape = jsonShapeProblem(input);
  if (shape) return { ok: false, issues: [shape] };
  const parsed = SignalEventSchema.safeParse(input);
  if (parsed.success) return { ok: true, event: parsed.data };
  return {
    ok: false,
    issues: parsed.error.issues.map((i) => ({ path: i.path.join('.') || '(event)', message: i.message })),
  };
}
