import { request } from 'undici';
import { PRODUCT_PAGE_INSTALL } from '../../src/api/schemas/integrations';
import { type DeliveryHarness, startDeliveryHarness } from '../support/delivery-harness';
import { expectRateLimited, httpClient, type HttpResult } from '../support/http';

describe('management API', () => {
  let h: DeliveryHarness;
  const responses: string[] = [];
  const call = httpClient(() => h.baseUrl, responses);
  const admin = () => h.adminToken;
  let trackKey = 0;
  /** A fresh install body with its own name and credentials, accepted by the fake of its region. */
  const installBody = (over: Record<string, unknown> = {}, region: 'us' | 'eu' = 'us') => {
    const creds = { siteId: `site-${++trackKey}`, apiKey: `track-secret-${trackKey}-${Date.now()}` };
    (region === 'us' ? h.us : h.eu).acceptCredentials(...[...accepted[region], creds]);
    accepted[region].push(creds);
    return {
      name: `Customer.io ${trackKey} ${Date.now()}`,
      variant: 'default',
      config: { site_id: creds.siteId, api_key: `app-secret-${trackKey}`, tracking_api_key: creds.apiKey, region },
      delivery_mode: 'server_side',
      ...over,
    };
  };
  const accepted: Record<'us' | 'eu', { siteId: string; apiKey: string }[]> = { us: [], eu: [] };

  beforeAll(async () => {
    h = await startDeliveryHarness({ api: true });
  });
  afterAll(() => h.close());

  describe('install', () => {
    test("the product page's curl body installs: 201, secrets masked, credentials verified with Customer.io", async () => {
      h.us.acceptCredentials({ siteId: 'abc123def456', apiKey: 'xxxxxxxxxxxxxxxxxxxx' });
      accepted.us.push({ siteId: 'abc123def456', apiKey: 'xxxxxxxxxxxxxxxxxxxx' });
      h.us.clear();
      const res = await call('POST', '/v1/admin/integration-catalog/customer_io/install', {
        token: admin(),
        body: PRODUCT_PAGE_INSTALL,
      });
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({
        id: expect.stringMatching(/^int_/),
        name: 'Customer.io',
        vendor: 'customer_io',
        variant: 'default',
        delivery_mode: 'server_side',
        enabled: true,
        config: {
          site_id: 'abc123def456',
          region: 'us',
          api_key: '********',
          tracking_api_key: '********',
          consent_categories: ['marketing'],
          hash_pii: false,
          retry_window_hours: 24,
        },
        revision: { id: expect.stringMatching(/^rev_/), revision_number: 1 },
        created_at: expect.any(String),
      });
      expect(res.text).not.toContain('xxxxxxxxxxxxxxxxxxxx');
      const [check] = h.us.requests;
      expect(check).toMatchObject({ method: 'GET', path: '/api/v1/accounts/region', authorized: true });
      expect(check!.headers.authorization).toBe(
        `Basic ${Buffer.from('abc123def456:xxxxxxxxxxxxxxxxxxxx').toString('base64')}`,
      );

      const fetched = await call('GET', `/v1/admin/integrations/${res.body.id}`, { token: admin() });
      expect(fetched.status).toBe(200);
      expect(fetched.body.config.tracking_api_key).toBe('********');
    });

    test('a duplicate name is 409', async () => {
      const body = installBody();
      expect(
        (await call('POST', '/v1/admin/integration-catalog/customer_io/install', { token: admin(), body })).status,
      ).toBe(201);
      const again = await call('POST', '/v1/admin/integration-catalog/customer_io/install', { token: admin(), body });
      expect(again.status).toBe(409);
      expect(again.body.error.code).toBe('DUPLICATE_NAME');
    });

    test('invalid fields are 422, each named', async () => {
      const res = await call('POST', '/v1/admin/integration-catalog/customer_io/install', {
        token: admin(),
        body: {
          name: 'x',
          variant: 'nope',
          config: { api_key: 'a', region: 'mars', colour: 'red' },
          delivery_mode: 'pigeon',
          extra: 1,
        },
      });
      expect(res.status).toBe(422);
      expect(res.body.error.code).toBe('VALIDATION_FAILED');
      const fields = res.body.error.details.map((d: { field: string }) => d.field);
      expect(fields).toEqual(expect.arrayContaining(['extra']));
      const second = await call('POST', '/v1/admin/integration-catalog/customer_io/install', {
        token: admin(),
        body: {
          name: 'x',
          variant: 'nope',
          config: { api_key: 'a', region: 'mars', colour: 'red' },
          delivery_mode: 'pigeon',
        },
      });
      const secondFields = second.body.error.details.map((d: { field: string }) => d.field);
      expect(secondFields).toEqual(
        expect.arrayContaining([
          'variant',
          'delivery_mode',
          'config.site_id',
          'config.tracking_api_key',
          'config.region',
          'config.colour',
        ]),
      );
      expect(second.body.error.details.find((d: { field: string }) => d.field === 'config.region').message).toMatch(
        /"us" or "eu"/,
      );
    });

    test('an unknown vendor is 404', async () => {
      const res = await call('POST', '/v1/admin/integration-catalog/mailchimp/install', {
        token: admin(),
        body: installBody(),
      });
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe('VENDOR_NOT_FOUND');
    });

    test('credentials Customer.io rejects are 422 INVALID_CREDENTIALS', async () => {
      const body = installBody();
      (body.config as Record<string, string>).tracking_api_key = 'wrong-key';
      const res = await call('POST', '/v1/admin/integration-catalog/customer_io/install', { token: admin(), body });
      expect(res.status).toBe(422);
      expect(res.body.error.code).toBe('INVALID_CREDENTIALS');
      expect(res.body.error.message).toContain('Settings > API Credentials');
      expect(
        (await call('GET', '/v1/admin/integrations?limit=100', { token: admin() })).body.data.map(
          (i: { name: string }) => i.name,
        ),
      ).not.toContain(body.name);
    });

    test('an account of the other region is 422 REGION_MISMATCH naming the region to set', async () => {
      const body = installBody({}, 'eu');
      (body.config as Record<string, string>).region = 'us';
      // Customer.io answers the region check on either host with the account's real region.
      h.us.acceptCredentials(...accepted.us, {
        siteId: (body.config as Record<string, string>).site_id!,
        apiKey: (body.config as Record<string, string>).tracking_api_key!,
        region: 'eu',
      });
      const res = await call('POST', '/v1/admin/integration-catalog/customer_io/install', { token: admin(), body });
      expect(res.status).toBe(422);
      expect(res.body.error.code).toBe('REGION_MISMATCH');
      expect(res.body.error.message).toContain('set region to "eu"');
    });

    test('unknown JSON, wrong content type and unknown routes get JSON errors', async () => {
      const malformed = await call('POST', '/v1/admin/integration-catalog/customer_io/install', {
        token: admin(),
        raw: '{"name": "x",',
      });
      expect(malformed.status).toBe(400);
      expect(malformed.body.error.code).toBe('MALFORMED_JSON');
      const text = await call('POST', '/v1/admin/integration-catalog/customer_io/install', {
        token: admin(),
        raw: 'name=x',
        headers: { 'content-type': 'text/plain' },
      });
      expect(text.status).toBe(415);
      expect(text.body.error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
      const nowhere = await call('GET', '/v1/admin/nowhere', { token: admin() });
      expect(nowhere.status).toBe(404);
      expect(nowhere.body.error.code).toBe('NOT_FOUND');
    });
  });

  describe('auth and roles', () => {
    test('a missing or wrong token is 401', async () => {
      const none = await call('GET', '/v1/admin/integrations');
      expect(none.status).toBe(401);
      expect(none.body.error.code).toBe('UNAUTHORIZED');
      const wrong = await call('GET', '/v1/admin/integrations', { token: 'sio_not-a-token' });
      expect(wrong.status).toBe(401);
    });

    test('a viewer reads but cannot install (403); a revoked token stops working', async () => {
      const created = await call('POST', '/v1/admin/tokens', {
        token: admin(),
        body: { name: 'dashboard', role: 'viewer' },
      });
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({
        id: expect.stringMatching(/^tok_/),
        name: 'dashboard',
        role: 'viewer',
        token: expect.stringMatching(/^sio_/),
      });
      const viewer = created.body.token as string;
      expect((await call('GET', '/v1/admin/integrations', { token: viewer })).status).toBe(200);
      expect((await call('GET', '/v1/admin/integration-catalog', { token: viewer })).status).toBe(200);
      const install = await call('POST', '/v1/admin/integration-catalog/customer_io/install', {
        token: viewer,
        body: installBody(),
      });
      expect(install.status).toBe(403);
      expect(install.body.error.code).toBe('FORBIDDEN');
      expect(install.body.error.message).toContain('editor');
      expect(
        (await call('POST', '/v1/admin/tokens', { token: viewer, body: { name: 'x', role: 'admin' } })).status,
      ).toBe(403);

      const listed = await call('GET', '/v1/admin/tokens', { token: admin() });
      expect(listed.text).not.toContain(viewer);
      expect(listed.body.data.find((t: { id: string }) => t.id === created.body.id)).toMatchObject({
        token_prefix: viewer.slice(0, 8),
      });

      expect((await call('DELETE', `/v1/admin/tokens/${created.body.id}`, { token: admin() })).status).toBe(204);
      expect((await call('GET', '/v1/admin/integrations', { token: viewer })).status).toBe(401);
      expect((await call('DELETE', `/v1/admin/tokens/${created.body.id}`, { token: admin() })).status).toBe(404);
    });

    test('an editor installs and updates but cannot delete', async () => {
      const editor = (await call('POST', '/v1/admin/tokens', { token: admin(), body: { name: 'ops', role: 'editor' } }))
        .body.token as string;
      const installed = await call('POST', '/v1/admin/integration-catalog/customer_io/install', {
        token: editor,
        body: installBody(),
      });
      expect(installed.status).toBe(201);
      expect(
        (
          await call('PATCH', `/v1/admin/integrations/${installed.body.id}`, {
            token: editor,
            body: { enabled: false },
          })
        ).status,
      ).toBe(200);
      expect((await call('DELETE', `/v1/admin/integrations/${installed.body.id}`, { token: editor })).status).toBe(403);
      expect((await call('DELETE', `/v1/admin/integrations/${installed.body.id}`, { token: admin() })).status).toBe(
        204,
      );
      expect((await call('GET', `/v1/admin/integrations/${installed.body.id}`, { token: admin() })).status).toBe(404);
    });

    test('token creation is validated', async () => {
      const res = await call('POST', '/v1/admin/tokens', { token: admin(), body: { name: '', role: 'owner' } });
      expect(res.status).toBe(422);
      expect(res.body.error.details.map((d: { field: string }) => d.field)).toEqual(
        expect.arrayContaining(['name', 'role']),
      );
    });
  });

  describe('security headers', () => {
    const API_CSP = "default-src 'none';frame-ancestors 'none'";
    const expectHardened = (res: HttpResult) => {
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('content-security-policy')).toBe(API_CSP);
      expect(res.headers.get('x-frame-options')).toBe('DENY');
      expect(res.headers.get('referrer-policy')).toBe('no-referrer');
      expect(res.headers.get('cross-origin-resource-policy')).toBe('same-origin');
    };

    test('JSON answers, 404s and errors all say nosniff and carry the API policy', async () => {
      const health = await call('GET', '/healthz');
      expect(health.status).toBe(200);
      expectHardened(health);
      const list = await call('GET', '/v1/admin/integrations', { token: admin() });
      expect(list.status).toBe(200);
      expectHardened(list);
      expect(list.headers.get('x-ratelimit-limit')).toBe('100'); // the default 50 per second, bursts of twice that
      const nowhere = await call('GET', '/nowhere');
      expect(nowhere.status).toBe(404);
      expect(nowhere.body.error.code).toBe('NOT_FOUND');
      expectHardened(nowhere);
      const unauthorized = await call('GET', '/v1/admin/integrations');
      expect(unauthorized.status).toBe(401);
      expectHardened(unauthorized);
      const malformed = await call('POST', '/v1/admin/integration-catalog/customer_io/install', {
        token: admin(),
        raw: '{"name": ',
      });
      expect(malformed.status).toBe(400);
      expectHardened(malformed);
      const invalid = await call('POST', '/v1/admin/integration-catalog/customer_io/install', {
        token: admin(),
        body: {},
      });
      expect(invalid.status).toBe(422);
      expectHardened(invalid);
    });

    test('the Live Events page carries one Content-Security-Policy, its own, with no inline script or style', async () => {
      const res = await request(`${h.baseUrl}/live`);
      const html = await res.body.text();
      expect(res.statusCode).toBe(200);
      // Its script and style are files of their own: nothing inline for the policy to allow.
      expect(html).toContain('<script src="/live/app.js" defer></script>');
      expect(html).toContain('<link rel="stylesheet" href="/live/app.css">');
      expect(html).not.toMatch(/<script>|<style>|\son[a-z]+=|\sstyle=/);
      const csp = res.headers['content-security-policy'];
      expect(typeof csp).toBe('string'); // an array would mean the header was sent twice
      const directives = (policy: string) =>
        policy
          .split(';')
          .map((d) => d.trim())
          .filter(Boolean)
          .sort();
      expect(directives(csp as string)).toEqual(
        directives(
          "default-src 'self'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
        ),
      );
      expect(csp).not.toContain('unsafe-inline');
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['x-frame-options']).toBe('DENY');
      expect(res.headers['cache-control']).toBe('no-store');

      for (const [path, type, sample] of [
        ['/live/app.js', 'text/javascript; charset=utf-8', "const TOKEN_KEY = 'signal-live-token';"],
        ['/live/app.css', 'text/css; charset=utf-8', '#token-form'],
      ] as const) {
        const asset = await request(`${h.baseUrl}${path}`);
        expect(asset.statusCode).toBe(200);
        expect(asset.headers['content-type']).toBe(type);
        expect(asset.headers['x-content-type-options']).toBe('nosniff');
        expect(await asset.body.text()).toContain(sample);
      }
    });

    test('answers that show a secret once, and every admin answer, may not be stored', async () => {
      const token = await call('POST', '/v1/admin/tokens', {
        token: admin(),
        body: { name: 'no-store', role: 'viewer' },
      });
      expect(token.status).toBe(201);
      expect(token.body.token).toMatch(/^sio_/);
      expect(token.headers.get('cache-control')).toBe('no-store');
      const key = await call('POST', '/v1/admin/pipeline-keys', { token: admin(), body: { name: 'no-store' } });
      expect(key.status).toBe(201);
      expect(key.body.key).toMatch(/^dk_live_/);
      expect(key.headers.get('cache-control')).toBe('no-store');
      const list = await call('GET', '/v1/admin/tokens', { token: admin() });
      expect(list.status).toBe(200);
      expect(list.headers.get('cache-control')).toBe('no-store');
    });
  });

  describe('integrations', () => {
    test('PATCH with new credentials makes a new revision; a masked secret sent back keeps the stored one', async () => {
      const installed = (
        await call('POST', '/v1/admin/integration-catalog/customer_io/install', { token: admin(), body: installBody() })
      ).body;
      const rotated = { siteId: installed.config.site_id as string, apiKey: `rotated-${Date.now()}` };
      h.us.acceptCredentials(...accepted.us, rotated);
      accepted.us.push(rotated);
      const patched = await call('PATCH', `/v1/admin/integrations/${installed.id}`, {
        token: admin(),
        body: {
          config: { ...installed.config, tracking_api_key: rotated.apiKey },
          change_summary: 'rotate tracking key',
        },
      });
      expect(patched.status).toBe(200);
      expect(patched.body.revision).toMatchObject({ revision_number: 2, change_summary: 'rotate tracking key' });
      expect(patched.body.config.tracking_api_key).toBe('********');
      expect(await h.store.currentSecrets(installed.id)).toEqual({
        api_key: expect.stringMatching(/^app-secret-/),
        tracking_api_key: rotated.apiKey,
      });

      const same = await call('PATCH', `/v1/admin/integrations/${installed.id}`, {
        token: admin(),
        body: { config: patched.body.config },
      });
      expect(same.body.revision.revision_number).toBe(2);
      const revisions = await call('GET', `/v1/admin/integrations/${installed.id}/revisions`, { token: admin() });
      expect(revisions.body.data.map((r: { revision_number: number }) => r.revision_number)).toEqual([2, 1]);
    });

    test('PATCH verifies changed credentials with Customer.io as install does; a refused change stores nothing', async () => {
      const body = installBody();
      const installed = (
        await call('POST', '/v1/admin/integration-catalog/customer_io/install', { token: admin(), body })
      ).body;
      const { site_id: siteId, tracking_api_key: apiKey } = body.config;
      // Customer.io answers the region check on either host with the account's real region.
      h.eu.acceptCredentials(...accepted.eu, { siteId, apiKey, region: 'us' });
      h.us.clear();
      const wrongKey = await call('PATCH', `/v1/admin/integrations/${installed.id}`, {
        token: admin(),
        body: { config: { tracking_api_key: 'wrong-wrong-wrong-key' }, verify: true },
      });
      expect(wrongKey.status).toBe(422);
      expect(wrongKey.body.error).toMatchObject({
        code: 'INVALID_CREDENTIALS',
        message: expect.stringContaining('Settings > API Credentials'),
      });
      // The check went to Customer.io with the new key, not the stored one.
      const [check] = h.us.requests;
      expect(check).toMatchObject({ method: 'GET', path: '/api/v1/accounts/region', authorized: false });
      expect(check!.headers.authorization).toBe(
        `Basic ${Buffer.from(`${siteId}:wrong-wrong-wrong-key`).toString('base64')}`,
      );

      // Without "verify" in the body the check happens too.
      const wrongSite = await call('PATCH', `/v1/admin/integrations/${installed.id}`, {
        token: admin(),
        body: { config: { site_id: 'someone-elses-site' } },
      });
      expect(wrongSite.status).toBe(422);
      expect(wrongSite.body.error.code).toBe('INVALID_CREDENTIALS');

      // A US account moved to the EU region: Customer.io names the account's real region.
      const wrongRegion = await call('PATCH', `/v1/admin/integrations/${installed.id}`, {
        token: admin(),
        body: { config: { region: 'eu' } },
      });
      expect(wrongRegion.status).toBe(422);
      expect(wrongRegion.body.error).toMatchObject({
        code: 'REGION_MISMATCH',
        message: expect.stringContaining('set region to "us"'),
      });

      const after = await call('GET', `/v1/admin/integrations/${installed.id}`, { token: admin() });
      expect(after.body.revision).toEqual(installed.revision);
      expect(after.body.config).toEqual(installed.config);
      expect((await h.store.currentSecrets(installed.id))?.tracking_api_key).not.toBe('wrong-wrong-wrong-key');
      const revisions = await call('GET', `/v1/admin/integrations/${installed.id}/revisions`, { token: admin() });
      expect(revisions.body.data.map((r: { revision_number: number }) => r.revision_number)).toEqual([1]);

      // "verify": false saves without asking, as on install.
      h.us.clear();
      const unchecked = await call('PATCH', `/v1/admin/integrations/${installed.id}`, {
        token: admin(),
        body: { config: { tracking_api_key: 'offline-key' }, verify: false },
      });
      expect(unchecked.status).toBe(200);
      expect(unchecked.body.revision.revision_number).toBe(2);
      expect(h.us.requests).toEqual([]);
    });

    test('PATCH validation and unknown ids', async () => {
      const installed = (
        await call('POST', '/v1/admin/integration-catalog/customer_io/install', { token: admin(), body: installBody() })
      ).body;
      const bad = await call('PATCH', `/v1/admin/integrations/${installed.id}`, {
        token: admin(),
        body: { config: { region: 'asia' }, colour: 1 },
      });
      expect(bad.status).toBe(422);
      expect(
        (await call('PATCH', '/v1/admin/integrations/int_missing', { token: admin(), body: { enabled: false } }))
          .status,
      ).toBe(404);
    });

    test('lists paginate with a cursor; limit is capped at 100', async () => {
      for (let i = 0; i < 3; i++)
        await call('POST', '/v1/admin/integration-catalog/customer_io/install', {
          token: admin(),
          body: installBody(),
        });
      const first = await call('GET', '/v1/admin/integrations?limit=2', { token: admin() });
      expect(first.body).toMatchObject({ data: expect.any(Array), has_more: true, next_cursor: expect.any(String) });
      expect(first.body.data).toHaveLength(2);
      const second = await call('GET', `/v1/admin/integrations?limit=2&cursor=${first.body.next_cursor}`, {
        token: admin(),
      });
      expect(second.body.data[0].id).not.toBe(first.body.data[1].id);
      expect((await call('GET', '/v1/admin/integrations?limit=101', { token: admin() })).status).toBe(422);
      expect((await call('GET', '/v1/admin/integrations?cursor=garbage', { token: admin() })).status).toBe(422);
    });

    test('the catalog describes Customer.io, filterable by category', async () => {
      const cdp = await call('GET', '/v1/admin/integration-catalog?category=cdp', { token: admin() });
      expect(cdp.body.data.map((v: { key: string }) => v.key)).toEqual(['customer_io']);
      expect(
        (await call('GET', '/v1/admin/integration-catalog?category=advertising', { token: admin() })).body.data,
      ).toEqual([]);
      const entry = await call('GET', '/v1/admin/integration-catalog/customer_io', { token: admin() });
      const fields = entry.body.config_fields as { key: string; type: string; required: boolean; default?: unknown }[];
      expect(fields.slice(0, 4).map((f) => `${f.key}:${f.type}:${f.required}`)).toEqual([
        'site_id:string:true',
        'api_key:secret:true',
        'tracking_api_key:secret:true',
        'region:select:true',
      ]);
      // Every setting the config schema takes is listed, optional, with the default an install gets without it.
      const defaults = entry.body.variants[0].default_config as Record<string, unknown>;
      expect(
        fields
          .slice(4)
          .map((f) => f.key)
          .sort(),
      ).toEqual(Object.keys(defaults).sort());
      for (const field of fields.slice(4))
        expect(field).toMatchObject({ required: false, default: defaults[field.key] });
      expect(defaults).toMatchObject({
        consent_categories: ['marketing'],
        hash_pii: false,
        convert_timestamps: true,
        object_type_id: '1',
        anonymous_events: false,
        order_wait_minutes: 30,
        device_events: ['Application Installed', 'Application Opened', 'Device Created or Updated'],
      });
      expect((await call('GET', '/v1/admin/integration-catalog/nope', { token: admin() })).status).toBe(404);
    });

    test('the audit log records who changed what, secrets redacted', async () => {
      const installed = (
        await call('POST', '/v1/admin/integration-catalog/customer_io/install', { token: admin(), body: installBody() })
      ).body;
      await call('PATCH', `/v1/admin/integrations/${installed.id}`, {
        token: admin(),
        body: { enabled: false, config: { tracking_api_key: 'other-key' }, verify: false },
      });
      const log = await call('GET', `/v1/admin/audit-logs?resource_id=${installed.id}`, { token: admin() });
      expect(log.status).toBe(200);
      const [updated, created] = log.body.data;
      expect(created).toMatchObject({
        action: 'integration.created',
        actor: { id: 'bootstrap-admin' },
        resource_type: 'integration',
        resource_id: installed.id,
      });
      expect(created.changes['config.tracking_api_key']).toEqual({ new: '[redacted]' });
      expect(updated).toMatchObject({
        action: 'integration.updated',
        changes: {
          enabled: { old: true, new: false },
          'config.tracking_api_key': { old: '[redacted]', new: '[redacted]' },
        },
      });
      expect(log.text).not.toContain('other-key');
    });
  });

  test('no secret appears in any response body or log line', () => {
    const secrets = [
      'xxxxxxxxxxxxxxxxxxxx',
      'other-key',
      h.adminToken,
      h.pipelineKey,
      h.encryptionKey,
      ...accepted.us.map((c) => c.apiKey),
      ...accepted.eu.map((c) => c.apiKey),
    ];
    expect(responses.length).toBeGreaterThan(30);
    expect(h.logs.length).toBeGreaterThan(30);
    for (const secret of secrets) {
      for (const text of [...responses, ...h.logs]) expect(text).not.toContain(secret);
    }
  });
});

describe('management API rate limits', () => {
  let h: DeliveryHarness;
  const call = httpClient(() => h.baseUrl);
  beforeAll(async () => {
    h = await startDeliveryHarness({ api: true, rateLimits: { adminPerSecond: 2, authFailuresPerMinute: 3 } });
  });
  afterAll(() => h.close());

  test('too many requests per token is 429 with Retry-After', async () => {
    const statuses: number[] = [];
    let limited;
    for (let i = 0; i < 8; i++) {
      const res = await call('GET', '/v1/admin/integrations', { token: h.adminToken });
      statuses.push(res.status);
      if (res.status === 429) limited = res;
    }
    expect(statuses).toContain(429);
    expect(limited!.body.error.code).toBe('RATE_LIMITED');
    expect(Number(limited!.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expectRateLimited(limited);
    // One budget per token across the whole admin API, not one per route.
    expectRateLimited(await call('GET', '/v1/admin/integration-catalog', { token: h.adminToken }));
  });

  test('repeated bad tokens from one address are slowed down', async () => {
    const statuses: number[] = [];
    let limited;
    for (let i = 0; i < 6; i++) {
      const res = await call('GET', '/v1/admin/integrations', { token: `sio_guess_${i}` });
      statuses.push(res.status);
      limited ??= res.status === 429 ? res : undefined;
    }
    expect(statuses.slice(0, 3)).toEqual([401, 401, 401]);
    expect(statuses).toContain(429);
    expectRateLimited(limited);
    // The budget is the address's, whichever API it guesses at.
    expectRateLimited(
      await call('POST', '/v1/events', { token: 'dk_live_guess', body: { type: 'track', event: 'e', userId: 'u' } }),
    );
  });
});

describe('auth failure throttling counts only failures', () => {
  let h: DeliveryHarness;
  const call = httpClient(() => h.baseUrl);
  let viewer: string;
  beforeAll(async () => {
    h = await startDeliveryHarness({ api: true, rateLimits: { authFailuresPerMinute: 3 } });
    const created = await call('POST', '/v1/admin/tokens', {
      token: h.adminToken,
      body: { name: 'reader', role: 'viewer' },
    });
    expect(created.status).toBe(201);
    viewer = created.body.token;
  });
  afterAll(() => h.close());

  test('good tokens never use up the budget; once bad ones have, a bad token is 429 and a good one still passes', async () => {
    for (let i = 0; i < 10; i++) {
      expect((await call('GET', '/v1/admin/integrations', { token: i % 2 ? viewer : h.adminToken })).status).toBe(200);
    }
    expect((await call('POST', '/v1/events', { token: h.pipelineKey, body: {} })).status).toBe(422);
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++)
      statuses.push((await call('GET', '/v1/admin/integrations', { token: `sio_guess_${i}` })).status);
    expect(statuses).toEqual([401, 401, 401]);
    expectRateLimited(await call('GET', '/v1/admin/integrations', { token: 'sio_guess_3' }));
    expectRateLimited(await call('GET', '/v1/admin/integrations'));
    expect((await call('GET', '/v1/admin/integrations', { token: viewer })).status).toBe(200);
    expect((await call('GET', '/v1/admin/integrations', { token: h.adminToken })).status).toBe(200);
  });
});

describe('install when Customer.io cannot be reached', () => {
  let h: DeliveryHarness;
  const call = httpClient(() => h.baseUrl);
  beforeAll(async () => {
    h = await startDeliveryHarness({ api: true, usTrackUrl: 'http://127.0.0.1:1' });
  });
  afterAll(() => h.close());

  test('is 502 unless the body says "verify": false', async () => {
    const body = {
      name: 'Offline',
      variant: 'default',
      config: { site_id: 's', api_key: 'a', tracking_api_key: 't', region: 'us' },
      delivery_mode: 'server_side',
    };
    const res = await call('POST', '/v1/admin/integration-catalog/customer_io/install', { token: h.adminToken, body });
    expect(res.status).toBe(502);
    expect(res.body.error.code).toBe('CUSTOMERIO_UNREACHABLE');
    expect(res.body.error.message).toContain('"verify": false');
    const unchecked = await call('POST', '/v1/admin/integration-catalog/customer_io/install', {
      token: h.adminToken,
      body: { ...body, verify: false },
    });
    expect(unchecked.status).toBe(201);
  });
});
