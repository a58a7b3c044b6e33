import type { Operation } from './canonical';

/** One field on which two canonical request lists disagree. `field` is `<kind>.<path>`, e.g. `identify.attributes.plan`. */
export interface FieldDiff {
  field: string;
  ours: unknown;
  peer: unknown;
}

/**
 * Where the project's operations and a peer's differ. Operations are paired by kind (several of one kind, such as
 * relationships, by whom they address, since their order means nothing), then compared field by field; an operation
 * only one side sends is a difference on `<kind>` itself.
 */
export function diffOperations(ours: readonly Operation[], peer: readonly Operation[]): FieldDiff[] {
  const diffs: FieldDiff[] = [];
  const kinds = [...new Set([...ours, ...peer].map((op) => op.kind))];
  for (const kind of kinds) {
    const a = sortByAddressee(ours.filter((op) => op.kind === kind));
    const b = sortByAddressee(peer.filter((op) => op.kind === kind));
    for (let i = 0; i < Math.max(a.length, b.length); i++) {
      const x = a[i];
      const y = b[i];
      if (x === undefined || y === undefined) {
        diffs.push({ field: kind, ours: x === undefined ? undefined : summary(x), peer: y && summary(y) });
        continue;
      }
      const a2 = omitKind(x);
      const b2 = omitKind(y);
      // Who an operation addresses is one fact: {cio_id: "x"} against {id: "cio_x"} is one difference, not two.
      for (const key of ADDRESS_KEYS) {
        if (key in a2 || key in b2) {
          if (stable(a2[key]) !== stable(b2[key]))
            diffs.push({ field: `${kind}.${key}`, ours: a2[key], peer: b2[key] });
          delete a2[key];
          delete b2[key];
        }
      }
      diffValues(a2, b2, kind, diffs);
    }
  }
  return diffs;
}

const ADDRESS_KEYS = ['person', 'object', 'primary', 'secondary'] as const;

/** JSON with sorted keys, so equal identifier sets compare equal whatever their key order. */
function stable(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) =>
    isObject(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b))) : v,
  );
}

/** Deep comparison: objects key by key (absent and undefined are the same), arrays index by index. */
export function diffValues(ours: unknown, peer: unknown, path: string, out: FieldDiff[] = []): FieldDiff[] {
  if (isObject(ours) && isObject(peer)) {
    const keys = [...new Set([...Object.keys(ours), ...Object.keys(peer)])].sort();
    for (const key of keys) diffValues(ours[key], peer[key], `${path}.${key}`, out);
  } else if (Array.isArray(ours) && Array.isArray(peer)) {
    for (let i = 0; i < Math.max(ours.length, peer.length); i++) diffValues(ours[i], peer[i], `${path}[${i}]`, out);
  } else if (!Object.is(ours, peer)) {
    out.push({ field: path, ours, peer });
  }
  return out;
}

/** `<kind> <addressee>`: how an operation is named in a report. */
export function summary(op: Operation): string {
  return `${label(op)} ${addressee(op)}`;
}

function label(op: Operation): string {
  if ((op.kind === 'event' || op.kind === 'page' || op.kind === 'screen') && isAnonymous(op.person)) {
    return `anonymous ${op.kind}`;
  }
  return op.kind;
}

function isAnonymous(person: Record<string, unknown>): boolean {
  return Object.keys(person).length === 1 && person.anonymous_id !== undefined;
}

function addressee(op: Operation): string {
  switch (op.kind) {
    case 'merge':
      return `${stable(op.primary)}←${stable(op.secondary)}`;
    case 'object-identify':
    case 'object-delete':
      return stable(op.object);
    case 'relationship-add':
    case 'relationship-delete':
      return `${stable(op.person)}↔${stable(op.object)}`;
    case 'unrecognised':
      return `${op.method} ${op.path}`;
    default:
      return stable(op.person);
  }
}

function sortByAddressee(ops: Operation[]): Operation[] {
  return [...ops].sort((a, b) => addressee(a).localeCompare(addressee(b)));
}

function omitKind(op: Operation): Record<string, unknown> {
  const { kind: _kind, ...rest } = op;
  return rest;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
