import type pg from 'pg';
import { WrongExpectedVersionError, type EventToAppend, type ExpectedRevision } from '../../eventstore/port.js';
import { PostgresEventStore } from '../../eventstore/postgres/postgresEventStore.js';
import { createPool } from '../../platform/database/pool.js';
import { freePort } from '../support/freePort.js';
import { createTestDatabase } from '../support/testDatabase.js';
import { eventStoreContract } from './eventStoreContract.js';
import { eventStoreOrderingContract } from './eventStoreOrderingContract.js';
import { eventStoreParityContract, type ParityHarness } from './eventStoreParityContract.js';

async function open(): Promise<ParityHarness> {
  {
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
      async unreachable() {
        // a port with nothing listening: every connection is refused
        const pool = createPool(`postgres://postgres:embedded@127.0.0.1:${await freePort()}/none`, 2, 'test');
        const down = new PostgresEventStore(pool, { connectionString: pool.options.connectionString! });
        const closeStore = down.close.bind(down);
        down.close = async () => {
          await closeStore();
          await pool.end();
        };
        return down;
      },
      async cleanup() {
        await store.close();
        await db.drop();
      },
    };
  }
}

eventStoreContract('postgres', open, { reportsDuplicates: true, refusesPartialReappend: true });
eventStoreParityContract('postgres', open, { idsUniqueAcrossStreams: true, capabilities: ['unreachable'] });

eventStoreOrderingContract(
  'postgres',
  async () => {
    const db = await createTestDatabase({ poolSize: 48 });
    const store = new PostgresEventStore(db.pool, { connectionString: db.url, pollIntervalMs: 200 });
    /** The stored function `es_append`, in a transaction the caller commits. */
    async function appendInTransaction(
      client: pg.PoolClient,
      stream: string,
      events: EventToAppend[],
      expected: ExpectedRevision,
    ) {
      try {
        await client.query('SELECT * FROM es_append($1, $2, $3, $4::uuid[], $5::text[], $6::jsonb[], $7::jsonb[])', [
          stream,
          typeof expected === 'number' ? 'revision' : expected,
          typeof expected === 'number' ? expected : null,
          events.map((e) => e.id),
          events.map((e) => e.type),
          events.map((e) => JSON.stringify(e.data)),
          events.map((e) => JSON.stringify(e.metadata ?? {})),
        ]);
      } catch (error) {
        const { code, detail } = error as { code?: string; detail?: string };
        if (code !== 'ES001') throw error;
        throw new WrongExpectedVersionError(stream, expected, detail === 'no_stream' ? 'no_stream' : Number(detail));
      }
    }
    return {
      store,
      async appendHeld(stream, events, expected, holdMs) {
        const client = await db.pool.connect();
        try {
          await client.query('BEGIN');
          await appendInTransaction(client, stream, events, expected);
          await client.query('SELECT pg_sleep($1)', [holdMs / 1000]);
          await client.query('COMMIT');
        } catch (error) {
          await client.query('ROLLBACK');
          throw error;
        } finally {
          client.release();
        }
      },
      async openAppend(stream, event) {
        const client = await db.pool.connect();
        await client.query('BEGIN');
        await appendInTransaction(client, stream, [event], 'any');
        return {
          async commit() {
            await client.query('COMMIT');
            client.release();
          },
        };
      },
      async cleanup() {
        await store.close();
        await db.drop();
      },
    };
  },
  { holdsTransactions: true },
);
