import { chmodSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/**
 * `npm start`'s data directory, made its owner's alone before anything uses it: created (with its parents) if it does
 * not exist, mode 0700, and every file already in it 0600. It holds the secrets file, the integration store and
 * Temporal's database, which keeps every event's personal data.
 */
export function preparePrivateDataDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  // Files an earlier version left readable by others.
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.isFile()) chmodSync(join(dir, entry.name), 0o600);
  }
}
