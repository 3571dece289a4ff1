import { randomUUID } from 'node:crypto';
import { PostgresEventStore } from '../eventstore/postgres/postgresEventStore.js';
import { START } from '../eventstore/port.js';
import { migrate } from '../platform/database/migrate.js';
import { createPool } from '../platform/database/pool.js';
import { benchPostgres, progress, throughput } from './benchPostgres.js';

/**
 * Appends per second for 1 and 32 writers and the subscription read rate, beside the raw
 * Postgres commit rate (single-row autocommit inserts) measured on the same server now.
 */
const seconds = Number(process.env.BENCH_SECONDS ?? 5);
const pg = await benchPostgres();
const pool = createPool(pg.url, 40, 'bench');
await migrate(pool);
const store = new PostgresEventStore(pool, { connectionString: pg.url });
await pool.query('CREATE TABLE IF NOT EXISTS bench_raw (id bigserial PRIMARY KEY, payload jsonb NOT NULL)');

const payload = { subject: 'Invoice 4411 was paid twice', body: 'Please check the payment of assignment A-1042.' };
const rows: { name: string; writers: number; value: number; baseline: number }[] = [];

for (const writers of [1, 32]) {
  progress(`raw commits, ${writers} connection(s)...`);
  const raw = await throughput(writers, seconds, async () => {
    await pool.query('INSERT INTO bench_raw (payload) VALUES ($1)', [payload]);
    return 1;
  });
  progress(`appends, ${writers} writer(s)...`);
  const appends = await throughput(writers, seconds, async (w, i) => {
    const stream = `thread-${w}-${Math.floor(i / 50)}-${process.pid}`;
    await store.append(stream, [{ id: randomUUID(), type: 'MessagePosted', data: payload, metadata: {} }]);
    return 1;
  });
  rows.push({ name: 'append (1 event)', writers, value: appends, baseline: raw });
}

progress('subscription read...');
const { rows: countRows } = await pool.query<{ n: string }>('SELECT count(*) AS n FROM es_events');
const total = Number(countRows[0]?.n ?? 0);
const started = performance.now();
const subscription = store.subscribeToAll({ after: START });
let read = 0;
for await (const _ of subscription) if (++read >= total) break;
const readRate = read / ((performance.now() - started) / 1000);
progress('');

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
console.log(
  `\nEvent store benchmark (${seconds}s per figure, Postgres ${pg.url.includes('127.0.0.1') ? 'embedded' : 'DATABASE_URL'})\n`,
);
console.log('| measure | writers | events/s | raw commits/s | ratio |');
console.log('|---|---:|---:|---:|---:|');
for (const r of rows) {
  console.log(
    `| ${r.name} | ${r.writers} | ${fmt(r.value)} | ${fmt(r.baseline)} | ${(r.value / r.baseline).toFixed(2)} |`,
  );
}
console.log(`| subscription read (catch-up) | 1 | ${fmt(readRate)} | | |`);

await store.close();
await pool.end();
await pg.stop();
