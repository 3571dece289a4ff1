import http from 'node:http';
import { seedThreads } from '../ops/seed.js';
import { formatEta, progressBar } from '../ops/progressBar.js';
import { inboxPageSql, type InboxFilter } from '../read-api/inboxQuery.js';
import { startApiProcess } from './apiProcess.js';
import { benchPostgres, progress } from './benchPostgres.js';
import { profileMarkdown, readProfile, summariseProfile } from './cpuProfile.js';
import { percentile, startBenchDesk } from './readDesk.js';
import { emit, fmt, ms, ratio, type BenchResult, type TargetCheck } from './report.js';
import { scale, stepLabel } from './scale.js';

/**
 * Inbox page latency through the real HTTP API with BENCH_THREADS threads (1,000,000 at full
 * scale) seeded through the event log (as `ops seed` does) and projected. Beside each query:
 * the same HTTP round trip to GET /api/auth/me (session check, no inbox query) as the fixed
 * cost, and the query's own execution time in Postgres (EXPLAIN ANALYZE).
 */
const threads = scale.readThreads;
const iterations = scale.readIterations;
const pg = await benchPostgres();
const bench = await startBenchDesk(pg.url);
const agent = await bench.signIn('agent@demo.test');

const seedBar = progressBar(`${stepLabel}seed`);
const seedStart = performance.now();
const events = await seedThreads(bench.eventStore, bench.pool, {
  threads,
  assignments: bench.assignments,
  agents: [{ id: agent.id, name: 'Alex Agent' }],
  onProgress: (d, t) => seedBar.update(d / t, `${d.toLocaleString('en-US')} threads`),
});
const seedSeconds = (performance.now() - seedStart) / 1000;
seedBar.done(`${events.toLocaleString('en-US')} events in ${seedSeconds.toFixed(0)}s`);
await bench.desk.engine.plan();
const rebuildBar = progressBar(`${stepLabel}project`);
const rebuildStart = performance.now();
await bench.desk.engine.rebuild('threads', (p) =>
  rebuildBar.update(
    p.fraction,
    `${Math.round(p.eventsPerSecond).toLocaleString('en-US')} events/s ${formatEta(p.etaSeconds)}`,
  ),
);
const projectSeconds = (performance.now() - rebuildStart) / 1000;
rebuildBar.done(`in ${projectSeconds.toFixed(0)}s`);
await bench.pool.query('VACUUM ANALYZE');

// measured against the API alone (`npm start -- api`) in a process of its own, as it is deployed
// to scale out; a keep-alive client, one request at a time
progress(`${stepLabel}starting the API process...`);
let api = await startApiProcess(pg.url, { roles: ['api'], readyPath: '/healthz' });
let reader = await api.signIn('agent@demo.test');
let agentPool = new http.Agent({ keepAlive: true, maxSockets: 1 });

function get(path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get(`${api.base}${path}`, { agent: agentPool, headers: { cookie: reader.cookie } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
  });
}

async function measure(path: string): Promise<{ median: number; p99: number; items: number }> {
  const times: number[] = [];
  let items = 0;
  for (let i = 0; i < iterations + 10; i++) {
    const t = performance.now();
    const res = await get(path);
    if (i >= 10) times.push(performance.now() - t); // the first ten warm caches
    if (res.status !== 200) throw new Error(`${path} answered ${res.status}: ${res.body.slice(0, 200)}`);
    items = ((JSON.parse(res.body) as { items?: unknown[] }).items ?? []).length;
  }
  times.sort((a, b) => a - b);
  return { median: percentile(times, 50), p99: percentile(times, 99), items };
}

/** The query's execution in Postgres alone, and its plan. */
async function explain(filter: InboxFilter): Promise<{ executionMs: number; plan: string }> {
  const { sql, params } = inboxPageSql(filter, 'i.*');
  const { rows } = await bench.pool.query<{ 'QUERY PLAN': string }>(`EXPLAIN (ANALYZE, BUFFERS) ${sql}`, params);
  const lines = rows.map((r) => r['QUERY PLAN']);
  const execution = Number(/Execution Time: ([\d.]+)/.exec(lines.join('\n'))?.[1] ?? NaN);
  return { executionMs: execution, plan: lines.join('\n') };
}

const firstPage = JSON.parse((await get('/api/support/inbox?status=OPEN&limit=25')).body) as { nextCursor: string };
const cases: [string, string, InboxFilter][] = [
  ['all, first page', '/api/support/inbox?limit=25', { limit: 25 }],
  ['OPEN tab', '/api/support/inbox?status=OPEN&limit=25', { status: 'OPEN', limit: 25 }],
  [
    'OPEN + HIGH priority',
    '/api/support/inbox?status=OPEN&priority=HIGH&limit=25',
    { status: 'OPEN', priority: 'HIGH', limit: 25 },
  ],
  [
    'PENDING + query type',
    '/api/support/inbox?status=PENDING&queryType=PAYMENT&limit=25',
    { status: 'PENDING', queryType: 'PAYMENT', limit: 25 },
  ],
  ['one organisation', '/api/support/inbox?partnerOrgId=globex&limit=25', { partnerOrgId: 'globex', limit: 25 }],
  ['unassigned', '/api/support/inbox?assigneeId=none&limit=25', { assigneeId: 'none', limit: 25 }],
  [
    'next page (keyset)',
    `/api/support/inbox?status=OPEN&limit=25&cursor=${firstPage.nextCursor}`,
    { status: 'OPEN', cursor: firstPage.nextCursor, limit: 25 },
  ],
  ['search "delivery note"', '/api/support/inbox?q=delivery%20note&limit=25', { q: 'delivery note', limit: 25 }],
  ['search + OPEN', '/api/support/inbox?q=invoice&status=OPEN&limit=25', { q: 'invoice', status: 'OPEN', limit: 25 }],
];

progress(`${stepLabel}measuring the fixed cost (GET /api/auth/me)...`);
const fixed = await measure('/api/auth/me');
const results: { name: string; median: number; p99: number; items: number; sqlMs: number; plan: string }[] = [];
for (const [name, path, filter] of cases) {
  progress(`${stepLabel}measuring ${name}...`);
  const m = await measure(path);
  const e = await explain(filter);
  results.push({ name, ...m, sqlMs: e.executionMs, plan: e.plan });
}
const met = (r: { median: number; p99: number }) => r.median < 10 && r.p99 < 50;
const findings: string[] = [];
const slowest = [...results].sort((a, b) => b.median - a.median)[0];
if (slowest && (!met(slowest) || process.env.BENCH_PROFILE === '1')) {
  // evidence: where the API process spends a request, under --cpu-prof, on the slowest query
  progress(`${stepLabel}profiling the API (--cpu-prof) on "${slowest.name}"...`);
  agentPool.destroy();
  await api.stop();
  const spawned = performance.now();
  api = await startApiProcess(pg.url, { roles: ['api'], readyPath: '/healthz', cpuProfile: true });
  const startup = (performance.now() - spawned) / 1000;
  reader = await api.signIn('agent@demo.test');
  agentPool = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const path = cases.find(([name]) => name === slowest.name)![1];
  const until = performance.now() + 8000;
  while (performance.now() < until) await get(path);
  await api.stop();
  const profile = await readProfile(api.logDir);
  await api.removeFiles();
  if (profile)
    findings.push(
      profileMarkdown(
        summariseProfile(profile, { skipSeconds: startup + 1 }),
        `CPU profile of the API process (\`node --cpu-prof\`) answering "${slowest.name}" one request at a time for 8 s (start-up skipped)`,
      ),
    );
}
progress('');

const targets: TargetCheck[] = results.map((r) => ({
  name: `${r.name}: median / p99`,
  value: `${ms(r.median)} / ${ms(r.p99)} ms`,
  target: '< 10 / < 50 ms',
  met: met(r),
}));
const missed = results.filter((r) => !met(r));

const result: BenchResult = {
  id: 'reads',
  title: 'Inbox reads',
  method:
    `${fmt(threads)} threads (${fmt(events)} events, seeded through the log in ${seedSeconds.toFixed(0)} s and projected in ${projectSeconds.toFixed(0)} s) behind the real HTTP API ` +
    `(\`app/main.ts api\` in a process of its own), \`GET /api/support/inbox\` as agent@demo.test over a keep-alive connection, ${iterations} sequential requests per query after 10 warm-up requests. ` +
    `Baseline: \`GET /api/auth/me\` over the same HTTP path and session (${ms(fixed.median)} ms median, ${ms(fixed.p99)} ms p99): the fixed cost of a request before any inbox query. ` +
    `"SQL ms": the page query alone in Postgres (EXPLAIN ANALYZE of the statement the route runs).`,
  tables: [
    {
      columns: ['query', 'median ms', 'p99 ms', 'rows', 'median ÷ /auth/me', 'SQL ms', 'target median < 10, p99 < 50'],
      numeric: [1, 2, 3, 4, 5],
      rows: results.map((r) => [
        r.name,
        ms(r.median),
        ms(r.p99),
        String(r.items),
        ratio(r.median, fixed.median),
        ms(r.sqlMs),
        met(r) ? 'met' : '**missed**',
      ]),
    },
  ],
  targets,
  chart: {
    title: `Inbox reads at ${fmt(threads)} threads: latency`,
    unit: 'ms',
    groups: results.map((r) => ({
      label: r.name.replace(/ \(.*\)/, '').slice(0, 16),
      bars: [
        { series: 'median', value: r.median },
        { series: 'p99', value: r.p99 },
        { series: 'SQL (EXPLAIN ANALYZE)', value: r.sqlMs },
      ],
    })),
  },
  findings: [
    ...findings,
    ...missed.map(
      (r) =>
        `Plan of "${r.name}" (median ${ms(r.median)} ms, SQL ${ms(r.sqlMs)} ms):\n\n\`\`\`\n${r.plan
          .split('\n')
          .slice(0, 24)
          .join('\n')}\n\`\`\``,
    ),
  ],
};
await emit(result);
agentPool.destroy();
await api.stop();
await bench.stop();
await pg.stop();
