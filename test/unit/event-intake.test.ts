import { type AddressInfo, createServer, type Socket } from 'node:net';
import { Client, Connection } from '@temporalio/client';
import { loadConfig } from '../../src/config';
import { AppError } from '../../src/errors';
import type { ActiveIntegrations } from '../../src/intake/active-integrations';
import { EventIntake } from '../../src/intake/event-intake';
import type { IntegrationView } from '../../src/store/integrations';
import { deadline } from '../support/wait';

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
      temporalTimeoutMs: loadConfig({}).INTAKE_TEMPORAL_TIMEOUT_MS,
    });
    const failure = await intake
      .ingest([{ type: 'track', event: 'x', userId: 'u', messageId: 'm-1' }])
      .catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(AppError);
    expect(failure).toMatchObject({ status: 503, code: 'TEMPORAL_UNAVAILABLE' });
    expect((failure as AppError).message).toContain('retry the whole request');
    await connection.close();
  });

  test('a Temporal that accepts the connection but never answers fails the request within its deadline', async () => {
    const held = new Set<Socket>();
    const blackhole = createServer((socket) => held.add(socket));
    await new Promise<void>((r) => blackhole.listen(0, '127.0.0.1', r));
    // The SDK's default connection, retries included: what the API runs with.
    const connection = Connection.lazy({ address: `127.0.0.1:${(blackhole.address() as AddressInfo).port}` });
    try {
      const intake = new EventIntake({
        client: new Client({ connection }),
        integrations: { current: async () => [integration] } as unknown as ActiveIntegrations,
        taskQueue: 'nowhere',
        temporalTimeoutMs: 500,
      });
      const startedAt = Date.now();
      const failure = await deadline(
        intake.ingest([{ type: 'track', event: 'x', userId: 'u', messageId: 'm-2' }]).catch((e: unknown) => e),
        5_000,
        () => 'the intake waited on a Temporal that never answers',
      );
      expect(failure).toMatchObject({ status: 503, code: 'TEMPORAL_UNAVAILABLE' });
      expect(Date.now() - startedAt).toBeLessThan(500 + 1_500);
    } finally {
      await connection.close();
      for (const socket of held) socket.destroy();
      await new Promise((r) => blackhole.close(r));
    }
  });

  test('the deadline is per start: a batch that takes longer than it in all, each start in time, is accepted', async () => {
    const START_MS = 40;
    const started: string[] = [];
    // A Temporal that takes each start slowly but in time; withDeadline fails a call that ends after its deadline,
    // as the gRPC deadline would.
    const slowButHealthy = {
      withDeadline: async <R>(deadlineAt: number, call: () => Promise<R>): Promise<R> => {
        const result = await call();
        if (Date.now() > deadlineAt) throw Object.assign(new Error('deadline exceeded'), { code: 4 });
        return result;
      },
      workflow: {
        start: async (_type: string, options: { workflowId: string }) => {
          await new Promise((r) => setTimeout(r, START_MS));
          started.push(options.workflowId);
          return { firstExecutionRunId: `run-${started.length}`, eagerlyStarted: false };
        },
      },
    };
    const intake = new EventIntake({
      client: slowButHealthy as unknown as Client,
      integrations: { current: async () => [integration] } as unknown as ActiveIntegrations,
      taskQueue: 'slow',
      startConcurrency: 1,
      temporalTimeoutMs: 5 * START_MS,
    });
    const events = Array.from({ length: 12 }, (_, i) => ({
      type: 'track',
      event: 'x',
      userId: 'u',
      messageId: `m-${i}`,
    }));
    const receipt = await intake.ingest(events);
    expect(receipt).toMatchObject({ accepted: 12, duplicates: 0, rejected: [] });
    expect(started).toHaveLength(12);
  });

  test('a start past its deadline is 503 in whatever shape the client reports it (the native client: CANCELLED)', async () => {
    const timeoutExpired = {
      withDeadline: async <R>(deadlineAt: number): Promise<R> => {
        await new Promise((r) => setTimeout(r, Math.max(0, deadlineAt - Date.now()) + 5));
        // What the native connection's client throws when its own timeout fires: tonic's TimeoutExpired.
        throw Object.assign(new Error('Failed to start Workflow'), {
          cause: Object.assign(new Error('Timeout expired'), { code: 1 }),
        });
      },
    };
    const intake = new EventIntake({
      client: timeoutExpired as unknown as Client,
      integrations: { current: async () => [integration] } as unknown as ActiveIntegrations,
      taskQueue: 'slow',
      temporalTimeoutMs: 100,
    });
    const failure = await intake
      .ingest([{ type: 'track', event: 'x', userId: 'u', messageId: 'm-late' }])
      .catch((e: unknown) => e);
    expect(failure).toMatchObject({ status: 503, code: 'TEMPORAL_UNAVAILABLE' });
  });

  test('invalid events are reported by index without touching Temporal', async () => {
    const intake = new EventIntake({
      client: undefined as unknown as Client,
      integrations: { current: async () => [integration] } as unknown as ActiveIntegrations,
      taskQueue: 'nowhere',
      temporalTimeoutMs: loadConfig({}).INTAKE_TEMPORAL_TIMEOUT_MS,
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
