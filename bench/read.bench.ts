import { seedThreads } from '../ops/seed.js';
import { formatEta, progressBar } from '../ops/progressBar.js';
import { benchPostgres } from './benchPostgres.js';
import { percentile, startBenchDesk } from './readDesk.js';

/**
 * Inbox page latency through the real HTTP API with BENCH_THREADS threads (default 1,000,000)
 * seeded through the event log (the same path as `npm run ops -- seed`) and projected.
 */
const threads = Number(process.env.BENCH_THREADS ?? 1_000_000);
const iterations = Number(process.env.BENCH_ITERATIONS ?? 200);
const pg = await benchPostgres();
const bench = await startBenchDesk(pg.url);
const agent = await bench.signIn('agent@demo.test');

const seedBar = progressBar('seed');
const seedStart = performance.now();
const events = await seedThreads(bench.eventStore, bench.pool, {
  threads,
  assignments: bench.assignments,
  agents: [{ id: agent.id, name: 'Alex Agent' }],
  onProgress: (d, t) => seedBar.update(d / t, `${d.toLocaleString('en-US')} threads`),
});
seedBar.done(`${events.toLocaleString('en-US')} events in ${((performance.now() - seedStart) / 1000).toFixed(0)}s`);
await bench.desk.engine.plan();
const rebuildBar = progressBar('project');
const rebuildStart = performance.now();
await bench.desk.engine.rebuild('threads', (p) =>
  rebuildBar.update(
    p.fraction,
    `${Math.round(p.eventsPerSecond).toLocaleString('en-US')} events/s ${formatEta(p.etaSeconds)}`,
  ),
);
rebuildBar.done(`in ${((performance.now() - rebuildStart) / 1000).toFixed(0)}s`);
await bench.pool.query('ANALYZE');

async function measure(path: string): Promise<{ median: number; p99: number; items: number }> {
  const times: number[] = [];
  let items = 0;
  for (let i = 0; i < iterations + 10; i++) {
    const t = performance.now();
    const res = await fetch(`${bench.base}${path}`, { headers: { cookie: agent.cookie } });
    const body = (await res.json()) as { items?: unknown[] };
    if (res.status !== 200) throw new Error(`${path} answered ${res.status}`);
    if (i >= 10) times.push(performance.now() - t); // the first ten warm caches
    items = body.items?.length ?? 0;
  }
  times.sort((a, b) => a - b);
  return { median: percentile(times, 50), p99: percentile(times, 99), items };
}

const first = (await (
  await fetch(`${bench.base}/api/support/inbox?status=OPEN&limit=25`, { headers: { cookie: agent.cookie } })
).json()) as {
  nextCursor: string;
};
const cases: [string, string][] = [
  ['all, first page', '/api/support/inbox?limit=25'],
  ['OPEN tab', '/api/support/inbox?status=OPEN&limit=25'],
  ['OPEN + HIGH priority', '/api/support/inbox?status=OPEN&priority=HIGH&limit=25'],
  ['PENDING + query type', '/api/support/inbox?status=PENDING&queryType=PAYMENT&limit=25'],
  ['one organisation', '/api/support/inbox?partnerOrgId=globex&limit=25'],
  ['unassigned', '/api/support/inbox?assigneeId=none&limit=25'],
  ['next page (keyset)', `/api/support/inbox?status=OPEN&limit=25&cursor=${first.nextCursor}`],
  ['search "delivery note"', '/api/support/inbox?q=delivery%20note&limit=25'],
  ['search + OPEN', '/api/support/inbox?q=invoice&status=OPEN&limit=25'],
];
const results: { name: string; median: number; p99: number; items: number }[] = [];
for (const [name, path] of cases) {
  process.stderr.write(`\r\x1b[2Kmeasuring ${name}...`);
  results.push({ name, ...(await measure(path)) });
}
process.stderr.write('\r\x1b[2K');
console.log(
  `\nInbox reads over HTTP, ${threads.toLocaleString('en-US')} threads (${events.toLocaleString('en-US')} events), ${iterations} requests each\n`,
);
console.log('| query | median ms | p99 ms | rows | target median < 20 ms |');
console.log('|---|---:|---:|---:|---|');
for (const r of results) {
  console.log(
    `| ${r.name} | ${r.median.toFixed(1)} | ${r.p99.toFixed(1)} | ${r.items} | ${r.median < 20 ? 'met' : 'MISSED'} |`,
  );
}
await bench.stop();
await pg.stop();
