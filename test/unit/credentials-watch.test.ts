import { CredentialsWatch } from '../../src/deliveries/credentials-watch';

/** Resolves once `predicate` holds, polling the fake's own state; fails after `ms`. */
async function until(predicate: () => boolean, ms = 2_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setImmediate(r));
  }
}

describe('CredentialsWatch: integration changes wake parked deliveries', () => {
  const logger = { info: jest.fn(), warn: jest.fn() };
  beforeEach(() => jest.clearAllMocks());

  test('signals them at once, then sweeps again for deliveries visibility had not listed yet', async () => {
    const calls: [string, number][] = [];
    const watch = new CredentialsWatch({
      deliveries: { resumeParked: async (id, rev) => (calls.push([id, rev]), 2), stopParked: async () => 0 },
      logger,
      sweepDelayMs: 10,
    });
    await watch.revised('int_1', 3);
    expect(calls).toEqual([['int_1', 3]]);
    await until(() => calls.length === 2);
    expect(calls[1]).toEqual(['int_1', 3]);
    expect(logger.info).toHaveBeenCalledWith(
      { integrationId: 'int_1', revisionNumber: 3, count: 2 },
      'resumed deliveries waiting for credentials',
    );
  });

  test('a failure to reach Temporal is logged, never thrown at the PATCH that caused it', async () => {
    const watch = new CredentialsWatch({
      deliveries: { resumeParked: async () => Promise.reject(new Error('unavailable')), stopParked: async () => 0 },
      logger,
      sweepDelayMs: 10,
    });
    await expect(watch.revised('int_2', 5)).resolves.toBeUndefined();
    expect(logger.warn).toHaveBeenCalledWith(
      { integrationId: 'int_2', err: 'unavailable' },
      'could not resume deliveries waiting for credentials',
    );
  });

  test('a disabled or deleted integration stops them at once, then sweeps again', async () => {
    const stopped: string[] = [];
    const watch = new CredentialsWatch({
      deliveries: { resumeParked: async () => 0, stopParked: async (id) => (stopped.push(id), 1) },
      logger,
      sweepDelayMs: 10,
    });
    await watch.unusable('int_3');
    expect(stopped).toEqual(['int_3']);
    await until(() => stopped.length === 2);
    expect(logger.info).toHaveBeenCalledWith(
      { integrationId: 'int_3', count: 1 },
      'told deliveries waiting for credentials that their integration is disabled or deleted',
    );
  });
});
