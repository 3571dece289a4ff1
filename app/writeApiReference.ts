import { writeFileSync } from 'node:fs';
import { PostgresEventStore } from '../eventstore/postgres/postgresEventStore.js';
import { loadConfig } from './config.js';
import { createPool } from '../platform/database/pool.js';
import { composeApi } from './composeApi.js';
import { createLogger } from '../platform/logger.js';
import { renderApiReference } from '../platform/http/apiReference.js';

/** `npm run docs:api`: rewrites docs/api.md. Builds the routes only; connects to nothing. */
const url = 'postgres://nobody@127.0.0.1:1/none';
const pool = createPool(url, 1);
const desk = composeApi({
  pool,
  databaseUrl: url,
  eventStore: new PostgresEventStore(pool, { connectionString: url }),
  config: loadConfig({}),
  logger: createLogger('silent'),
});
writeFileSync(new URL('../docs/api.md', import.meta.url), renderApiReference(desk.routes));
await pool.end();
