import { createServer } from 'node:http';
import express from 'express';
import { loadConfig } from '../../../app/config.js';
import { composeApi } from '../../../app/composeApi.js';
import { securityHeaders } from '../../../platform/http/app.js';
import { loadShedding } from '../../../platform/http/loadShedding.js';
import { requestTimeout } from '../../../platform/http/requestTimeout.js';
import { openInfrastructure } from '../../../app/infrastructure.js';
import { createLogger } from '../../../platform/logger.js';

/**
 * The API role of app/main.ts with platform/http/loadShedding.ts and requestTimeout.ts in
 * front of the desk's app, as they are meant to be wired into platform/http/app.ts. The overload
 * test runs it beside the plain API, so the middlewares are proven before (and after) the wiring.
 */
const config = loadConfig();
const logger = createLogger(config.LOG_LEVEL);
const infra = await openInfrastructure(config, logger, 'support-desk-api-shielded');
const desk = composeApi({
  pool: infra.pool,
  databaseUrl: infra.databaseUrl,
  eventStore: infra.eventStore,
  config,
  logger,
  ...(config.AUDIT_SEAL_KEY ? { sealKey: config.AUDIT_SEAL_KEY } : {}),
});
const shield = express();
shield.disable('x-powered-by');
shield.use(securityHeaders);
shield.use(loadShedding());
shield.use(requestTimeout());
shield.use(desk.app);
const server = createServer(shield);
server.listen({ port: config.PORT, host: config.HOST, backlog: 4096 }, () => {
  logger.info({ url: `http://${config.HOST}:${config.PORT}` }, 'support desk listening');
});
const stop = () => {
  server.close();
  server.closeAllConnections();
  void desk
    .close()
    .then(() => infra.close())
    .finally(() => process.exit(0));
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
