import { writeFileSync } from 'node:fs';
import { PostgresEventStore } from '../eventstore/postgres/postgresEventStore.js';
import { loadConfig } from './config.js';
import { createPool } from '../platform/database/pool.js';
import { composeApi } from './composeApi.js';
import { createLogger } from '../platform/logger.js';
import { renderApiReference } from '../platform/http/apiReference.js';
import { API_TYPES_FILE, renderApiTypes } from '../platform/http/apiTypes.js';
import { buildOpenApiDocument } from '../platform/http/openapi.js';

/** `npm run docs:api`: rewrites docs/api.md and web/src/lib/api-types.ts. Builds the routes only; connects to nothing. */
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
writeFileSync(API_TYPES_FILE, await renderApiTypes(buildOpenApiDocument(desk.routes, '0.1.0')));
await pool.end();
