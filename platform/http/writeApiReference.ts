import { writeFileSync } from 'node:fs';
import { PostgresEventStore } from '../../eventstore/postgres/postgresEventStore.js';
import { loadConfig } from '../config.js';
import { createPool } from '../database/pool.js';
import { assembleDesk } from '../desk.js';
import { createLogger } from '../logger.js';
import { renderApiReference } from './apiReference.js';

/** `npm run docs:api`: rewrites docs/api.md. Builds the routes only; connects to nothing. */
const url = 'postgres://nobody@127.0.0.1:1/none';
const pool = createPool(url, 1);
const desk = assembleDesk({
  pool,
  databaseUrl: url,
  eventStore: new PostgresEventStore(pool, { connectionString: url }),
  config: loadConfig({}),
  logger: createLogger('silent'),
});
writeFileSync(new URL('../../docs/api.md', import.meta.url), renderApiReference(desk.routes));
await pool.end();
