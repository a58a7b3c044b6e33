import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { InvalidEventError } from '../../src/client/start-delivery';
import { deliveryWorkflowId } from '../../src/shared/names';
import { type DeliveryHarness, startDeliveryHarness } from '../support/delivery-harness';

describe('idempotent starts and secret hygiene', () => {
  let h: DeliveryHarness;
  let integration: { id: string; credentials: { siteId: string; apiKey: string } };
  beforeAll(async () => {
    h = await startDeliveryHarness();
    integration = await h.createIntegration({ region: 'us' });
  });
  afterAll(() => h.close());
  beforeEach(() => h.us.clear());

  test('the same message started twice makes one workflow and one delivery', async () => {
    const event = { type: 'track' as const, event: 'Paid', userId: 'user-9', messageId: `dup-${Date.now()}` };
    const first = await h.deliver(integration.id, event);
    const second = await h.deliver(integration.id, event);
    expect(first).toMatchObject({ status: 'started', workflowId: deliveryWorkflowId(integration.id, event.messageId) });
    expect(second).toEqual({ status: 'duplicate', workflowId: first.workflowId });
    await h.client.workflow.getHandle(first.workflowId).result();
    // Still a duplicate once the first run has closed.
    expect((await h.deliver(integration.id, event)).status).toBe('duplicate');
    expect(h.us.requests).toHaveLength(1);
  });

  test('concurrent starts of one message race to a single delivery', async () => {
    const event = { type: 'track' as const, event: 'Paid', userId: 'user-9', messageId: `race-${Date.now()}` };
    const outcomes = await Promise.all(Array.from({ length: 5 }, () => h.deliver(integration.id, event)));
    expect(outcomes.filter((o) => o.status === 'started')).toHaveLength(1);
    expect(outcomes.filter((o) => o.status === 'duplicate')).toHaveLength(4);
    await h.client.workflow.getHandle(outcomes[0]!.workflowId).result();
    expect(h.us.requests).toHaveLength(1);
  });

  test('the typed client rejects invalid events before starting anything', async () => {
    await expect(h.deliver(integration.id, { type: 'track', userId: 'u', messageId: 'm-no-name' })).rejects.toThrow(
      InvalidEventError,
    );
    await expect(h.deliver(integration.id, { type: 'track', event: 'x', userId: 'u' })).rejects.toThrow(/messageId/);
    await expect(
      h.deliver(integration.id, {
        type: 'track',
        event: 'x',
        userId: 'u',
        messageId: 'm-bad-ts',
        timestamp: 'yesterday',
      }),
    ).rejects.toThrow(/timestamp/);
    await expect(
      h.deliver(integration.id, { type: 'nope' as never, userId: 'u', messageId: 'm-nope' }),
    ).rejects.toThrow(/type/);
  });

  test('no secret appears in any history: delivered, retried or refused', async () => {
    h.us.respondWith({ status: 500 }, { status: 401 });
    const retried = await h.deliver(
      integration.id,
      { type: 'identify', userId: 'user-s', messageId: `sec-1-${Date.now()}`, traits: { plan: 'x' } },
      { retry: { awaitCredentialsMs: 0 } },
    );
    await h.client.workflow
      .getHandle(retried.workflowId)
      .result()
      .catch(() => undefined);
    const delivered = await h.deliver(integration.id, {
      type: 'page',
      userId: 'user-s',
      messageId: `sec-2-${Date.now()}`,
      context: { page: { url: 'https://a.example/' } },
    });
    await h.client.workflow.getHandle(delivered.workflowId).result();
    expect(h.us.requests).toHaveLength(3);

    const secrets = [
      integration.credentials.apiKey,
      `app-${integration.credentials.apiKey}`,
      Buffer.from(`${integration.credentials.siteId}:${integration.credentials.apiKey}`).toString('base64'),
      h.encryptionKey,
    ];
    for (const workflowId of [retried.workflowId, delivered.workflowId]) {
      const json = historyToJSON(await h.client.workflow.getHandle(workflowId).fetchHistory());
      expect(json.length).toBeGreaterThan(1000);
      for (const secret of secrets) expect(json).not.toContain(secret);
      // Payloads are base64 in the history JSON: search their decoded form too.
      const decoded = decodePayloads(json);
      expect(decoded).toContain('/api/v1/customers/user-s');
      for (const secret of secrets) expect(decoded).not.toContain(secret);
      expect(decoded).not.toMatch(/authorization/i);
    }
  });
});

function decodePayloads(historyJson: string): string {
  const parts: string[] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (node && typeof node === 'object') {
      for (const [key, value] of Object.entries(node)) {
        if (key === 'data' && typeof value === 'string') parts.push(Buffer.from(value, 'base64').toString('utf8'));
        else walk(value);
      }
    }
  };
  walk(JSON.parse(historyJson));
  return parts.join('\n');
}
