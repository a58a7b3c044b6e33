import { ConfigError, loadConfig } from '../config';
import { buildApi, openCore } from '../core';
import { createLogger } from '../logger';
import { connectClient } from '../temporal/connect';

/** `npm run api`: the management API and event intake alone, against TEMPORAL_ADDRESS. */
async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.LOG_LEVEL);
  const core = await openCore(config);
  const client = await connectClient({ address: config.TEMPORAL_ADDRESS, namespace: config.TEMPORAL_NAMESPACE });
  const { app } = buildApi(core, { config, logger, client });
  await app.listen({ host: config.HOST, port: config.PORT });
  const stop = async () => {
    await app.close();
    await client.connection.close();
    await core.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
}

main().catch((err) => {
  process.stderr.write(`${err instanceof ConfigError ? err.message : (err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
