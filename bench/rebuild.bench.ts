import { randomUUID } from 'node:crypto';
import { seedThreads } from '../ops/seed.js';
import { formatEta, progressBar } from '../ops/progressBar.js';
import { benchPostgres } from './benchPostgres.js';
import { startBenchDesk } from './readDesk.js';

/**
 * Rebuild rate of the thread read models over BENCH_EVENTS events (default 1,000,000),
 * beside the raw bulk-insert rate of this Postgres (rows with a primary key and a unique
 * index, 10,000 per statement) measured in the same run.
 */
const targetEvents = Number(process.env.BENCH_EVENTS ?? 1_000_000);
const pg = await benchPostgres();
const bench = await startBenchDesk(pg.url);

// raw bulk insert: the physical limit a projection writing rows is bounded by
await bench.pool.query(
  'CREATE TABLE bench_bulk (id bigint PRIMARY KEY, key uuid UNIQUE NOT NULL, payload jsonb NOT NULL)',
);
const rawRows = Math.min(targetEvents, 500_000);
const rawBar = progressBar('raw bulk insert');
const rawStart = performance.now();
for (let start = 0; start < rawRows; start += 10_000) {
  const n = Math.min(10_000, rawRows - start);
  await bench.pool.query(`INSERT INTO bench_bulk SELECT * FROM unnest($1::bigint[], $2::uuid[], $3::jsonb[])`, [
    Array.from({ length: n }, (_, i) => start + i),
    Array.from({ length: n }, () => randomUUID()),
    Array.from({ length: n }, (_, i) =>
      JSON.stringify({ subject: `Invoice ${start + i}`, body: 'Paid twice, please check.' }),
    ),
  ]);
  rawBar.update((start + n) / rawRows);
}
const rawRate = rawRows / ((performance.now() - rawStart) / 1000);
rawBar.done(`${Math.round(rawRate).toLocaleString('en-US')} rows/s`);

// seed about targetEvents events (2.8 events per thread on average)
const seedBar = progressBar('seed');
const events = await seedThreads(bench.eventStore, bench.pool, {
  threads: Math.ceil(targetEvents / 2.8),
  assignments: bench.assignments,
  agents: [{ id: 'bench-agent', name: 'Bea Bench' }],
  onProgress: (d, t) => seedBar.update(d / t),
});
seedBar.done(`${events.toLocaleString('en-US')} events`);

// a live (empty) generation exists, as in production: the rebuild is a real blue/green one
await bench.desk.engine.plan();
const bar = progressBar('rebuild threads');
const started = performance.now();
let peakRss = 0;
await bench.desk.engine.rebuild('threads', (p) => {
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
  bar.update(
    p.fraction,
    `${Math.round(p.eventsPerSecond).toLocaleString('en-US')} events/s ${formatEta(p.etaSeconds)}`,
  );
});
const seconds = (performance.now() - started) / 1000;
const rate = events / seconds;
bar.done(`${seconds.toFixed(1)}s`);

console.log(`\nRebuild of the thread read models (inbox + messages), ${events.toLocaleString('en-US')} events\n`);
console.log('| measure | value | baseline (raw bulk insert rows/s) | ratio |');
console.log('|---|---:|---:|---:|');
console.log(
  `| rebuild events/s | ${Math.round(rate).toLocaleString('en-US')} | ${Math.round(rawRate).toLocaleString('en-US')} | ${(rate / rawRate).toFixed(2)} |`,
);
console.log(`| rebuild time | ${seconds.toFixed(1)} s | | |`);
console.log(`| peak RSS during rebuild | ${Math.round(peakRss / 1048576)} MB | | |`);
await bench.stop();
await pg.stop();
