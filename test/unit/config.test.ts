import { ConfigError, loadConfig, requireSetting } from '../../src/config';
import { MAX_BATCH_EVENTS } from '../../src/api/schemas/intake';
import { sharedOrderNotifier } from '../../src/worker/create-worker';

describe('loadConfig', () => {
  test('defaults describe a local install', () => {
    expect(loadConfig({})).toMatchObject({
      PORT: 8084,
      HOST: '127.0.0.1',
      TEMPORAL_ADDRESS: '127.0.0.1:7233',
      TEMPORAL_NAMESPACE: 'default',
      TEMPORAL_TASK_QUEUE: 'customer-io-delivery',
      DATABASE_URL: 'sqlite:./data/signal.db',
      CUSTOMERIO_HTTP_TIMEOUT_MS: 5_000,
      CIRCUIT_FAILURES_TO_OPEN: 5,
      CIRCUIT_FIRST_PROBE_MS: 5_000,
      CIRCUIT_MAX_PROBE_MS: 30_000,
      WORKER_REPLICAS: 1,
      LOG_LEVEL: 'info',
    });
  });

  test('empty values count as unset', () => {
    expect(loadConfig({ PORT: '', LOG_LEVEL: '', CUSTOMERIO_TRACK_URL_US: '' })).toMatchObject({
      PORT: 8084,
      LOG_LEVEL: 'info',
    });
    expect(loadConfig({ CUSTOMERIO_TRACK_URL_US: '' }).CUSTOMERIO_TRACK_URL_US).toBeUndefined();
  });

  test('a bad value is named in the error', () => {
    expect(() => loadConfig({ PORT: 'eighty' })).toThrow(ConfigError);
    expect(() => loadConfig({ PORT: '70000', LOG_LEVEL: 'loud', CUSTOMERIO_TRACK_URL_EU: 'not a url' })).toThrow(
      /PORT[\s\S]*CUSTOMERIO_TRACK_URL_EU[\s\S]*LOG_LEVEL|PORT[\s\S]*LOG_LEVEL[\s\S]*CUSTOMERIO_TRACK_URL_EU/,
    );
  });

  test('metrics ports are off unless set, and listen on loopback unless told otherwise', () => {
    const config = loadConfig({});
    expect(config.METRICS_PORT).toBeUndefined();
    expect(config.TEMPORAL_METRICS_PORT).toBeUndefined();
    expect(config.METRICS_HOST).toBe('127.0.0.1');
    expect(loadConfig({ METRICS_PORT: '9464', TEMPORAL_METRICS_PORT: '' })).toMatchObject({ METRICS_PORT: 9464 });
    expect(() => loadConfig({ METRICS_PORT: '0' })).toThrow(/METRICS_PORT/);
    expect(() => loadConfig({ TEMPORAL_METRICS_PORT: 'nine' })).toThrow(/TEMPORAL_METRICS_PORT/);
  });

  test('refuses an HTTP timeout that would leave an attempt too little of its workflow task', () => {
    // The task timeout is 10 s; an attempt may wait 2 s for the rate limit, then its HTTP exchange runs.
    expect(loadConfig({ CUSTOMERIO_HTTP_TIMEOUT_MS: '5000' }).CUSTOMERIO_HTTP_TIMEOUT_MS).toBe(5_000);
    expect(() => loadConfig({ CUSTOMERIO_HTTP_TIMEOUT_MS: '10000' })).toThrow(
      /CUSTOMERIO_HTTP_TIMEOUT_MS: must be at most 5000: an attempt runs inside a 10 s workflow task/,
    );
  });

  test('circuit settings: the longest probe interval is not shorter than the first', () => {
    expect(loadConfig({ CIRCUIT_FIRST_PROBE_MS: '1000', CIRCUIT_MAX_PROBE_MS: '1000' })).toMatchObject({
      CIRCUIT_FIRST_PROBE_MS: 1_000,
      CIRCUIT_MAX_PROBE_MS: 1_000,
    });
    expect(() => loadConfig({ CIRCUIT_FIRST_PROBE_MS: '60000' })).toThrow(
      /CIRCUIT_MAX_PROBE_MS: must be at least CIRCUIT_FIRST_PROBE_MS/,
    );
  });

  test('requireSetting names a missing secret', () => {
    expect(() => requireSetting(loadConfig({}), 'ENCRYPTION_KEY')).toThrow(/ENCRYPTION_KEY: is required/);
  });
});

describe('TRUST_PROXY', () => {
  test('off unless set: no proxy is believed', () => {
    expect(loadConfig({}).TRUST_PROXY).toBe(false);
    expect(loadConfig({ TRUST_PROXY: '' }).TRUST_PROXY).toBe(false);
    expect(loadConfig({ TRUST_PROXY: 'false' }).TRUST_PROXY).toBe(false);
  });

  test('true, a hop count, or addresses, CIDR ranges and range names', () => {
    expect(loadConfig({ TRUST_PROXY: 'true' }).TRUST_PROXY).toBe(true);
    expect(loadConfig({ TRUST_PROXY: '2' }).TRUST_PROXY).toBe(2);
    expect(loadConfig({ TRUST_PROXY: ' 10.0.0.0/8, loopback ,::1,fd00::/8' }).TRUST_PROXY).toBe(
      '10.0.0.0/8,loopback,::1,fd00::/8',
    );
  });

  test('anything else is refused at start-up, naming the bad entries', () => {
    for (const bad of ['yes', '10.0.0.0/33', '10.0.0.1/8/1', 'proxy.example.com', '::1/129', '10.0.0.0/x'])
      expect(() => loadConfig({ TRUST_PROXY: bad })).toThrow(/TRUST_PROXY: must be true, false, a hop count/);
  });
});

describe('WORKER_MAX_ORDERED_RUNS', () => {
  test('at least a full batch, so that a full batch can wait in npm start’s worker; the worker holds the smaller of it and 3/4 of its task slots', async () => {
    expect(loadConfig({}).WORKER_MAX_ORDERED_RUNS).toBe(600);
    expect(loadConfig({ WORKER_MAX_ORDERED_RUNS: String(MAX_BATCH_EVENTS) }).WORKER_MAX_ORDERED_RUNS).toBe(
      MAX_BATCH_EVENTS,
    );
    expect(() => loadConfig({ WORKER_MAX_ORDERED_RUNS: String(MAX_BATCH_EVENTS - 1) })).toThrow(
      /WORKER_MAX_ORDERED_RUNS/,
    );
    const room = async (slots: number, runs: number) => {
      const notifier = sharedOrderNotifier({
        WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: slots,
        WORKER_MAX_ORDERED_RUNS: runs,
      });
      const ids = (n: number) => Array.from({ length: n }, (_, i) => `run-${i}`);
      return [await notifier.expect(ids(runs), 1_000), await notifier.expect(['one-more'], 1_000)];
    };
    // 2,048 slots: the runs setting is the bound; a full load and not one more.
    expect(await room(2048, 600)).toEqual([true, false]);
    // 128 slots: 96 of them (the runs setting is above the slots' share: the first request does not fit).
    const few = sharedOrderNotifier({ WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: 128, WORKER_MAX_ORDERED_RUNS: 600 });
    expect(
      await few.expect(
        Array.from({ length: 96 }, (_, i) => `r${i}`),
        1_000,
      ),
    ).toBe(true);
    expect(await few.expect(['r96'], 1_000)).toBe(false);
  });
});
