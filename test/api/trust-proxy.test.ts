import { type DeliveryHarness, startDeliveryHarness } from '../support/delivery-harness';
import { httpClient } from '../support/http';

/** The address the audit log records for a token created with X-Forwarded-For: 203.0.113.7 (a proxy's header). */
async function recordedAddress(h: DeliveryHarness): Promise<string> {
  const call = httpClient(() => h.baseUrl);
  const headers = { 'x-forwarded-for': '203.0.113.7' };
  const created = await call('POST', '/v1/admin/tokens', {
    token: h.adminToken,
    headers,
    body: { name: 'behind a proxy', role: 'viewer' },
  });
  expect(created.status).toBe(201);
  const log = await call('GET', `/v1/admin/audit-logs?resource_id=${created.body.id}`, { token: h.adminToken });
  expect(log.status).toBe(200);
  expect(log.body.data).toHaveLength(1);
  return log.body.data[0].ip_address;
}

describe('TRUST_PROXY', () => {
  test('unset: X-Forwarded-For is not believed, the audit log records the connecting address', async () => {
    const h = await startDeliveryHarness({ api: true, noWorker: true });
    try {
      expect(await recordedAddress(h)).toBe('127.0.0.1');
    } finally {
      await h.close();
    }
  });

  test('naming the proxy (loopback here): the client address it forwards is recorded', async () => {
    const h = await startDeliveryHarness({ api: true, noWorker: true, env: { TRUST_PROXY: 'loopback' } });
    try {
      expect(await recordedAddress(h)).toBe('203.0.113.7');
    } finally {
      await h.close();
    }
  });
});
