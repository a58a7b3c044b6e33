import { Client } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { resolve } from 'node:path';
import { startApi } from './api/build';
import { DATA_FILES, EMBEDDED_WORKFLOW_TASK_SLOTS, loadConfig, loadStartSettings } from './config';
import { preparePrivateDataDir } from './local/data-dir';
import { loadOrCreateLocalSecrets, type LocalSecrets } from './local/secrets';
import { createLogger } from './logger';
import { openCore } from './service/core';
import { runMain } from './service/process';
import { type DevServer, startDevServer } from './temporal/dev-server';
import { startConfiguredMetricsServer } from './observability/metrics-server';
import { installTemporalRuntime, temporalMetricsAddress } from './temporal/runtime-logger';
import { sharedOrderNotifier, startWorker } from './worker/create-worker';

/**
 * `npm start`: everything in one process with sane defaults. Unless TEMPORAL_ADDRESS is set it runs Temporal's dev
 * server (SQLite under ./data, Web UI on 8233); then the SQLite store, the delivery worker and the API on 8084.
 * Ctrl-C stops all of it: the API first, then the worker (in-flight attempts finish), then Temporal.
 */
runMain(
  async () => {
    const settings = loadStartSettings();
    const dataDir = resolve(settings.SIGNAL_DATA_DIR);
    // Whatever this process and the Temporal dev server it starts create (the SQLite files and their -wal and -shm
    // companions, the secrets file) is readable by its owner alone.
    process.umask(0o077);
    preparePrivateDataDir(dataDir);
    const secretsFile = resolve(dataDir, DATA_FILES.secrets);
    const { secrets, sources, generated } = loadOrCreateLocalSecrets(secretsFile, process.env);
    const config = loadConfig({
      DATABASE_URL: `sqlite:${resolve(dataDir, DATA_FILES.db)}`,
      WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: String(EMBEDDED_WORKFLOW_TASK_SLOTS),
      ...process.env,
      ...secrets,
    });
    const logger = createLogger(config.LOG_LEVEL);
    const temporalMetrics = temporalMetricsAddress(config);
    installTemporalRuntime(logger, { metricsAddress: temporalMetrics });

    let devServer: DevServer | undefined;
    let address = config.TEMPORAL_ADDRESS;
    let uiUrl = config.TEMPORAL_UI_URL;
    if (settings.embedTemporal) {
      process.stdout.write('Starting the Temporal dev server…\n');
      const uiPort = settings.TEMPORAL_UI_PORT ?? settings.TEMPORAL_DEV_PORT + 1000;
      devServer = await startDevServer({
        port: settings.TEMPORAL_DEV_PORT,
        uiPort,
        dbFile: resolve(dataDir, DATA_FILES.temporal),
        namespace: config.TEMPORAL_NAMESPACE,
      });
      address = devServer.address;
      uiUrl = `http://localhost:${uiPort}`;
    }
    const embedded = { ...config, TEMPORAL_ADDRESS: address, TEMPORAL_UI_URL: uiUrl };

    const core = await openCore(embedded, { logger });
    const connection = await NativeConnection.connect({ address });
    // Shared by the worker and the intake: a person's later events start eagerly and wait for the earlier ones in this
    // worker, told by the intake that they are on their way (src/client/start-in-order.ts).
    const localOrder = sharedOrderNotifier(config);
    const worker = await startWorker(core, embedded, connection, { logger, order: localOrder });
    // The API's client shares the worker's connection, so a delivery's first workflow task can come straight back
    // with its start (eager workflow start): no round trip through the task queue.
    const client = new Client({ connection, namespace: config.TEMPORAL_NAMESPACE });
    const api = await startApi(core, { config: embedded, logger, client, eagerStart: true, localOrder });
    const metrics = await startConfiguredMetricsServer(config);

    const apiUrl = `http://${config.HOST === '0.0.0.0' ? 'localhost' : config.HOST}:${config.PORT}`;
    // A secret is printed only the one time it is made; after that the banner says where it is kept.
    const secret = (key: keyof LocalSecrets) =>
      ({ generated: secrets[key], environment: `(from $${key})`, file: `(in ${secretsFile})` })[sources[key]];
    process.stdout.write(
      [
        '',
        'signal-customerio is running',
        `  API           ${apiUrl}   (install: POST ${apiUrl}/v1/admin/integration-catalog/customer_io/install)`,
        `  Temporal UI   ${uiUrl}`,
        `  Temporal      ${address} (namespace ${config.TEMPORAL_NAMESPACE}, task queue ${config.TEMPORAL_TASK_QUEUE})`,
        `  Metrics       ${apiUrl}/metrics${metrics ? ` and ${metrics.url}` : ''}${temporalMetrics ? `; Temporal SDK: http://${temporalMetrics}/metrics` : ''}`,
        `  Admin token   ${secret('SIGNAL_ADMIN_TOKEN')}`,
        `  Pipeline key  ${secret('SIGNAL_PIPELINE_KEY')}`,
        generated.length > 0 ? `  (generated ${generated.join(', ')}; kept in ${secretsFile}, mode 0600)` : '',
        '  Ctrl-C stops everything.',
        '',
      ].join('\n') + '\n',
    );

    return {
      running: worker.running,
      stop: [
        api.stop,
        () => metrics?.close(),
        worker.stop,
        () => connection.close(),
        () => core.close(),
        () => devServer?.stop(),
        () => process.stdout.write('stopped\n'),
      ],
    };
  },
  { onSignal: (signal) => process.stdout.write(`\n${signal}: stopping the API, the worker, then Temporal…\n`) },
);
