import { createServer } from 'node:http';
import { ConfigError, loadConfig } from './config.js';
import { assembleDesk } from './desk.js';
import { openInfrastructure } from './infrastructure.js';
import { createLogger } from './logger.js';

/** `npm start`: the whole desk in one process, on the embedded Postgres unless DATABASE_URL is set. */
async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.LOG_LEVEL);
  const infra = await openInfrastructure(config, logger, 'support-desk-api');
  const desk = assembleDesk({ pool: infra.pool, eventStore: infra.eventStore, config, logger });

  const seed = config.SEED_DEMO === 'true' || (config.SEED_DEMO === 'auto' && infra.embedded !== undefined);
  if (seed) {
    const accounts = await desk.accounts.ensureDemoAccounts();
    const assignments = await desk.directory.ensureDemoAssignments();
    console.log(
      [
        '',
        'Demo accounts (password for all: demo-password-1):',
        ...accounts.map(
          (a) => `  ${a.role.padEnd(8)} ${a.email}${a.partnerOrgId ? `  (organisation ${a.partnerOrgId})` : ''}`,
        ),
        `Demo assignments: ${assignments.map((a) => `${a.reference} (${a.partnerOrgId})`).join(', ')}`,
        '',
      ].join('\n'),
    );
  }

  const server = createServer(desk.app);
  server.listen(config.PORT, config.HOST, () => {
    logger.info(
      { url: `http://${config.HOST}:${config.PORT}`, eventStore: infra.eventStore.adapter, docs: '/api/docs' },
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
