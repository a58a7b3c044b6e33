import { z } from 'zod';
import { EVENT_TYPES, type SignalEvent } from './event';
import { eventTimeProblem } from './event-time';
import { identifierProblem, normalizeIdentifier, numericIdProblem, personIdProblem } from './identifier-rules';
import { isRecord, jsonShapeProblem } from './json-shape';
import { plainTextProblem } from './plain-text';

/**
 * The Signal event envelope (camelCase, as Signal's gateway normalises it), with the snake_case aliases
 * `user_id`, `anonymous_id` and `message_id` accepted on input. Every boundary that takes an event
 * (HTTP intake, the typed client) parses it with this one schema.
 */

const JsonObject = z.record(z.string(), z.unknown());
const OptionalText = z.string().optional();
/** A value that names a message and may end up in a workflow id. */
const SafeText = z.string().superRefine((value, ctx) => {
  const problem = identifierProblem(value.trim());
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});
/** A person's or object's id: it ends up in a Customer.io URL path, and decides who is who (personIdProblem). */
const PersonIdText = z.string().superRefine((value, ctx) => {
  const problem = personIdProblem(value);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});
// Segment-style sources send numeric ids; Customer.io ids are strings, so a number must carry its digits exactly.
const Identifier = z
  .union([z.string(), z.number()])
  .transform((v, ctx) => {
    const problem = typeof v === 'number' ? numericIdProblem(v) : undefined;
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
    return normalizeIdentifier(String(v));
  })
  .pipe(PersonIdText)
  .nullish();
const MessageId = z.string().trim().min(1).max(200).pipe(SafeText).nullish();
/**
 * What names an event (its `event`, a page's or screen's `name`): shown in the deliveries list, the CLI and Customer.io,
 * so no control characters, which would reach an operator's terminal as escape sequences.
 */
const EventName = z.string().superRefine((value, ctx) => {
  const problem = plainTextProblem(value);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

const EventTime = z.union([z.string(), z.number()]).superRefine((value, ctx) => {
  const problem = eventTimeProblem(value);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

/**
 * Where, besides userId, anonymousId, previousId, groupId and email, the Customer.io mapping reads a person or object
 * id (identifiers.ts, identify.ts, object.ts, object-delete.ts): held to the same rules, and NFC-normalised. Each
 * `context.externalId` entry's `id` is one too.
 */
const NESTED_IDS: readonly (readonly [string, ...string[]])[] = [
  ['traits', 'userId'],
  ['traits', 'id'],
  ['traits', 'email'],
  ['traits', 'objectId'],
  ['traits', 'object_id'],
  ['traits', 'object_type_id'],
  ['traits', 'objectTypeId'],
  ['context', 'traits', 'userId'],
  ['context', 'traits', 'id'],
  ['context', 'traits', 'email'],
  ['properties', 'email'],
  ['properties', 'objectId'],
  ['properties', 'object_id'],
  ['properties', 'objectTypeId'],
  ['properties', 'object_type_id'],
];

/** Each nested id the event holds: its path, and the object holding it (to normalise it in place). */
function nestedIds(event: Record<string, unknown>): { path: (string | number)[]; holder: Record<string, unknown> }[] {
  const found: { path: (string | number)[]; holder: Record<string, unknown> }[] = [];
  for (const path of NESTED_IDS) {
    const holder = path.slice(0, -1).reduce<unknown>((at, key) => (isRecord(at) ? at[key] : undefined), event);
    if (isRecord(holder) && path.at(-1)! in holder) found.push({ path: [...path], holder });
  }
  const external = isRecord(event.context) ? event.context.externalId : undefined;
  if (Array.isArray(external)) {
    external.forEach((entry, i) => {
      if (isRecord(entry) && 'id' in entry) found.push({ path: ['context', 'externalId', i, 'id'], holder: entry });
    });
  }
  return found;
}

/** The fields that name a page or screen view, besides `event` and `name` (pageUrl and screenName read them). */
function viewNameFields(event: { type: string; properties?: Record<string, unknown> | null }): string[][] {
  if (event.type === 'page')
    return [
      ['properties', 'url'],
      ['context', 'page', 'url'],
    ];
  if (event.type === 'screen') return [['properties', 'name']];
  return [];
}

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
    event: EventName.optional(),
    name: EventName.optional(),
    properties: JsonObject.nullish(),
    traits: JsonObject.nullish(),
    userId: Identifier,
    user_id: Identifier,
    anonymousId: Identifier,
    anonymous_id: Identifier,
    previousId: Identifier,
    previous_id: Identifier,
    groupId: Identifier,
    email: z.string().transform(normalizeIdentifier).pipe(PersonIdText).nullish(),
    context: EventContext.nullish(),
    timestamp: EventTime.nullish(),
    messageId: MessageId,
    message_id: MessageId,
  })
  .superRefine((e, ctx) => {
    if (e.type === 'track' && !e.event?.trim()) {
      ctx.addIssue({ code: 'custom', path: ['event'], message: 'a track event needs an event name' });
    }
    for (const { path, holder } of nestedIds(e)) {
      const value = holder[path.at(-1)!];
      const problem =
        typeof value === 'number'
          ? numericIdProblem(value)
          : typeof value === 'string'
            ? personIdProblem(normalizeIdentifier(value))
            : undefined;
      if (problem) ctx.addIssue({ code: 'custom', path, message: problem });
    }
    for (const path of viewNameFields(e)) {
      const value = path.reduce<unknown>((at, key) => (isRecord(at) ? at[key] : undefined), e);
      const problem = typeof value === 'string' ? plainTextProblem(value) : undefined;
      if (problem) ctx.addIssue({ code: 'custom', path, message: problem });
    }
  });

export const SignalEventSchema = RawSignalEvent.transform((e) => {
  // The schema's output is its own copy of the input's objects: normalising ids in it changes nothing the caller holds.
  for (const { path, holder } of nestedIds(e)) {
    const key = path.at(-1)!;
    const value = holder[key];
    if (typeof value === 'string' && value.trim() !== '') holder[key] = normalizeIdentifier(value);
  }
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
