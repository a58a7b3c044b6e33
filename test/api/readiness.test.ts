import { UNAVAILABLE_RETRY_AFTER_SECONDS } from '../../src/api/error-replies';
import { type DeliveryHarness, startDeliveryHarness } from '../support/delivery-harness';
import { httpClient } from '../support/http';

describe('/readyz', () => {
  let h: DeliveryHarness;
  const call = httpClient(() => h.baseUrl);
  beforeAll(async () => {
    h = await startDeliveryHarness({ api: true, noWorker: true });
  });
  afterAll(() => h.close());

  test('says which dependency is down and nothing about why; the why goes to the log', async () => {
    expect((await call('GET', '/readyz')).body).toEqual({
      status: 'ready',
      checks: { database: 'ok', temporal: 'ok' },
    });

    const why = 'connect ECONNREFUSED 10.9.8.7:7233 (temporal-internal.svc.cluster.local)';
    const spy = jest.spyOn(h.client.workflowService, 'getSystemInfo').mockRejectedValue(new Error(why));
    try {
      const res = await call('GET', '/readyz');
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).toBe(String(UNAVAILABLE_RETRY_AFTER_SECONDS));
      expect(res.body).toEqual({ status: 'not_ready', checks: { database: 'ok', temporal: 'down' } });
      expect(res.text).not.toContain('ECONNREFUSED');
      expect(res.text).not.toContain('10.9.8.7');
      expect(h.logs.some((line) => line.includes('readiness check failed') && line.includes(why))).toBe(true);
    } finally {
      spy.mockRestore();
    }
  });
});
