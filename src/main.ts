import { NativeConnection } from '@temporalio/worker';
import { resolve } from 'node:path';
import { ConfigError, loadConfig } from './config';
import { buildApi, deliveryActivities, openCore } from './core';
import { loadOrCreateLocalSecrets } from './local/secrets';
import { createLogger } from './logger';
import { connectClient } from './temporal/connect';
import { type DevServer, startDevServer } from './temporal/dev-server';
import { installTemporalRuntime } from './temporal/runtime-logger';
import { ensureSearchAttributes } from './temporal/search-attributes';
import { createDeliveryWorker, workerOptionsFromConfig } from './worker/create-worker';

const DATA_DIR = resolve(process.env.SIGNAL_DATA_DIR ?? 'data');

/**
 * `npm start`: everything in one process with sane defaults. Unless TEMPORAL_ADDRESS is set it runs Temporal's dev
 * server (SQLite under ./data, Web UI on 8233); then the SQLite store, the delivery worker and the API on 8084.
 * Ctrl-C stops all of it: the API first, then the worker (in-flight attempts finish), then Temporal.
 */
async function main(): Promise<void> {
  const { secrets, generated } = loadOrCreateLocalSecrets(resolve(DATA_DIR, 'local-secrets.json'), process.env);
  const embedTemporal = !process.env.TEMPORAL_ADDRESS;
  const config = loadConfig({ ...process.env, ...secrets, DATABASE_URL: process.env.DATABASE_URL ?? `sqlite:${resolve(DATA_DIR, 'signal.db')}` });
  const logger = createLogger(config.LOG_LEVEL);
  installTemporalRuntime(logger, { handleSignals: false });

  let devServer: DevServer | undefined;
  let address = config.TEMPORAL_ADDRESS;
  let uiUrl = config.TEMPORAL_UI_URL;
  if (embedTemporal) {
    process.stdout.write('Starting the Temporal dev server…\n');
    const port = Number(process.env.TEMPORAL_DEV_PORT ?? 7233);
    const uiPort = Number(process.env.TEMPORAL_UI_PORT ?? port + 1000);
    devServer = await startDevServer({ port, uiPort, dbFile: resolve(DATA_DIR, 'temporal.db'), namespace: config.TEMPORAL_NAMESPACE });
    address = devServer.address;
    uiUrl = `http://localhost:${uiPort}`;
  }

  const core = await openCore(config);
  const connection = await NativeConnection.connect({ address });
  await ensureSearchAttributes(connection, config.TEMPORAL_NAMESPACE);
  const worker = await createDeliveryWorker({ connection, activities: deliveryActivities(core), ...workerOptionsFromConfig(config) });
  const client = await connectClient({ address, namespace: config.TEMPORAL_NAMESPACE });
  const { app } = buildApi(core, { config: { ...config, TEMPORAL_UI_URL: uiUrl }, logger, client });
  const running = worker.run();
  await app.listen({ host: config.HOST, port: config.PORT });

  const apiUrl = `http://${config.HOST === '0.0.0.0' ? 'localhost' : config.HOST}:${config.PORT}`;
  process.stdout.write(
    [
      '',
      'signal-customerio is running',
      `  API           ${apiUrl}   (install: POST ${apiUrl}/v1/admin/integration-catalog/customer_io/install)`,
      `  Temporal UI   ${uiUrl}`,
      `  Temporal      ${address} (namespace ${config.TEMPORAL_NAMESPACE}, task queue ${config.TEMPORAL_TASK_QUEUE})`,
      `  Admin token   ${config.SIGNAL_ADMIN_TOKEN}`,
      `  Pipeline key  ${config.SIGNAL_PIPELINE_KEY}`,
      generated.length > 0 ? `  (generated ${generated.join(', ')}; kept in ${resolve(DATA_DIR, 'local-secrets.json')}, mode 0600)` : '',
      '  Ctrl-C stops everything.',
      '',
    ].join('\n') + '\n',
  );

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`\n${signal}: stopping the API, the worker, then Temporal…\n`);
    await app.close();
    worker.shutdown();
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
  try {
    await running;
  } finally {
    await client.connection.close();
    await connection.close();
    await core.close();
    await devServer?.stop();
    process.stdout.write('stopped\n');
  }
}

main().catch((err) => {
  process.stderr.write(`${err instanceof ConfigError ? err.message : (err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
