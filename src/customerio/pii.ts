import { sha256 } from '@noble/hashes/sha2';
import { bytesToHex } from '@noble/hashes/utils';

/**
 * `hash_pii`: how personal data is shown wherever the audit views show it (search attributes, records, the Live page),
 * the way Signal hashes it. Pure JS, because the labels a run starts with are made in the workflow's terms too.
 */

const PII_KEY = /(^|_|\b)(e-?mail|phone|mobile|ip)$/i;
const EMAIL = /^[^\s@]+@[^\s@]+$/;

/** `sha256:<hex>` of the trimmed, lower-cased value: the same person hashes the same way everywhere. */
export function hashPiiValue(value: string): string {
  return `sha256:${bytesToHex(sha256(new TextEncoder().encode(value.trim().toLowerCase())))}`;
}

/** Hashes personal fields (emails, phone numbers, IPs) wherever they sit in a value. */
export function hashPiiFields(value: unknown, key = ''): unknown {
  if (Array.isArray(value)) return value.map((v) => hashPiiFields(v, key));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, hashPiiFields(v, k)]));
  }
  if (typeof value === 'string' && (PII_KEY.test(key) || EMAIL.test(value))) return hashPiiValue(value);
  return value;
}

/**
 * Replaces each of `secrets` (as written, and as it appears URL-encoded in paths) with its hash, wherever it occurs
 * inside strings of `value`: URLs, paths and messages that quote a customer id.
 */
export function hashPiiMentions(value: unknown, secrets: readonly string[]): unknown {
  const forms = secrets
    .filter((s) => s.length > 0)
    .flatMap((s) => [
      [s, hashPiiValue(s)],
      [encodeURIComponent(s), hashPiiValue(s)],
    ])
    .sort((a, b) => b[0]!.length - a[0]!.length);
  const replace = (text: string) => forms.reduce((t, [from, to]) => t.split(from!).join(to!), text);
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return replace(v);
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
    return v;
  };
  return forms.length === 0 ? value : walk(value);
}
