import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { generateToken } from '../store/access-tokens';

export interface LocalSecrets {
  ENCRYPTION_KEY: string;
  SIGNAL_ADMIN_TOKEN: string;
  SIGNAL_PIPELINE_KEY: string;
}

/**
 * For `npm start` only: secrets not set in the environment are generated on first run and kept in a file readable by
 * its owner alone (mode 0600), so the admin token and stored credentials survive a restart.
 */
type SecretSource = 'environment' | 'file' | 'generated';

export function loadOrCreateLocalSecrets(
  file: string,
  env: NodeJS.ProcessEnv,
): { secrets: LocalSecrets; sources: Record<keyof LocalSecrets, SecretSource>; generated: (keyof LocalSecrets)[] } {
  const stored: Partial<LocalSecrets> = existsSync(file)
    ? (JSON.parse(readFileSync(file, 'utf8')) as Partial<LocalSecrets>)
    : {};
  const sources = {} as Record<keyof LocalSecrets, SecretSource>;
  const pick = (key: keyof LocalSecrets, make: () => string): string => {
    const given = env[key] || stored[key];
    sources[key] = env[key] ? 'environment' : stored[key] ? 'file' : 'generated';
    return given ?? (stored[key] = make());
  };
  const secrets: LocalSecrets = {
    ENCRYPTION_KEY: pick('ENCRYPTION_KEY', () => randomBytes(32).toString('base64')),
    SIGNAL_ADMIN_TOKEN: pick('SIGNAL_ADMIN_TOKEN', () => generateToken('api_token', 'admin_')),
    SIGNAL_PIPELINE_KEY: pick('SIGNAL_PIPELINE_KEY', () => generateToken('pipeline_key')),
  };
  const generated = (Object.keys(sources) as (keyof LocalSecrets)[]).filter((key) => sources[key] === 'generated');
  if (generated.length > 0) {
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    writeFileSync(file, JSON.stringify(stored, null, 2) + '\n', { mode: 0o600 });
  }
  if (existsSync(file)) chmodSync(file, 0o600);
  return { secrets, sources, generated };
}
