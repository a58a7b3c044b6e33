import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

export interface LocalSecrets {
  ENCRYPTION_KEY: string;
  SIGNAL_ADMIN_TOKEN: string;
  SIGNAL_PIPELINE_KEY: string;
}

/**
 * For `npm start` only: secrets not set in the environment are generated on first run and kept in a file readable by
 * its owner alone (mode 0600), so the admin token and stored credentials survive a restart.
 */
export function loadOrCreateLocalSecrets(file: string, env: NodeJS.ProcessEnv): { secrets: LocalSecrets; generated: (keyof LocalSecrets)[] } {
  const stored: Partial<LocalSecrets> = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Partial<LocalSecrets>) : {};
  const generated: (keyof LocalSecrets)[] = [];
  const pick = (key: keyof LocalSecrets, make: () => string): string => {
    if (env[key]) return env[key]!;
    if (stored[key]) return stored[key]!;
    generated.push(key);
    return (stored[key] = make());
  };
  const secrets: LocalSecrets = {
    ENCRYPTION_KEY: pick('ENCRYPTION_KEY', () => randomBytes(32).toString('base64')),
    SIGNAL_ADMIN_TOKEN: pick('SIGNAL_ADMIN_TOKEN', () => `sio_admin_${randomBytes(24).toString('base64url')}`),
    SIGNAL_PIPELINE_KEY: pick('SIGNAL_PIPELINE_KEY', () => `dk_live_${randomBytes(24).toString('base64url')}`),
  };
  if (generated.length > 0) {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, JSON.stringify(stored, null, 2) + '\n', { mode: 0o600 });
  }
  if (existsSync(file)) chmodSync(file, 0o600);
  return { secrets, generated };
}
