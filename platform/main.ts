import { createServer } from 'node:http';
import { ConfigError, loadConfig } from './config.js';
import { createApp } from './http/app.js';
import { openInfrastructure } from './infrastructure.js';
import { createLogger } from './logger.js';

/** `npm start`: the whole desk in one process, on the embedded Postgres unless DATABASE_URL is set. */
async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.LOG_LEVEL);
  const infra = await openInfrastructure(config, logger, 'support-desk-api');
  const app = createApp({ logger, pool: infra.pool, eventStore: infra.eventStore, startedAt: new Date() });
  const server = createServer(app);
  server.listen(config.PORT, config.HOST, () => {
    logger.info(
      { url: `http://${config.HOST}:${config.PORT}`, eventStore: infra.eventStore.adapter },
      'support desk listening',
    );
  });

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    server.close();
    server.closeAllConnections();
    await infra.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) {
    console.error(error.message);
  } else {
    console.error('support desk failed to start:', error);
  }
  process.exit(1);
});
