import { randomUUID } from 'node:crypto';
import { Session } from 'node:inspector/promises';
import { seedThreads } from '../ops/seed.js';
import { formatEta, progressBar } from '../ops/progressBar.js';
import { benchPostgres } from './benchPostgres.js';
import { profileMarkdown, summariseProfile } from './cpuProfile.js';
import { openEmmett } from './emmett.js';
import { copyLogIntoEmmett, rebuildWithEmmett } from './emmettThreads.js';
import { cpuMeter, describeCpu, rssSampler } from './procStats.js';
import { startBenchDesk } from './readDesk.js';
import { emit, fmt, mb, ratio, type BenchResult } from './report.js';
import { scale, stepLabel } from './scale.js';

/**
 * Rebuild rate of the `threads` read model (inbox + messages) over BENCH_EVENTS events
 * (1,000,000 at full scale), beside, in the same run on the same server:
 *  - the raw bulk-insert rate (rows with a primary key and a unique index, 10,000 per statement);
 *  - Emmett rebuilding an equivalent Pongo document projection over the same events.
 */
const targetEvents = scale.rebuildEvents;
const batchSize = Number(process.env.PROJECTION_BATCH_SIZE ?? 2000);
const pg = await benchPostgres();
const bench = await startBenchDesk(pg.url);

// raw bulk insert: the physical limit a projection writing rows is bounded by
await bench.pool.query(
  'CREATE TABLE bench_bulk (id bigint PRIMARY KEY, key uuid UNIQUE NOT NULL, payload jsonb NOT NULL)',
);
const rawRows = Math.min(targetEvents, scale.rawBulkRows);
const rawBar = progressBar(`${stepLabel}raw bulk insert`);
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
await bench.pool.query('DROP TABLE bench_bulk');

// seed about targetEvents events (2.8 events per thread on average), as `ops seed` does
const seedBar = progressBar(`${stepLabel}seed`);
const seedStart = performance.now();
const events = await seedThreads(bench.eventStore, bench.pool, {
  threads: Math.ceil(targetEvents / 2.8),
  assignments: bench.assignments,
  agents: [{ id: 'bench-agent', name: 'Bea Bench' }],
  onProgress: (d, t) => seedBar.update(d / t),
});
const seedSeconds = (performance.now() - seedStart) / 1000;
seedBar.done(`${events.toLocaleString('en-US')} events`);
await bench.pool.query('VACUUM ANALYZE es_events');

// a live (empty) generation exists, as in production: the rebuild is a real blue/green one
await bench.desk.engine.plan();
const profiler = new Session();
profiler.connect();
await profiler.post('Profiler.enable');
await profiler.post('Profiler.start');
const bar = progressBar(`${stepLabel}rebuild threads (ours)`);
const rss = rssSampler(process.pid, 100, { currentOnly: true });
const ourCpu = await cpuMeter(bench.pool);
const started = performance.now();
let caughtUpAt: number | undefined;
await bench.desk.engine.rebuild('threads', (p) => {
  rss.sample();
  if (p.done && caughtUpAt === undefined) caughtUpAt = performance.now();
  bar.update(
    p.fraction,
    `${Math.round(p.eventsPerSecond).toLocaleString('en-US')} events/s ${formatEta(p.etaSeconds)}`,
  );
});
const seconds = (performance.now() - started) / 1000;
const catchUpSeconds = ((caughtUpAt ?? performance.now()) - started) / 1000;
const ourSplit = ourCpu();
const peakRss = rss.stop();
const { profile } = await profiler.post('Profiler.stop');
profiler.disconnect();
const rate = events / seconds;
bar.done(`${seconds.toFixed(1)}s`);

// Emmett: the same events through its appendToStream, then its rebuild of the document projection
const emmett = await openEmmett(pg.url, 20);
const copyBar = progressBar(`${stepLabel}copy the log into Emmett`);
const copied = await copyLogIntoEmmett(bench.pool, (n) => copyBar.update(n / events));
copyBar.done(`${copied.toLocaleString('en-US')} events`);
await bench.pool.query('VACUUM ANALYZE emt_messages');
const emmettBar = progressBar(`${stepLabel}rebuild threads (Emmett)`);
let handled = 0;
let lastDraw = 0;
const emmettCpu = await cpuMeter(bench.pool);
const emmettStart = performance.now();
const { stopped } = await rebuildWithEmmett(pg.url, batchSize, scale.emmettRebuildSeconds, () => {
  handled++;
  if (performance.now() - lastDraw > 250) {
    lastDraw = performance.now();
    const elapsed = (lastDraw - emmettStart) / 1000;
    emmettBar.update(
      handled / copied,
      `${Math.round(handled / elapsed).toLocaleString('en-US')} events/s ${formatEta(((copied - handled) * elapsed) / handled)}`,
    );
  }
});
const emmettSeconds = (performance.now() - emmettStart) / 1000;
// its backends have just closed: give the postmaster a moment to reap them (their CPU moves to it)
await new Promise((r) => setTimeout(r, 1000));
const emmettSplit = { ...emmettCpu(), wallSeconds: emmettSeconds };
const emmettRate = handled / emmettSeconds;
emmettBar.done(`${emmettSeconds.toFixed(1)}s`);
const { rows: docs } = await bench.pool.query<{ n: string }>('SELECT count(*) AS n FROM bench_threads');
const { rows: inbox } = await bench.pool.query<{ n: string }>('SELECT count(*) AS n FROM support_inbox');

const result: BenchResult = {
  id: 'rebuild',
  title: 'Rebuild of the thread read model',
  method:
    `${fmt(events)} events (${fmt(Math.ceil(targetEvents / 2.8))} threads seeded through the log as \`ops seed\` does: raised, answered, resolved or closed) ` +
    `projected from the start of the log. **Ours**: \`ProjectionEngine.rebuild('threads')\` — a blue/green rebuild into a new generation ` +
    `(unlogged tables, batches of ${fmt(batchSize)} events read, parsed with zod, folded and written set-based, then the secondary indexes, SET LOGGED and the view swap), ` +
    `all included in the time. **Emmett**: the same events bulk-copied into Emmett's \`emt_messages\` in log order (as its \`emt_append_to_stream\` writes them), then ` +
    `\`rebuildPostgreSQLProjections\` of a \`pongoSingleStreamProjection\` whose document per thread holds the same inbox row (folded with the same \`foldInbox\`) and the thread's messages; ` +
    `batches of ${fmt(batchSize)}, no pause between batches (Emmett's defaults, 100 events and 50 ms, would cap it near 2,000 events/s), no secondary indexes; ` +
    `stopped after ${scale.emmettRebuildSeconds} s if not done (BENCH_EMMETT_SECONDS), its rate then taken over the events it handled. ` +
    `**Raw bulk insert**: ${fmt(rawRows)} rows with a primary key and a unique uuid index, 10,000 per \`INSERT … SELECT unnest(…)\`: the rate at which this Postgres takes rows at all.`,
  tables: [
    {
      columns: ['measure', 'events', 'seconds', 'events/s', 'ours ÷ this'],
      numeric: [1, 2, 3, 4],
      rows: [
        ['ours: rebuild `threads` (blue/green)', fmt(events), seconds.toFixed(1), fmt(rate), ''],
        [
          'Emmett: rebuild Pongo document projection',
          fmt(handled),
          emmettSeconds.toFixed(1),
          fmt(emmettRate),
          ratio(rate, emmettRate),
        ],
        [
          'raw bulk insert (rows, PK + unique index)',
          fmt(rawRows),
          (rawRows / rawRate).toFixed(1),
          fmt(rawRate),
          ratio(rate, rawRate),
        ],
      ],
    },
    {
      caption: 'Context:',
      columns: ['measure', 'value'],
      rows: [
        [
          'our rebuild: catch-up (read, parse, fold, write) / then indexes, SET LOGGED, swap',
          `${catchUpSeconds.toFixed(1)} s (${fmt(events / catchUpSeconds)} events/s) / ${(seconds - catchUpSeconds).toFixed(1)} s`,
        ],
        ['seeding the log (bulk, chained)', `${seedSeconds.toFixed(1)} s`],
        ['events copied into Emmett’s `emt_messages` (bulk, in log order)', fmt(copied)],
        [
          'Emmett’s rebuild',
          stopped
            ? `stopped after ${scale.emmettRebuildSeconds} s (BENCH_EMMETT_SECONDS) at ${fmt(handled)} of ${fmt(copied)} events: its rate is over those`
            : `ran to the end (${fmt(handled)} events handled)`,
        ],
        [
          'threads in our inbox after the rebuild / documents in Emmett’s collection',
          `${fmt(Number(inbox[0]?.n))} / ${fmt(Number(docs[0]?.n))}`,
        ],
        ['peak RSS of the rebuilding process (sampled during our rebuild)', mb(peakRss)],
        ['CPU during our rebuild', describeCpu(ourSplit, { self: 'Node (rebuild)' })],
        ['CPU during Emmett’s rebuild', describeCpu(emmettSplit, { self: 'Node (Emmett)' })],
      ],
    },
  ],
  targets: [
    { name: 'rebuild rate', value: `${fmt(rate)} events/s`, target: '≥ 50,000 events/s', met: rate >= 50_000 },
    { name: 'rebuild vs Emmett', value: ratio(rate, emmettRate), target: '≥ 2×', met: rate / emmettRate >= 2 },
  ],
  chart: {
    title: `Rebuild: events/s over ${fmt(events)} events`,
    unit: 'events/s (rows/s for the raw insert)',
    groups: [
      {
        label: 'rebuild',
        bars: [
          { series: 'ours (threads)', value: rate },
          { series: 'Emmett (Pongo)', value: emmettRate },
          { series: 'raw bulk insert', value: rawRate },
        ],
      },
    ],
  },
  findings: [
    profileMarkdown(
      summariseProfile(profile as Parameters<typeof summariseProfile>[0]),
      'CPU profile of the rebuilding Node process during our rebuild (inspector sampling)',
    ),
  ],
  figures: { rebuildPeakRss: peakRss },
};
await emit(result);

await emmett.close();
await bench.stop();
await pg.stop();
