import { type DeliveryHarness, startDeliveryHarness } from '../support/delivery-harness';
import { httpClient } from '../support/http';

/** What node-postgres throws while PostgreSQL is down; the address must never reach a client. */
const refused = () => Object.assign(new Error('connect ECONNREFUSED 10.1.2.3:5432'), { code: 'ECONNREFUSED' });

describe('the store out of reach', () => {
  let h: DeliveryHarness;
  const call = httpClient(() => h.baseUrl);
  beforeAll(async () => {
    h = await startDeliveryHarness({ api: true, noWorker: true });
  });
  afterAll(() => h.close());

  test('intake and the management API answer 503 STORE_UNAVAILABLE with Retry-After, and say nothing of why', async () => {
    const list = jest.spyOn(h.store, 'list').mockRejectedValue(refused());
    try {
      const answers = [
        await call('POST', '/v1/events', { token: h.pipelineKey, body: { type: 'track', event: 'E', userId: 'u1' } }),
        await call('GET', '/v1/admin/integrations', { token: h.adminToken }),
      ];
      for (const res of answers) {
        expect(res.status).toBe(503);
        expect(res.body).toEqual({
          error: { code: 'STORE_UNAVAILABLE', message: expect.any(String), details: expect.anything() },
        });
        expect(Number(res.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
        expect(res.text).not.toMatch(/ECONNREFUSED|10\.1\.2\.3/);
      }
    } finally {
      list.mockRestore();
    }
    // Back: the same requests are served again.
    expect((await call('GET', '/v1/admin/integrations', { token: h.adminToken })).status).toBe(200);
  });

  test('a query the store refuses for another reason is still a plain 500', async () => {
    const list = jest.spyOn(h.store, 'list').mockRejectedValue(new Error('relation "integrations" does not exist'));
    try {
      const res = await call('GET', '/v1/admin/integrations', { token: h.adminToken });
      expect(res.status).toBe(500);
      expect(res.body.error.code).toBe('INTERNAL');
    } finally {
      list.mockRestore();
    }
  });
});
