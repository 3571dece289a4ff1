import { getPostgreSQLEventStore, type PostgresEventStore as EmmettStore } from '@event-driven-io/emmett-postgresql';
import pg from 'pg';

/**
 * Emmett's PostgreSQL event store (`@event-driven-io/emmett-postgresql`), the baseline our
 * store is compared with: its own schema (emt_streams, emt_messages) on the same Postgres,
 * with a pool as large as ours, so that neither side is starved of connections.
 */
export async function openEmmett(
  url: string,
  poolSize: number,
): Promise<{ store: EmmettStore; close: () => Promise<void> }> {
  const pool = new pg.Pool({ connectionString: url, max: poolSize });
  pool.on('error', () => undefined);
  const store = getPostgreSQLEventStore(url, { connectionOptions: { connectionString: url, pool } });
  await store.schema.migrate();
  return {
    store,
    async close() {
      await store.close();
      await pool.end().catch(() => undefined);
    },
  };
}
