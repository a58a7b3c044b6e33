import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import SwaggerParser from '@apidevtools/swagger-parser';
import { ERROR_CODES } from '../../src/api/error-codes';
import { type DeliveryHarness, startDeliveryHarness } from '../support/delivery-harness';
import { httpClient } from '../support/http';

const ROOT = resolve(__dirname, '../..');
const README = readFileSync(join(ROOT, 'README.md'), 'utf8');

interface Operation {
  security?: Record<string, string[]>[];
  requestBody?: { content: Record<string, { schema: Record<string, unknown> }> };
  responses: Record<string, unknown>;
}
type OpenApi = {
  openapi: string;
  paths: Record<string, Record<string, Operation>>;
  components: { securitySchemes: Record<string, { type: string; scheme: string }>; schemas: Record<string, unknown> };
};

/** `/v1/admin/integrations/:id` and `/v1/admin/integrations/{id}` alike: parameters are placeholders. */
const shape = (path: string) => path.replace(/\{[^}]+\}|:[A-Za-z_]+/g, '{}');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sourceFiles(path) : path.endsWith('.ts') ? [path] : [];
  });
}

describe('OpenAPI document', () => {
  let h: DeliveryHarness;
  const responses: string[] = [];
  const call = httpClient(() => h.baseUrl, responses);
  let doc: OpenApi;

  beforeAll(async () => {
    h = await startDeliveryHarness({ api: true });
    const res = await call('GET', '/openapi.json');
    expect(res.status).toBe(200);
    doc = res.body;
  });
  afterAll(() => h.close());

  test('is a valid OpenAPI 3.1 document', async () => {
    expect(doc.openapi).toBe('3.1.0');
    await expect(SwaggerParser.validate(structuredClone(doc) as never)).resolves.toBeDefined();
  });

  test('has every route the README names, each with its auth scheme', () => {
    const documented = new Set(
      Object.entries(doc.paths).flatMap(([path, ops]) =>
        Object.keys(ops).map((m) => `${m.toUpperCase()} ${shape(path)}`),
      ),
    );
    // Each `METHOD /path` the README shows; in its Management API table `…` stands for /v1/admin.
    const apiSection = README.slice(
      README.indexOf('## Management API'),
      README.indexOf('\n## ', README.indexOf('## Management API') + 1),
    );
    const named: string[] = [];
    for (const text of [README, apiSection]) {
      const pattern =
        text === README
          ? /`((?:GET|POST|PATCH|DELETE)(?:\/(?:GET|POST))?) (\/v1\/[^\s`?[]*)/g
          : /`((?:GET|POST|PATCH|DELETE)(?:\/(?:GET|POST))?) (…\/[^\s`?[]*)/g;
      for (const m of text.matchAll(pattern)) {
        const path = m[2]!.replace(/^…/, '/v1/admin').replace('/customer_io', '/{key}').replace(/\/$/, '');
        for (const method of m[1]!.split('/')) named.push(`${method} ${shape(path)}`);
      }
    }
    expect(named.length).toBeGreaterThan(20);
    expect(named.filter((route) => !documented.has(route))).toEqual([]);

    expect(doc.components.securitySchemes).toMatchObject({
      adminToken: { type: 'http', scheme: 'bearer' },
      pipelineKey: { type: 'http', scheme: 'bearer' },
    });
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const op of Object.values(ops)) {
        if (path.startsWith('/v1/admin/')) expect(op.security).toEqual([{ adminToken: [] }]);
        else if (path.startsWith('/v1/')) expect(op.security).toEqual([{ pipelineKey: [] }]);
        else expect(op.security).toBeUndefined();
      }
    }
  });

  test('lists every error code the service can answer with, and every route answers errors in the envelope', () => {
    const thrown = new Set<string>();
    for (const file of sourceFiles(join(ROOT, 'src'))) {
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(/AppError\(\s*[^,]+,\s*'([A-Z_]+)'|conflict\(\s*'([A-Z_]+)'/g))
        thrown.add((m[1] ?? m[2])!);
    }
    expect(thrown.size).toBeGreaterThan(15);
    expect([...thrown].filter((code) => !(code in ERROR_CODES))).toEqual([]);
    const text = JSON.stringify(doc);
    expect(Object.keys(ERROR_CODES).filter((code) => !text.includes(`${code} (`))).toEqual([]);
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        if (path === '/metrics' || path.startsWith('/live')) continue;
        expect([`${method} ${path}`, Object.keys(op.responses)]).toEqual([
          `${method} ${path}`,
          expect.arrayContaining(['4XX', '5XX']),
        ]);
      }
    }
  });

  test("carries the README's request bodies as examples of their routes", () => {
    const curls = [...README.matchAll(/curl -X (POST|PATCH) http:\/\/localhost:8084(\S+)[\s\S]*?-d '([^']+)'/g)];
    expect(curls.length).toBeGreaterThanOrEqual(2);
    for (const [, method, path, body] of curls as unknown as [string, string, string, string][]) {
      const entry = Object.entries(doc.paths).find(([p]) => shape(p) === shape(path.replace('customer_io', '{key}')));
      const op = entry?.[1][method!.toLowerCase()];
      const schema = op?.requestBody?.content['application/json']?.schema;
      const resolved = (
        schema && '$ref' in schema ? doc.components.schemas[String(schema.$ref).split('/').pop()!] : schema
      ) as { examples?: unknown[] } | undefined;
      expect([method, path, resolved?.examples]).toEqual([method, path, expect.arrayContaining([JSON.parse(body!)])]);
    }
  });

  test('a browsable reference is served at /docs', async () => {
    const page = await call('GET', '/docs/static/index.html');
    expect(page.status).toBe(200);
    expect(page.text).toContain('swagger');
  });
});
