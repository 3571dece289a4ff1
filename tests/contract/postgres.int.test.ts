import { PostgresEventStore } from '../../eventstore/postgres/postgresEventStore.js';
import { createTestDatabase } from '../support/testDatabase.js';
import { eventStoreContract } from './eventStoreContract.js';

eventStoreContract(
  'postgres',
  async () => {
    const db = await createTestDatabase({ poolSize: 40 });
    const store = new PostgresEventStore(db.pool, { connectionString: db.url, pollIntervalMs: 200 });
    return {
      store,
      async appendSlowly(stream, events, delayMs) {
        if (delayMs === 0) {
          await store.append(stream, events);
          return;
        }
        // The same stored function the adapter calls, inside a transaction that stays open
        // (and so invisible) for a while after its sequence numbers were taken.
        const client = await db.pool.connect();
        try {
          await client.query('BEGIN');
          await client.query(
            'SELECT * FROM es_append($1, $2, NULL, $3::uuid[], $4::text[], $5::jsonb[], $6::jsonb[])',
            [
              stream,
              'any',
              events.map((e) => e.id),
              events.map((e) => e.type),
              events.map((e) => JSON.stringify(e.data)),
              events.map((e) => JSON.stringify(e.metadata ?? {})),
            ],
          );
          await client.query('SELECT pg_sleep($1)', [delayMs / 1000]);
          await client.query('COMMIT');
        } finally {
          client.release();
        }
      },
      async cleanup() {
        await store.close();
        await db.drop();
      },
    };
  },
  { reportsDuplicates: true, refusesPartialReappend: true },
);
