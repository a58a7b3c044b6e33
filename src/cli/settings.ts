import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { DATA_FILES, DEFAULT_DATA_DIR, DEFAULT_PORT } from '../config';
import type { LocalSecrets } from '../local/secrets';
import { type COMMON_FLAGS, type FlagValues, UsageError } from './args';

export interface Connection {
  apiUrl: string;
  token: string;
}

/**
 * Where the management API is and which token to send: `--api-url`, else SIGNAL_API_URL, else
 * http://127.0.0.1:$PORT (8084); `--token`, else SIGNAL_ADMIN_TOKEN, else the one `npm start` keeps in
 * $SIGNAL_DATA_DIR/local-secrets.json (./data). The token itself never appears in a message.
 */
export function resolveConnection(
  flags: FlagValues<typeof COMMON_FLAGS>,
  env: NodeJS.ProcessEnv,
  cwd: string,
  command?: string,
): Connection {
  const rawUrl =
    flags['api-url'] ?? (env.SIGNAL_API_URL || undefined) ?? `http://127.0.0.1:${env.PORT || DEFAULT_PORT}`;
  let url: URL;
  try {
    url = new URL(rawUrl);
  } catch {
    throw new UsageError(
      `the API URL '${rawUrl}' is not a URL (expected e.g. http://127.0.0.1:${DEFAULT_PORT})`,
      command,
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new UsageError(`the API URL must be http:// or https:// (got '${rawUrl}')`, command);
  const apiUrl = url.toString().replace(/\/+$/, '');

  const token = flags.token ?? (env.SIGNAL_ADMIN_TOKEN || undefined) ?? tokenFromLocalSecrets(env, cwd);
  if (!token) {
    throw new UsageError(
      `no admin token: pass --token, set SIGNAL_ADMIN_TOKEN, or run npm start once (it keeps one in ${secretsFile(env, cwd)})`,
      command,
    );
  }
  return { apiUrl, token };
}

function secretsFile(env: NodeJS.ProcessEnv, cwd: string): string {
  return resolve(cwd, env.SIGNAL_DATA_DIR || DEFAULT_DATA_DIR, DATA_FILES.secrets);
}

function tokenFromLocalSecrets(env: NodeJS.ProcessEnv, cwd: string): string | undefined {
  const file = secretsFile(env, cwd);
  if (!existsSync(file)) return undefined;
  let stored: Partial<LocalSecrets>;
  try {
    stored = JSON.parse(readFileSync(file, 'utf8')) as Partial<LocalSecrets>;
  } catch (err) {
    // Not the parser's message: it quotes the file's text, which holds secrets.
    const code = (err as NodeJS.ErrnoException).code;
    throw new UsageError(`cannot read ${file}: ${code ? code : 'it is not valid JSON'}`);
  }
  return typeof stored.SIGNAL_ADMIN_TOKEN === 'string' && stored.SIGNAL_ADMIN_TOKEN !== ''
    ? stored.SIGNAL_ADMIN_TOKEN
    : undefined;
}
