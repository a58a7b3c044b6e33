import { mkdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Client } from 'undici';
import { type DeliveryHarness, startDeliveryHarness } from '../support/delivery-harness';
import {
  type HostileCase,
  hostileCases,
  type HostileOutcome,
  hostileProblems,
  sendHostileCase,
} from '../support/hostile-cases';
import { httpClient } from '../support/http';

/**
 * Requests a careless client, a curious viewer and an attacker would send, generated across every route and sent over
 * real HTTP with their paths exactly as written (undici's Client does not normalise `..` or percent-encodings the way
 * fetch does). Whatever the request, the answer is never a 5xx, every 4xx is the JSON error envelope, and no secret the
 * service holds, nor the token the request itself sent, appears in any answer. The cases live in
 * test/support/hostile-cases.ts; test/cluster/hostile-production.test.ts sends them to the production layout too.
 */

describe('hostile inputs across every route', () => {
  let h: DeliveryHarness;
  let http: Client;
  let viewer: string;
  let editor: string;
  let issuedKey: string;
  let integrationId: string;
  let tokenId: string;
  const appKey = 'hostile-app-key-4f1c2a9e';
  const creds = { siteId: 'hostile-site', apiKey: 'hostile-track-key-7d3e5b1a' };
  const counts = new Map<number, number>();
  const failures: string[] = [];

  beforeAll(async () => {
    // Limits far above what the cases send: the point is how each request is answered, not the rate limiter's 429.
    h = await startDeliveryHarness({
      api: true,
      rateLimits: { adminPerSecond: 100_000, intakePerSecond: 100_000, authFailuresPerMinute: 100_000 },
    });
    h.us.acceptCredentials(creds);
    const installed = await h.installThroughApi({ name: 'Hostile target', credentials: creds, appKey });
    expect(installed.status).toBe(201);
    integrationId = installed.body.id;
    const call = httpClient(() => h.baseUrl);
    const v = await call('POST', '/v1/admin/tokens', { token: h.adminToken, body: { name: 'viewer', role: 'viewer' } });
    const e = await call('POST', '/v1/admin/tokens', { token: h.adminToken, body: { name: 'editor', role: 'editor' } });
    const k = await call('POST', '/v1/admin/pipeline-keys', { token: h.adminToken, body: { name: 'hostile' } });
    [viewer, editor, issuedKey, tokenId] = [v.body.token, e.body.token, k.body.key, v.body.id];
    http = new Client(h.baseUrl, { pipelining: 1, bodyTimeout: 10_000, headersTimeout: 10_000 });
  });
  afterAll(async () => {
    await http?.close();
    await h.close();
  });

  /** Every secret the service holds or issued: none may appear in any answer. */
  const secrets = () => [h.adminToken, h.pipelineKey, h.encryptionKey, viewer, editor, issuedKey, appKey, creds.apiKey];

  function cases(): HostileCase[] {
    return hostileCases({
      adminToken: h.adminToken,
      pipelineKey: h.pipelineKey,
      viewer,
      editor,
      integrationId,
      tokenId,
    });
  }

  const send = (c: HostileCase): Promise<HostileOutcome> => sendHostileCase(http, h.baseUrl, c);

  test('at least 300 hostile requests: no 5xx, every 4xx the JSON envelope, no secret in any answer', async () => {
    const all = cases();
    expect(all.length).toBeGreaterThanOrEqual(300);
    const known = secrets();
    for (const c of all) {
      let outcome: HostileOutcome;
      try {
        outcome = await send(c);
      } catch (err) {
        failures.push(`${c.name}: no answer (${(err as Error).message})`);
        continue;
      }
      counts.set(outcome.status, (counts.get(outcome.status) ?? 0) + 1);
      const problems = hostileProblems(c, outcome, known);
      if (problems.length > 0) failures.push(`${c.method} ${c.path.slice(0, 120)} (${c.name}): ${problems.join('; ')}`);
    }

    const table = [...counts.entries()].sort(([a], [b]) => a - b);
    const summary = `${all.length} hostile requests; answers by status: ${table.map(([s, n]) => `${s}: ${n}`).join(', ')}`;
    console.warn(summary);
    mkdirSync(resolve(__dirname, '../../test-results'), { recursive: true });
    writeFileSync(
      resolve(__dirname, '../../test-results/hostile-inputs.json'),
      JSON.stringify({ cases: all.length, byStatus: Object.fromEntries(table), failures }, null, 2) + '\n',
    );
    expect(failures).toEqual([]);
    expect(table.filter(([s]) => s >= 500)).toEqual([]);
  });
});
