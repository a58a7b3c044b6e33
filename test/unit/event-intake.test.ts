import { Client, Connection } from '@temporalio/client';
import { AppError } from '../../src/errors';
import type { ActiveIntegrations } from '../../src/intake/active-integrations';
import { EventIntake } from '../../src/intake/event-intake';
import type { IntegrationView } from '../../src/store/integrations';

const integration = {
  id: 'int_1',
  config: { site_id: 's', region: 'us', consent_categories: ['marketing'], hash_pii: false, retry_window_hours: 24 },
} as IntegrationView;

describe('EventIntake when Temporal is down', () => {
  test('answers 503 TEMPORAL_UNAVAILABLE (retry the request) instead of accepting what it cannot keep', async () => {
    // No gRPC retry interceptor: the SDK would otherwise retry an unreachable server for about 20 s.
    const connection = Connection.lazy({ address: '127.0.0.1:1', connectTimeout: 500, interceptors: [] });
    const client = new Client({ connection });
    const intake = new EventIntake({
      client,
      integrations: { current: async () => [integration] } as unknown as ActiveIntegrations,
      taskQueue: 'nowhere',
    });
    const failure = await intake
      .ingest([{ type: 'track', event: 'x', userId: 'u', messageId: 'm-1' }])
      .catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(AppError);
    expect(failure).toMatchObject({ status: 503, code: 'TEMPORAL_UNAVAILABLE' });
    expect((failure as AppError).message).toContain('retry the whole request');
    await connection.close();
  });

  test('invalid events are reported by index without touching Temporal', async () => {
    const intake = new EventIntake({
      client: undefined as unknown as Client,
      integrations: { current: async () => [integration] } as unknown as ActiveIntegrations,
      taskQueue: 'nowhere',
    });
    expect(await intake.ingest([{ type: 'nope' }, 'text'])).toEqual({
      accepted: 0,
      duplicates: 0,
      deliveries: [],
      rejected: [
        { index: 0, errors: [{ field: 'type', message: expect.any(String) }] },
        { index: 1, errors: [{ field: '(event)', message: expect.any(String) }] },
      ],
    });
  });
});
