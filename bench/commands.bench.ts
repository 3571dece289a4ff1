import autocannon from 'autocannon';
import { migrate } from '../platform/database/migrate.js';
import { createPool } from '../platform/database/pool.js';
import { startApiProcess, type ApiProcess, type Session } from './apiProcess.js';
import { benchPostgres, progress } from './benchPostgres.js';
import { profileMarkdown, readProfile, summariseProfile } from './cpuProfile.js';
import { cpuMeter, describeCpu, memoryOf, rssSampler, type CpuSplit } from './procStats.js';
import { percentile } from './readDesk.js';
import { emit, fmt, mb, ms, ratio, type BenchResult, type TargetCheck } from './report.js';
import { scale, stepLabel } from './scale.js';

/**
 * Commands over HTTP against the real server in a child process: RaiseQuery (a partner opens
 * a thread) and PostMessage (an agent replies on one of the threads raised before) at 1, 16 and
 * 64 concurrent clients, with autocannon, each client on a signed-in session cookie with its
 * CSRF token. Beside each: durable one-row commits on as many connections as the API's pool
 * lets it use (a command cannot commit faster), measured in the same run.
 */
const seconds = scale.commandSeconds;
const clientCounts = [1, 16, 64];
const API_POOL = 20; // DATABASE_POOL_SIZE default: the connections the API process has
const pg = await benchPostgres();
const pool = createPool(pg.url, API_POOL + 4, 'bench');
await migrate(pool);
await pool.query('CREATE TABLE IF NOT EXISTS bench_commit (id bigserial PRIMARY KEY, at timestamptz NOT NULL)');

let api: ApiProcess = await startApiProcess(pg.url);
const idleRss = memoryOf(api.pid)?.rss ?? NaN;
const partner = await api.signIn('partner@acme.test');
const agent = await api.signIn('agent@demo.test');

const raiseBody = JSON.stringify({
  assignmentId: 'asg-1001',
  queryType: 'PAYMENT',
  priority: 'HIGH',
  subject: 'Invoice 4411 was paid twice',
  body: 'Our accounts show two payments for invoice 4411 on assignment A-1042. Could you check and refund one?',
});
const replyBody = JSON.stringify({
  body: 'Thanks, we are checking the payment with accounts and will come back today.',
});
const headersOf = (s: Session) => ({ 'content-type': 'application/json', cookie: s.cookie, 'x-csrf-token': s.csrf });

interface Run {
  operation: string;
  clients: number;
  perSecond: number;
  median: number;
  p99: number;
  non2xx: number;
  errors: number;
  cpu: CpuSplit;
  /** Durable commits (all sessions of the bench database) and WAL flushes per command. */
  commitsPerCommand: number;
  walSyncsPerCommand: number;
  baseline: { perSecond: number; median: number; p99: number };
}

async function rawCommits(connections: number): Promise<Run['baseline']> {
  const latencies: number[] = [];
  const deadline = performance.now() + Math.min(seconds, 3) * 1000;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: connections }, async () => {
      while (performance.now() < deadline) {
        const t = performance.now();
        await pool.query('INSERT INTO bench_commit (at) VALUES (now())');
        latencies.push(performance.now() - t);
      }
    }),
  );
  latencies.sort((a, b) => a - b);
  return {
    perSecond: latencies.length / ((performance.now() - started) / 1000),
    median: percentile(latencies, 50),
    p99: percentile(latencies, 99),
  };
}

async function load(clients: number, duration: number, request: autocannon.Request) {
  return autocannon({ url: api.base, connections: clients, duration, requests: [request] });
}

async function threadIds(limit: number): Promise<string[]> {
  const { rows } = await pool.query<{ stream_name: string }>(
    `SELECT stream_name FROM es_streams WHERE stream_name LIKE 'thread-%' LIMIT $1`,
    [limit],
  );
  return rows.map((r) => r.stream_name.slice('thread-'.length));
}

/**
 * What the API's database sessions were doing, sampled from pg_stat_activity every 20 ms:
 * waiting for the client (the API process), for the WAL flush (commit), for a lock, or running.
 */
function waitSampler() {
  const counts = new Map<string, number>();
  let samples = 0;
  let running = true;
  const loop = (async () => {
    while (running) {
      const { rows } = await pool.query<{ w: string; q: string }>(
        `SELECT CASE WHEN state = 'idle in transaction' THEN 'idle in transaction'
                ELSE coalesce(wait_event_type || ':' || wait_event, 'running (CPU)') END AS w, left(regexp_replace(query, '\\s+', ' ', 'g'), 60) AS q
           FROM pg_stat_activity WHERE application_name LIKE 'support-desk%' AND state IN ('active', 'idle in transaction')`,
      );
      samples++;
      for (const r of rows) counts.set(`${r.w} | ${r.q}`, (counts.get(`${r.w} | ${r.q}`) ?? 0) + 1);
      await new Promise((r) => setTimeout(r, 20));
    }
  })();
  return {
    async stop(): Promise<string> {
      running = false;
      await loop;
      const top = [...counts].sort((a, b) => b[1] - a[1]).slice(0, 12);
      return [
        `Database sessions of the API during the same run (${samples} samples of \`pg_stat_activity\`, 20 ms apart; 'idle in transaction' is Postgres waiting for the API inside a transaction):`,
        '',
        '| sessions on average | wait | statement |',
        '|---:|---|---|',
        ...top.map(([k, n]) => {
          const [w, q] = k.split(' | ');
          return `| ${(n / Math.max(1, samples)).toFixed(2)} | ${w} | \`${(q ?? '').replaceAll('|', '/').replaceAll('`', "'")}\` |`;
        }),
      ].join('\n');
    },
  };
}

/** Transactions committed in the bench database and WAL flushes of the server, so far. */
async function commitCounters(): Promise<{ commits: number; walSyncs: number }> {
  // backends report their counters at most once a second: let the last ones arrive
  await new Promise((r) => setTimeout(r, 1200));
  await pool.query('SELECT pg_stat_clear_snapshot()');
  const { rows } = await pool.query<{ commits: string; syncs: string }>(
    `SELECT (SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()) AS commits,
            (SELECT wal_sync FROM pg_stat_wal) AS syncs`,
  );
  return { commits: Number(rows[0]?.commits ?? NaN), walSyncs: Number(rows[0]?.syncs ?? NaN) };
}

const runs: Run[] = [];
const rss = rssSampler(api.pid);
// a short warm-up (JIT, pools, prepared plans), not measured
await load(4, 1, { method: 'POST', path: '/api/support/threads', headers: headersOf(partner), body: raiseBody });

for (const operation of ['RaiseQuery', 'PostMessage'] as const) {
  for (const clients of clientCounts) {
    progress(`${stepLabel}${operation}, ${clients} client(s), ${seconds}s...`);
    let request: Parameters<typeof load>[2];
    if (operation === 'RaiseQuery') {
      request = { method: 'POST', path: '/api/support/threads', headers: headersOf(partner), body: raiseBody };
    } else {
      // replies spread over the threads raised so far: realistic stream lengths, few conflicts
      const ids = await threadIds(5000);
      let next = 0;
      request = {
        method: 'POST',
        path: `/api/support/threads/${ids[0]}/messages`,
        headers: headersOf(agent),
        body: replyBody,
        setupRequest: (r) => ({ ...r, path: `/api/support/threads/${ids[next++ % ids.length]}/messages` }),
      };
    }
    const before = await commitCounters();
    const meter = await cpuMeter(pool, api.pid);
    const result = await load(clients, seconds, request);
    const cpu = meter();
    const after = await commitCounters();
    const done = Math.max(1, result['2xx']);
    progress(`${stepLabel}${operation}, ${clients} client(s): raw commits baseline...`);
    const baseline = await rawCommits(Math.min(clients, API_POOL));
    runs.push({
      operation,
      clients,
      perSecond: result['2xx'] / result.duration,
      median: result.latency.p50,
      p99: result.latency.p99,
      non2xx: result.non2xx,
      errors: result.errors + result.timeouts,
      cpu,
      // the counters' own queries and the background work that caught up during the wait count too: an upper bound
      commitsPerCommand: (after.commits - before.commits) / done,
      walSyncsPerCommand: (after.walSyncs - before.walSyncs) / done,
      baseline,
    });
  }
}
const peakRss = rss.stop();
const vmHwm = memoryOf(api.pid)?.peak ?? NaN;
await api.stop();

const findings: string[] = [];
const at64 = runs.filter((r) => r.clients === 64);
const missed = at64.some((r) => r.perSecond < 2000 || r.p99 >= 50);
findings.push(
  `Where the CPU went at 64 clients (2 cores in the machine; autocannon runs in the bench process):\n\n${at64
    .map((r) => `- ${r.operation}: ${describeCpu(r.cpu, { self: 'autocannon', other: 'API process' })}`)
    .join('\n')}`,
);
if (missed || process.env.BENCH_PROFILE === '1') {
  // evidence: the API process under --cpu-prof for PostMessage at 64 clients
  progress(`${stepLabel}profiling the API (--cpu-prof), PostMessage at 64 clients...`);
  const spawned = performance.now();
  api = await startApiProcess(pg.url, { cpuProfile: true });
  const startup = (performance.now() - spawned) / 1000;
  const profAgent = await api.signIn('agent@demo.test');
  const ids = await threadIds(5000);
  let next = 0;
  const waits = waitSampler();
  await load(64, Math.max(5, Math.min(seconds, 10)), {
    method: 'POST',
    path: `/api/support/threads/${ids[0]}/messages`,
    headers: headersOf(profAgent),
    body: replyBody,
    setupRequest: (r) => ({ ...r, path: `/api/support/threads/${ids[next++ % ids.length]}/messages` }),
  });
  const waited = await waits.stop();
  await api.stop();
  const profile = await readProfile(api.logDir);
  await api.removeFiles();
  if (profile) {
    findings.push(
      profileMarkdown(
        summariseProfile(profile, { skipSeconds: startup + 1 }),
        'CPU profile of the API process (`node --cpu-prof`) during PostMessage at 64 clients (start-up skipped)',
      ),
    );
  }
  findings.push(waited);
}
progress('');

const row = (r: Run) => [
  r.operation,
  String(r.clients),
  fmt(r.perSecond),
  ms(r.median),
  ms(r.p99),
  String(r.non2xx + r.errors),
  fmt(r.baseline.perSecond),
  `${String(Math.min(r.clients, API_POOL))}`,
  ratio(r.perSecond, r.baseline.perSecond),
  ms(r.baseline.p99),
  r.commitsPerCommand.toFixed(1),
  r.walSyncsPerCommand.toFixed(2),
];
const targets: TargetCheck[] = at64.flatMap((r) => [
  {
    name: `${r.operation} at 64 clients: throughput`,
    value: `${fmt(r.perSecond)}/s`,
    target: '≥ 2,000/s',
    met: r.perSecond >= 2000,
  },
  { name: `${r.operation} at 64 clients: p99 latency`, value: `${ms(r.p99)} ms`, target: '< 50 ms', met: r.p99 < 50 },
]);

const result: BenchResult = {
  id: 'commands',
  title: 'Commands over HTTP',
  method:
    `The real server (\`node --import tsx app/main.ts\`: API, projector and email worker in one process, default pool of ${API_POOL} connections, ` +
    `LOG_LEVEL=warn) in a child process on the bench database; autocannon in the bench process drives it for ${seconds} s per figure. ` +
    `**RaiseQuery**: \`POST /api/support/threads\` as partner@acme.test on asg-1001. **PostMessage**: \`POST /api/support/threads/{id}/messages\` as agent@demo.test, ` +
    `round-robin over (up to 5,000 of) the threads raised before. Every request carries the session cookie and X-CSRF-Token. ` +
    `Only 2xx answers count. Baseline: durable one-row autocommit INSERTs on min(clients, ${API_POOL}) connections, measured right after each figure. ` +
    `"Transactions per command": \`pg_stat_database.xact_commit\` of the bench database per successful command — every autocommit statement counts, ` +
    `read-only ones too: the command's own, and what the projector, the email worker and the live push in the same process run for it and while polling; ` +
    `"WAL flushes per command": \`pg_stat_wal.wal_sync\` per command (below 1 when group commit lets commits share a flush). ` +
    `Both include the background work of the 1.2 s after each figure (counters are reported at most once a second).`,
  tables: [
    {
      columns: [
        'command',
        'clients',
        'commands/s',
        'median ms',
        'p99 ms',
        'errors',
        'raw commits/s',
        'on connections',
        'commands ÷ raw',
        'raw commit p99 ms',
        'transactions per command',
        'WAL flushes per command',
      ],
      numeric: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11],
      rows: runs.map(row),
    },
  ],
  targets,
  chart: {
    title: 'Commands over HTTP: commands/s by concurrent clients',
    unit: 'commands/s',
    groups: clientCounts.map((c) => ({
      label: `${c} client${c > 1 ? 's' : ''}`,
      bars: [
        ...runs.filter((r) => r.clients === c).map((r) => ({ series: r.operation, value: r.perSecond })),
        { series: 'raw commits', value: runs.find((r) => r.clients === c)?.baseline.perSecond ?? 0 },
      ],
    })),
  },
  findings,
  figures: { apiIdleRss: idleRss, apiPeakRss: Math.max(peakRss, vmHwm) },
};
await emit(result);
console.log(`\nAPI process RSS: idle ${mb(idleRss)}, peak under the command load ${mb(Math.max(peakRss, vmHwm))}`);
await pool.end();
await pg.stop();
