import { parseEventTime } from '../../src/shared/event-time';
import type { FieldDiff } from './compare';
import type { Peer } from './peer-cases';

/**
 * The reviewed list of ways the project differs from a peer on purpose. A case may differ from its peer only on fields
 * a reason here names, and only where that reason's condition shows it is this very difference (so a reason for the
 * event id cannot hide a wrong event name, nor a reason for one attribute another).
 *
 * Adding an entry is a design decision: it belongs in review, with the README's list of deliberate differences.
 */

export interface CaseContext {
  peer: Peer;
  /** The peer's input event, as the fixture gives it. */
  input: Record<string, unknown>;
  /** The receive time the project stamps on an event without one, in unix seconds. */
  receivedAt: number;
}

export interface DeliberateDifference {
  id: string;
  /** One line: what the project does instead, and why. */
  reason: string;
  /**
   * The canonical fields it may excuse: `<kind>.<path>` (see canonical.ts), `*` standing for one segment.
   * `(outcome)`: the peer refuses an event the project sends.
   */
  fields: readonly string[];
  /** Only against these peers (all when absent). */
  peers?: readonly Peer[];
  /** Whether this difference is the one the reason explains. */
  when(diff: FieldDiff, c: CaseContext): boolean;
}

export const DELIBERATE: readonly DeliberateDifference[] = [
  {
    id: 'event-id',
    reason:
      'The event id is a deterministic ULID of (integration, messageId), the format Customer.io dedupes on, so retries and replays land once; Segment sends the raw messageId, RudderStack no id',
    fields: ['event.id', 'page.id', 'screen.id'],
    when: (d) => typeof d.ours === 'string' && ULID.test(d.ours),
  },
  {
    id: 'receive-time',
    reason:
      'An event without `timestamp` is stamped with the intake receive time once, so every retry and replay sends the same time (identify: `_timestamp`); peers fall back to the client clock (originalTimestamp) or send none',
    fields: ['*.timestamp', 'device-add.device.last_used'],
    when: (d, c) => (c.input.timestamp === undefined || c.input.timestamp === null) && d.ours === c.receivedAt,
  },
  {
    id: 'cio-prefix',
    reason:
      'A `cio_…` userId addresses the person by cio_id, as Customer.io reads a v1 path and Segment resolves it; RudderStack v2 sends it as a plain `id`',
    fields: ['*.person', 'merge.primary', 'merge.secondary'],
    peers: ['rudderstack'],
    when: (d) => {
      const ours = ref(d.ours);
      const peer = ref(d.peer);
      return keys(ours) === 'cio_id' && keys(peer) === 'id' && peer.id === `cio_${ours.cio_id}`;
    },
  },
  {
    id: 'page-name-is-url',
    reason:
      "A page view is named by its URL (its path when the URL is over Customer.io's 100-byte event-name limit), so Customer.io segments and campaigns match pages the same way whatever the page's title; RudderStack prefers the page's `name`",
    fields: ['page.name'],
    peers: ['rudderstack'],
    when: (d, c) =>
      d.peer === c.input.name &&
      (d.ours === at(c.input, 'properties', 'url') || d.ours === at(c.input, 'context', 'page', 'url')),
  },
  {
    id: 'page-context-in-data',
    reason:
      "Page data carries context.page's title, referrer, path and search beside the properties, so segments can use them; Segment sends the properties alone",
    fields: ['page.data.title', 'page.data.referrer', 'page.data.path', 'page.data.search'],
    when: (d, c) => d.peer === undefined && d.ours === at(c.input, 'context', 'page', d.field.split('.')[2] ?? ''),
  },
  {
    id: 'no-anonymous-id-in-event-data',
    reason:
      "Event data is the event's properties: the anonymous profile merges through the identify's `anonymous_id` attribute; Segment also copies anonymousId into the data of every event (RudderStack does not)",
    fields: [
      'event.data.anonymous_id',
      'page.data.anonymous_id',
      'screen.data.anonymous_id',
      'object-identify.attributes.anonymous_id',
    ],
    peers: ['segment'],
    when: (d, c) => d.ours === undefined && d.peer !== undefined && d.peer === c.input.anonymousId,
  },
  {
    id: 'created-at-unix',
    reason:
      "`created_at` is always sent as integer unix seconds, the type Customer.io's signed-up segment compares, even when given as a digit string or with convert_timestamps off; Segment then forwards the string",
    fields: ['identify.attributes.created_at'],
    peers: ['segment'],
    when: (d) => typeof d.peer === 'string' && d.ours === unixSeconds(d.peer),
  },
  {
    id: 'screen-name',
    reason:
      'A screen view is named by the screen\'s name, as Segment sends it and Customer.io\'s SDKs record it; RudderStack renames it "Viewed {name} Screen"',
    fields: ['screen.name'],
    peers: ['rudderstack'],
    when: (d) => typeof d.ours === 'string' && d.peer === `Viewed ${d.ours} Screen`,
  },
  {
    id: 'address-kept-whole',
    reason:
      'The Segment-spec `address` trait is sent whole, as one object attribute (as Segment does); RudderStack spreads its keys into top-level attributes, where they overwrite traits of the same name',
    fields: ['identify.attributes.*'],
    peers: ['rudderstack'],
    when: (d, c) => {
      const address = at(c.input, 'traits', 'address') ?? at(c.input, 'context', 'traits', 'address');
      if (!isObject(address)) return false;
      const key = d.field.split('.')[2] ?? '';
      if (key === 'address') return d.peer === undefined && same(d.ours, address);
      return d.ours === undefined && key in address && same(d.peer, address[key]);
    },
  },
  {
    id: 'device-attributes-from-context',
    reason:
      "A device carries Customer.io's own device attributes (app_version, device_model, device_os, device_locale) from the event's context, so messages can target app versions and platforms; the peers send none of them",
    fields: ['device-add.device.attributes.*'],
    when: (d, c) => {
      const key = d.field.split('.')[3] ?? '';
      const from: Record<string, unknown> = {
        app_version: at(c.input, 'context', 'app', 'version'),
        device_model: at(c.input, 'context', 'device', 'model'),
        device_os: at(c.input, 'context', 'os', 'version'),
        device_locale: at(c.input, 'context', 'locale'),
      };
      return d.peer === undefined && d.ours !== undefined && d.ours === from[key];
    },
  },
  {
    id: 'device-os-version',
    reason:
      "`device_os` holds the OS version (context.os.version), as Customer.io's own mobile SDKs record it; RudderStack v2 sends the OS name there, which the platform already says",
    fields: ['device-add.device.attributes.device_os'],
    peers: ['rudderstack'],
    when: (d, c) =>
      d.peer === at(c.input, 'context', 'os', 'name') && d.ours === at(c.input, 'context', 'os', 'version'),
  },
  {
    id: 'no-event-properties-on-device',
    reason:
      "An app event's properties describe that event (a review, a rating, from_background), not the device: they are not written onto the device, where they would stay until the next event; RudderStack copies them there",
    fields: ['device-add.device.attributes.*'],
    peers: ['rudderstack'],
    when: (d, c) => {
      const key = d.field.split('.')[3] ?? '';
      const props = at(c.input, 'properties');
      return d.ours === undefined && isObject(props) && key in props && same(d.peer, props[key]);
    },
  },
  {
    id: 'no-user-properties',
    reason:
      "RudderStack's legacy top-level `user_properties` is not in the Segment spec nor in Signal's envelope: person attributes come from traits",
    fields: ['identify.attributes.*'],
    peers: ['rudderstack'],
    when: (d, c) => {
      const props = c.input.user_properties;
      const key = d.field.split('.')[2] ?? '';
      return isObject(props) && d.ours === undefined && key in props && same(d.peer, props[key]);
    },
  },
];

const ULID = /^[0-7][0-9A-HJKMNP-TV-Z]{25}$/;

function unixSeconds(text: string): number | undefined {
  const ms = parseEventTime(text);
  return ms === undefined ? undefined : Math.floor(ms / 1000);
}

/** Cases the project does not send on purpose: peer-only concepts, or events it refuses by design. */
export interface UnsupportedByDesign {
  id: string;
  reason: string;
  cases: readonly string[];
}

export const UNSUPPORTED_BY_DESIGN: readonly UnsupportedByDesign[] = [
  {
    id: 'record-rows',
    reason:
      "RudderStack's warehouse `record` rows (VDM v2 insert/update/delete with `identifiers`) are not a Signal event type: Signal carries reverse-ETL syncs as identify and track events",
    cases: [
      'rudderstack/router/21-v2-record-events-mirror-mode-insert-delete-b#job100',
      'rudderstack/router/21-v2-record-events-mirror-mode-insert-delete-b#job101',
      'rudderstack/router/22-v2-event-object-records-insert-update-batch#job104',
      'rudderstack/router/22-v2-event-object-records-insert-update-batch#job105',
      'rudderstack/router/24-v2-record-event-cio-id-takes-priority-over-i#job103',
      'rudderstack/router/25-v2-record-batch-valid-event-succeeds-event-w#job200',
      'rudderstack/router/26-v2-record-event-upsert-mode-update-with-emai#job102',
      'rudderstack/router/27-v2-record-and-event-stream-failures-are-attr#job200',
    ],
  },
  {
    id: 'unreadable-event-time',
    reason:
      'An event whose timestamp is neither ISO 8601 nor unix time is refused at intake (InvalidEvent), not forwarded for Customer.io to replace silently with its receive time',
    cases: ['segment/createUpdatePerson/08', 'segment/trackEvent/04', 'segment/trackPageView/04'],
  },
  {
    id: 'event-name-over-limit',
    reason:
      "An event name over Customer.io's 100-byte limit is refused (PayloadTooLarge) rather than cut short (RudderStack truncates anonymous ones) or sent to be rejected (RudderStack sends identified ones whole)",
    cases: [
      'rudderstack/processor/38-test-37',
      'rudderstack/processor/39-test-38',
      'rudderstack/processor/40-test-39',
      'rudderstack/processor/41-test-40',
    ],
  },
  {
    id: 'page-without-url',
    reason:
      'A page view without a URL is refused: Customer.io requires a name and keys page views by URL; RudderStack sends it with no name at all',
    cases: ['rudderstack/processor/65-test-64', 'rudderstack/processor/66-test-65'],
  },
  {
    id: 'traits-not-objects',
    reason:
      "traits and context.traits are objects in the Segment spec and in Signal's envelope: an event that breaks the envelope is refused at intake, not partly read",
    cases: [
      'rudderstack/router/28-v2-track-events-with-non-object-traits-and-c#job60',
      'rudderstack/router/28-v2-track-events-with-non-object-traits-and-c#job61',
    ],
  },
];

/** Whether a field pattern (`*` = any one segment) names a canonical field. */
function at(value: unknown, ...path: string[]): unknown {
  let v = value;
  for (const key of path) v = isObject(v) ? v[key] : undefined;
  return v;
}

function ref(value: unknown): Record<string, unknown> {
  return isObject(value) ? value : {};
}

function keys(value: Record<string, unknown>): string {
  return Object.keys(value).sort().join(',');
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function fieldMatches(pattern: string, field: string): boolean {
  const p = pattern.split('.');
  const f = field.split('.');
  return p.length === f.length && p.every((seg, i) => seg === '*' || seg === f[i]);
}
