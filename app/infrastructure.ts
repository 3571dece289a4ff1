import type pg from 'pg';
import type { EventStore } from '../eventstore/port.js';
import { HashChainedEventStore } from '../eventstore/hashChain.js';
import { PostgresEventStore } from '../eventstore/postgres/postgresEventStore.js';
import type { Config } from './config.js';
import { defaultDataDir, startEmbeddedPostgres, type RunningPostgres } from '../platform/database/embeddedPostgres.js';
import { migrate } from '../platform/database/migrate.js';
import { createPool } from '../platform/database/pool.js';
import type { Logger } from '../platform/logger.js';

/** What every process of the desk stands on: the database, its schema and the event store. */
export interface Infrastructure {
  pool: pg.Pool;
  eventStore: EventStore;
  databaseUrl: string;
  embedded: RunningPostgres | undefined;
  close(): Promise<void>;
}

/** The embedded cluster's data folder: EMBEDDED_PG_DIR, or the default place. */
export async function embeddedDataDir(config: Config, logger?: Logger): Promise<string> {
  return config.EMBEDDED_PG_DIR ?? (await defaultDataDir((line) => logger?.warn(line)));
}

export async function openInfrastructure(config: Config, logger: Logger, processName: string): Promise<Infrastructure> {
  let embedded: RunningPostgres | undefined;
  let databaseUrl = config.DATABASE_URL;
  if (!databaseUrl) {
    const started = performance.now();
    embedded = await startEmbeddedPostgres({
      dataDir: await embeddedDataDir(config, logger),
      port: config.EMBEDDED_PG_PORT,
      log: (line) => logger.debug({ component: 'embedded-postgres' }, line),
    });
    if (embedded.startedHere) {
      const admin = createPool(embedded.connectionString(), 1);
      const { rowCount } = await admin.query("SELECT 1 FROM pg_database WHERE datname = 'support_desk'");
      if (!rowCount) await admin.query('CREATE DATABASE support_desk');
      await admin.end();
    }
    databaseUrl = embedded.connectionString('support_desk');
    logger.info(
      { dataDir: embedded.dataDir, port: config.EMBEDDED_PG_PORT, ms: Math.round(performance.now() - started) },
      'embedded postgres ready',
    );
  }
  const pool = createPool(databaseUrl, config.DATABASE_POOL_SIZE, processName);
  try {
    const report = await migrate(pool);
    if (report.applied.length) logger.info({ applied: report.applied }, 'database migrations applied');
  } catch (error) {
    await pool.end();
    await embedded?.stop();
    throw error;
  }
  const eventStore = await createEventStore(config, pool, databaseUrl);
  return {
    pool,
    eventStore,
    databaseUrl,
    embedded,
    async close() {
      await eventStore.close();
      await pool.end();
      await embedded?.stop();
    },
  };
}

/** The configured adapter, wrapped so that every thread's history is hash-chained whatever the store. */
export async function createEventStore(config: Config, pool: pg.Pool, databaseUrl: string): Promise<EventStore> {
  if (config.EVENT_STORE === 'kurrentdb' && config.KURRENTDB_URL) {
    const { KurrentDbEventStore } = await import('../eventstore/kurrentdb/kurrentdbEventStore.js');
    return new HashChainedEventStore(KurrentDbEventStore.connect(config.KURRENTDB_URL));
  }
  return new HashChainedEventStore(new PostgresEventStore(pool, { connectionString: databaseUrl }));
}
