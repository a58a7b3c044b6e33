/**
 * The canonical form of a Customer.io Track API request: what it asks Customer.io to do, whichever API version says
 * it. Peers send v2 (`/api/v2/entity`, `/api/v2/batch`) or v1 REST; the project sends v1. Each request becomes a list of
 * operations that hold only what Customer.io acts on (docs: customer-io-track-api.md §2–3):
 *
 * - v1 addresses a person by a path segment whose *shape* says what it is (`cio_…` a cio_id, email-shaped an email,
 *   else an id); v2 names the identifier. Both become `person: {id | email | cio_id | anonymous_id}`.
 * - Person attributes: the v1 identify body, or v2 `attributes`. The attribute-update time (v1 `_timestamp`, v2 op
 *   `timestamp`) becomes `timestamp`.
 * - Event data: v1 `data`, v2 `attributes`. The kind: v1 `type` (default `event`), v2 `action`. An event addressed by
 *   `anonymous_id` (v1 `POST /api/v1/events`, v2 `identifiers.anonymous_id`) is an anonymous event.
 * - Relationships are single facts (`relationship-add` person ↔ object), however they were sent: `cio_relationships` on
 *   a person identify (v1 object form or v2 array), on an object identify, or `add_relationships` of either type.
 * - Devices: v1 `device.id` and v2 `device.token` are the token.
 *
 * Anything it does not recognise stays as it came (`unrecognised`, or under `extra`), so it still takes part in a
 * comparison instead of vanishing. Pure: no I/O, no clock.
 */

type Json = Record<string, unknown>;

/** A Track API request as a fixture or a delivery plan gives it. `host` is left out where the region is not known. */
export interface TrackRequest {
  host?: string;
  method: string;
  path: string;
  body?: unknown;
}

/** Who a person operation addresses: normally exactly one key (v2 allows no more). */
export type PersonRef = Partial<Record<PersonKey, string>>;
type PersonKey = 'id' | 'email' | 'cio_id' | 'anonymous_id';
const PERSON_KEYS: readonly PersonKey[] = ['id', 'email', 'cio_id', 'anonymous_id'];

export interface ObjectRef {
  object_type_id?: string;
  object_id?: string;
}

interface Device {
  token?: string;
  platform?: unknown;
  last_used?: unknown;
  attributes: Json;
}

interface Base {
  host?: string;
  /** Body fields the canonical form has no meaning for; compared as they came. */
  extra?: Json;
}

export type Operation = Base &
  (
    | { kind: 'identify'; person: PersonRef; attributes: Json; timestamp?: unknown }
    | {
        kind: 'event' | 'page' | 'screen';
        person: PersonRef;
        name?: unknown;
        /** The dedupe id Customer.io reads (a ULID by its docs). */
        id?: unknown;
        timestamp?: unknown;
        data: Json;
      }
    | { kind: 'object-identify'; object: ObjectRef; attributes: Json }
    | { kind: 'object-delete'; object: ObjectRef }
    | { kind: 'relationship-add' | 'relationship-delete'; person: PersonRef; object: ObjectRef; attributes: Json }
    | { kind: 'device-add'; person: PersonRef; device: Device }
    | { kind: 'device-delete'; person: PersonRef; device: { token?: string } }
    | { kind: 'merge'; primary: PersonRef; secondary: PersonRef }
    | { kind: 'delete' | 'suppress' | 'unsuppress'; person: PersonRef }
    | { kind: 'unrecognised'; method: string; path: string; body?: unknown }
  );

export type OperationKind = Operation['kind'];

/** Every operation one request asks for, in the order Customer.io applies them. */
export function canonicalize(request: TrackRequest): Operation[] {
  const host = request.host;
  const method = request.method.toUpperCase();
  const body = isObject(request.body) ? request.body : {};
  const segments = pathSegments(request.path);
  const ops = segments ? route(method, segments, body) : undefined;
  const result = ops ?? [{ kind: 'unrecognised' as const, method, path: request.path, body: request.body }];
  return result.map((op) => (host === undefined ? op : { host, ...op }));
}

export function canonicalizeAll(requests: readonly TrackRequest[]): Operation[] {
  return requests.flatMap(canonicalize);
}

/**
 * A v1 path identifier, read the way Customer.io reads it (journeys-track spec: "determines the identifier type from
 * the shape of the value").
 */
export function personFromPath(segment: string): PersonRef {
  if (segment.startsWith('cio_')) return { cio_id: segment.slice('cio_'.length) };
  if (EMAIL_SHAPE.test(segment)) return { email: segment };
  return { id: segment };
}

// A dot in the domain, as the peers' own email checks (ajv's format, validator.isEmail) ask: `user@1` is an id.
const EMAIL_SHAPE = /^[^\s@]+@[^\s@.]+(\.[^\s@.]+)+$/;

/** Decoded path segments, or undefined when a segment does not decode (it then cannot name anyone). */
function pathSegments(path: string): string[] | undefined {
  const bare = path.split('?')[0] ?? '';
  try {
    return bare
      .split('/')
      .filter((s, i) => !(i === 0 && s === ''))
      .map(decodeURIComponent);
  } catch {
    return undefined;
  }
}

function route(method: string, s: string[], body: Json): Operation[] | undefined {
  const [api, version, resource, id, sub, token, ...rest] = s;
  if (api !== 'api' || rest.length > 0) return undefined;
  if (version === 'v2' && method === 'POST' && s.length === 3) {
    if (resource === 'entity') return v2Operation(body);
    // Fixtures record one item of a batch as its body; a real batch body is {batch:[…]}.
    if (resource === 'batch') return Array.isArray(body.batch) ? body.batch.flatMap(v2Item) : v2Operation(body);
    return undefined;
  }
  if (version !== 'v1') return undefined;
  if (resource === 'events' && s.length === 3 && method === 'POST') {
    const { anonymous_id, ...event } = body;
    return [v1Event(anonymous_id === undefined ? {} : { anonymous_id: String(anonymous_id) }, event)];
  }
  if (resource === 'merge_customers' && s.length === 3 && method === 'POST') {
    const { primary, secondary, ...extra } = body;
    return [withExtra({ kind: 'merge', primary: personRef(primary), secondary: personRef(secondary) }, extra)];
  }
  if (resource !== 'customers' || id === undefined || id === '') return undefined;
  const person = personFromPath(id);
  const key = `${method} ${sub ?? ''}${token === undefined ? '' : '/:token'}`;
  switch (key) {
    case 'PUT ':
      return v1Identify(person, body);
    case 'DELETE ':
      return [withExtra({ kind: 'delete', person }, body)];
    case 'POST events':
      return [v1Event(person, body)];
    case 'POST suppress':
      return [withExtra({ kind: 'suppress', person }, body)];
    case 'POST unsuppress':
      return [withExtra({ kind: 'unsuppress', person }, body)];
    case 'PUT devices': {
      const { device, ...extra } = body;
      return [withExtra({ kind: 'device-add', person, device: v1Device(device) }, extra)];
    }
    case 'DELETE devices/:token':
      return [withExtra({ kind: 'device-delete', person, device: { token } }, body)];
    default:
      return undefined;
  }
}

/** v1 identify: the body *is* the attributes, apart from the keys the spec reserves. */
function v1Identify(person: PersonRef, body: Json): Operation[] {
  const { _timestamp, cio_relationships, ...attributes } = body;
  const ops: Operation[] = [identifyOp(person, attributes, _timestamp)];
  if (cio_relationships !== undefined) {
    // v1 form: {action: add_relationships | delete_relationships, relationships: [{identifiers, relationship_attributes}]}
    const rel = isObject(cio_relationships) ? cio_relationships : {};
    const kind = rel.action === 'delete_relationships' ? 'relationship-delete' : 'relationship-add';
    for (const r of asArray(rel.relationships)) ops.push(relationship(kind, person, r, 'object'));
  }
  return ops;
}

function v1Event(person: PersonRef, body: Json): Operation {
  const { name, type, id, timestamp, data, ...extra } = body;
  const kind =
    type === 'page' || type === 'screen' ? type : type === undefined || type === 'event' ? 'event' : undefined;
  const op: Operation = {
    kind: kind ?? 'event',
    person,
    ...defined({ name, id, timestamp }),
    data: isObject(data) ? data : {},
  };
  // An unknown `type` is not silently an event: it is kept where a comparison sees it.
  return withExtra(op, kind ? extra : { ...extra, type });
}

/** v1 devices carry the token as `id`; keys beside id, platform and last_used are read as device attributes. */
function v1Device(device: unknown): Device {
  const { id, platform, last_used, attributes, ...rest } = isObject(device) ? device : {};
  return {
    ...defined({ token: id === undefined ? undefined : String(id), platform, last_used }),
    attributes: { ...rest, ...(isObject(attributes) ? attributes : {}) },
  };
}

function v2Item(item: unknown): Operation[] {
  return v2Operation(isObject(item) ? item : {});
}

function v2Operation(op: Json): Operation[] {
  const { type, action, identifiers, ...rest } = op;
  if (type === 'person') return v2Person(action, personRef(identifiers), rest, op);
  if (type === 'object') return v2Object(action, objectRef(identifiers), rest, op);
  return [{ kind: 'unrecognised', method: 'POST', path: '/api/v2', body: op }];
}

function v2Person(action: unknown, person: PersonRef, rest: Json, op: Json): Operation[] {
  switch (action) {
    case 'identify': {
      const { attributes, timestamp, cio_relationships, ...extra } = rest;
      const attrs = isObject(attributes) ? { ...attributes } : {};
      // RudderStack's v2 identify carries the v1 `_timestamp` inside attributes, where it means the same update time.
      const { _timestamp, ...plain } = attrs;
      const ops: Operation[] = [withExtra(identifyOp(person, plain, timestamp ?? _timestamp), extra)];
      for (const r of asArray(cio_relationships)) ops.push(relationship('relationship-add', person, r, 'object'));
      return ops;
    }
    case 'event':
    case 'page':
    case 'screen': {
      const { name, id, timestamp, attributes, ...extra } = rest;
      const data = isObject(attributes) ? attributes : {};
      return [withExtra({ kind: action, person, ...defined({ name, id, timestamp }), data }, extra)];
    }
    case 'add_relationships':
    case 'delete_relationships': {
      const { cio_relationships, ...extra } = rest;
      const kind = action === 'add_relationships' ? 'relationship-add' : 'relationship-delete';
      // attributes on a relationship call update nothing: Customer.io reads only the relationships.
      delete extra.attributes;
      return attach(
        asArray(cio_relationships).map((r) => relationship(kind, person, r, 'object')),
        extra,
      );
    }
    case 'add_device':
    case 'delete_device': {
      const { device, ...extra } = rest;
      const d = isObject(device) ? device : {};
      const token = d.token === undefined ? undefined : String(d.token);
      if (action === 'delete_device')
        return [withExtra({ kind: 'device-delete', person, device: defined({ token }) }, extra)];
      const { platform, last_used, attributes } = d;
      const canonical: Device = {
        ...defined({ token, platform, last_used }),
        attributes: isObject(attributes) ? attributes : {},
      };
      return [withExtra({ kind: 'device-add', person, device: canonical }, extra)];
    }
    case 'merge': {
      const { primary, secondary, ...extra } = rest;
      return [withExtra({ kind: 'merge', primary: personRef(primary), secondary: personRef(secondary) }, extra)];
    }
    case 'delete':
    case 'suppress':
    case 'unsuppress':
      return [withExtra({ kind: action, person }, rest)];
    default:
      return [{ kind: 'unrecognised', method: 'POST', path: '/api/v2', body: op }];
  }
}

function v2Object(action: unknown, object: ObjectRef, rest: Json, op: Json): Operation[] {
  const { attributes, cio_relationships, ...extra } = rest;
  const relationships = asArray(cio_relationships);
  switch (action) {
    case 'identify':
    case 'identify_anonymous': {
      const attrs = isObject(attributes) ? attributes : {};
      const ops: Operation[] = [withExtra({ kind: 'object-identify', object, attributes: attrs }, extra)];
      for (const r of relationships) ops.push(relationship('relationship-add', object, r, 'person'));
      return ops;
    }
    // A deleted object takes its relationships with it; attributes sent along change nothing.
    case 'delete':
      return [withExtra({ kind: 'object-delete', object }, extra)];
    case 'add_relationships':
    case 'delete_relationships': {
      const kind = action === 'add_relationships' ? 'relationship-add' : 'relationship-delete';
      return attach(
        relationships.map((r) => relationship(kind, object, r, 'person')),
        extra,
      );
    }
    default:
      return [{ kind: 'unrecognised', method: 'POST', path: '/api/v2', body: op }];
  }
}

/**
 * One relationship between a person and an object. `from` is the side the operation addresses; each entry of
 * `cio_relationships` names the other side (`other`).
 */
function relationship(
  kind: 'relationship-add' | 'relationship-delete',
  from: PersonRef | ObjectRef,
  entry: unknown,
  other: 'person' | 'object',
): Operation {
  const e = isObject(entry) ? entry : {};
  const attributes = isObject(e.relationship_attributes) ? e.relationship_attributes : {};
  const extra = omit(e, ['identifiers', 'relationship_attributes']);
  const op: Operation =
    other === 'object'
      ? { kind, person: from as PersonRef, object: objectRef(e.identifiers), attributes }
      : { kind, person: personRef(e.identifiers), object: from as ObjectRef, attributes };
  return withExtra(op, extra);
}

/**
 * An identify's attributes, less what only restates the identifier (an `id` or `email` attribute equal to the one
 * the person is addressed by changes nothing).
 */
function identifyOp(person: PersonRef, attributes: Json, timestamp: unknown): Operation {
  const attrs = { ...attributes };
  if (person.id !== undefined && attrs.id !== undefined && String(attrs.id) === person.id) delete attrs.id;
  if (
    person.email !== undefined &&
    typeof attrs.email === 'string' &&
    attrs.email.toLowerCase() === person.email.toLowerCase()
  ) {
    delete attrs.email;
  }
  return { kind: 'identify', person, attributes: attrs, ...defined({ timestamp }) };
}

function personRef(value: unknown): PersonRef {
  const v = isObject(value) ? value : {};
  const ref: PersonRef = {};
  for (const key of PERSON_KEYS) if (v[key] !== undefined && v[key] !== null) ref[key] = String(v[key]);
  const unknownKeys = Object.keys(v).filter((k) => !(PERSON_KEYS as readonly string[]).includes(k));
  // An identifier Customer.io does not know is still shown, not dropped.
  for (const k of unknownKeys) (ref as Record<string, string>)[k] = String(v[k]);
  return ref;
}

function objectRef(value: unknown): ObjectRef {
  const v = isObject(value) ? value : {};
  const ref: Record<string, string> = {};
  for (const [k, x] of Object.entries(v)) if (x !== undefined && x !== null) ref[k] = String(x);
  return ref;
}

function withExtra<T extends Operation>(op: T, extra: Json): T {
  const kept = Object.fromEntries(Object.entries(extra).filter(([, v]) => v !== undefined));
  return Object.keys(kept).length === 0 ? op : { ...op, extra: kept };
}

/** Extra fields of a call that fans out into several operations go on each of them, so none is lost. */
function attach(ops: Operation[], extra: Json): Operation[] {
  return ops.map((op) => withExtra(op, extra));
}

function defined<T extends Json>(fields: T): Partial<T> {
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function omit(value: Json, keys: string[]): Json {
  return Object.fromEntries(Object.entries(value).filter(([k]) => !keys.includes(k)));
}

function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
