import { CREDENTIAL_FIELDS, credentialsOf, CustomerIoConfigSchema, splitSecrets } from '../../src/customerio/config';
import { statusOf } from '../../src/customerio/exchange';

describe('credentialsOf', () => {
  const config = CustomerIoConfigSchema.parse({
    site_id: 'site-1',
    api_key: 'app-key',
    tracking_api_key: 'track-key',
    region: 'eu',
  });

  test('a whole parsed config and its stored halves give the same credentials, under one name for the key', () => {
    const { publicConfig, secrets } = splitSecrets(config);
    const expected = { siteId: 'site-1', trackingApiKey: 'track-key', region: 'eu' };
    expect(credentialsOf(config, config)).toEqual(expected);
    expect(credentialsOf(publicConfig, secrets)).toEqual(expected);
  });

  test('a stored revision without a tracking key authenticates with the other key', () => {
    const { publicConfig } = splitSecrets(config);
    expect(credentialsOf(publicConfig, { api_key: 'app-key', tracking_api_key: '' }).trackingApiKey).toBe('app-key');
  });

  test('the fields a PATCH is verified for are the ones credentialsOf reads', () => {
    expect([...CREDENTIAL_FIELDS].sort()).toEqual(['region', 'site_id', 'tracking_api_key']);
  });
});

describe('statusOf', () => {
  const exchange = { method: 'POST', url: 'https://track.customer.io/api/v2/entity', durationMs: 3 };

  test('an answer is its status; no answer (a network error) is undefined, whatever status was seen', () => {
    expect(statusOf({ ...exchange, status: 503 })).toBe(503);
    expect(statusOf({ ...exchange, error: { code: 'ECONNRESET', message: 'reset' } })).toBeUndefined();
    expect(statusOf({ ...exchange, status: 200, error: { code: 'ATTEMPT_TIMEOUT', message: 'late' } })).toBeUndefined();
  });
});
