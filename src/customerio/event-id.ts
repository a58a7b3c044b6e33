import { sha256 } from '@noble/hashes/sha2';

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const MAX_ULID_TIME = 2 ** 48 - 1;

/**
 * The Customer.io event `id`: a ULID whose time part is the event time and whose 80 "random" bits are
 * the head of SHA-256(integration id, message id). The same delivery always yields the same id, so a retried,
 * re-run or replayed POST is deduplicated by Customer.io instead of firing a campaign twice.
 * Pure JS (no node:crypto) because it runs inside the workflow sandbox.
 */
export function deliveryEventId(integrationId: string, messageId: string, eventTimeMs: number): string {
  const time = Math.min(Math.max(Math.floor(eventTimeMs), 0), MAX_ULID_TIME);
  const digest = sha256(new TextEncoder().encode(`${integrationId}\n${messageId}`));
  return encodeTime(time) + encodeBits(digest.subarray(0, 10));
}

function encodeTime(time: number): string {
  let out = '';
  let rest = time;
  for (let i = 0; i < 10; i++) {
    out = CROCKFORD[rest % 32] + out;
    rest = Math.floor(rest / 32);
  }
  return out;
}

/** 80 bits → 16 base32 characters, most significant bit first. */
function encodeBits(bytes: Uint8Array): string {
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out += CROCKFORD[(buffer >> bits) & 31];
    }
    buffer &= (1 << bits) - 1;
  }
  return out;
}

export const ULID_PATTERN = /^[0-7][0-9A-HJKMNP-TV-Z]{25}$/;
