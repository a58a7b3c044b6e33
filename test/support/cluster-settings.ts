import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

const ROOT = resolve(__dirname, '../..');

/** deploy/temporal/cluster.env as bash and docker-compose read it: KEY=value lines, # comments, nothing quoted. */
export function clusterSettings(): Record<string, string> {
  const text = readFileSync(resolve(ROOT, 'deploy/temporal/cluster.env'), 'utf8');
  return Object.fromEntries(
    text
      .split('\n')
      .filter((line) => /^[A-Z][A-Z0-9_]*=/.test(line))
      .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
  );
}
