import type pg from 'pg';
import { progressBar } from '../ops/progressBar.js';
import { migrate } from '../platform/database/migrate.js';
import { createPool } from '../platform/database/pool.js';
import { PostgresEventStore } from '../eventstore/postgres/postgresEventStore.js';
import { ProjectionEngine } from '../projections/projectionEngine.js';
import { tableNamesFor, type Projection } from '../projections/projection.js';
import { reportsProjection } from '../projections/reports.js';
import { threadInboxProjection } from '../projections/threadInbox.js';
import { inboxCountsSql, inboxPageSql } from '../read-api/inboxQuery.js';
import { buildReport } from '../read-api/reports/report.js';
import { reportAlertCountsSql, reportHistogramSql } from '../read-api/reports/reportMetrics.js';
import {
  backlogSql,
  slaComplianceSql,
  timesSql,
  volumeSql,
  type ReportFilter,
} from '../read-api/reports/reportQueries.js';
import { benchPostgres, progress } from './benchPostgres.js';
import { percentile } from './readDesk.js';
import { emit, fmt, ms, ratio, type BenchResult } from './report.js';
import { scale, stepLabel } from './scale.js';

/**
 * The reports page's queries at BENCH_THREADS threads (1,000,000 at full scale) beside the inbox
 * page's, on the same data. The live generations' tables of the threads and reports projections
 * are filled directly with SQL (generate_series; every attribute a seeded hash of the thread's
 * number, so a seed gives the same desk), their indexes built after the load as a rebuild does,
 * then each statement the pages run is timed in Postgres, p50 and p99 over repeated runs.
 */

const threads = scale.readThreads;
const seed = Number(process.env.BENCH_SEED ?? 20_261_201);
const reportRuns = Number(process.env.BENCH_REPORT_ITERATIONS ?? (scale.name === 'full' ? 30 : 15));
const inboxRuns = scale.readIterations;
const CHUNK = 50_000;
// the desk's "now": a year of threads up to it
const anchor = '2026-12-01T00:00:00Z';

console.error(
  `${stepLabel}reports bench: ${fmt(threads)} threads, seed ${seed} (BENCH_SEED=${seed} repeats this desk)`,
);
const pgServer = await benchPostgres();
const pool = createPool(pgServer.url, 8, 'bench-reports');
await migrate(pool);
const eventStore = new PostgresEventStore(pool, { connectionString: pgServer.url });
const engine = new ProjectionEngine({ pool, eventStore, projections: [threadInboxProjection, reportsProjection] });
await engine.plan();

async function liveTables(projection: Projection) {
  const live = await engine.liveGeneration(projection.name);
  if (!live) throw new Error(`${projection.name} has no live generation`);
  return tableNamesFor(live.generation);
}
const inboxT = await liveTables(threadInboxProjection);
const reportT = await liveTables(reportsProjection);

/** Drops a table's secondary indexes (the load is faster without them; createIndexes makes them again). */
async function dropSecondaryIndexes(db: pg.Pool, table: string): Promise<void> {
  const { rows } = await db.query<{ name: string }>(
    `SELECT i.relname AS name FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
      WHERE x.indrelid = $1::regclass AND NOT x.indisprimary`,
    [table],
  );
  for (const { name } of rows) await db.query(`DROP INDEX ${name}`);
}
for (const p of [threadInboxProjection, reportsProjection]) {
  const t = await liveTables(p);
  for (const table of p.tables) await dropSecondaryIndexes(pool, t(table));
}

// one seeded number per thread and attribute: h(k) in [0, 2^31)
const h = (k: number) => `(abs(hashint8extended(g, ${seed + k})) % 2147483647)`;
const pick = (k: number, list: readonly string[]) =>
  `(ARRAY[${list.map((v) => `'${v}'`).join(',')}])[(${h(k)} % ${list.length} + 1)::int]`;
const fill = (from: number, to: number) => `
  WITH t AS (
    SELECT g, md5('${seed}:' || g)::uuid AS thread_id,
           '${anchor}'::timestamptz - (${h(1)} % (365 * 86400))::float8 * interval '1 second' AS raised_at,
           'org-' || (${h(2)} % 200) AS org,
           ${pick(3, ['DOCUMENTS', 'PAYMENT', 'SCHEDULING', 'TECHNICAL', 'ACCESS', 'OTHER'])} AS query_type,
           ${pick(4, ['LOW', 'MEDIUM', 'HIGH', 'URGENT'])} AS priority,
           CASE WHEN ${h(5)} % 10 = 0 THEN NULL ELSE 'agent-' || (${h(5)} % 25) END AS assignee,
           ${h(6)} % 100 AS fate,
           -- first replies mostly within hours, a tail of days: seconds = (h mod 1000)^2 / 4
           ((${h(7)} % 1000)::float8 ^ 2) / 4 AS fr,
           (${h(8)} % (7 * 86400))::float8 AS work,
           ${h(9)} % 10 AS sla
      FROM generate_series(${from}, ${to}) AS g
  ), r AS (
    SELECT t.*, CASE WHEN fate < 85 THEN fr END AS first_response_seconds,
           CASE WHEN fate < 70 THEN fr + work END AS resolution_seconds,
           CASE WHEN fate < 70 THEN 'RESOLVED' WHEN fate < 78 THEN 'CLOSED' WHEN fate < 85 THEN 'PENDING' ELSE 'OPEN' END AS status
      FROM t
  ), inbox AS (
    INSERT INTO ${inboxT('support_inbox')} (thread_id, revision, status, priority, query_type, assignee_id, assignee_name,
        partner_org_id, assignment_id, assignment_reference, subject, raised_by_kind, raised_by_id, raised_by_name, raised_at,
        last_message_preview, last_message_at, message_count, public_message_count, awaiting, first_response_at,
        first_resolved_at, resolved_at, last_activity_at, public_activity_at)
    SELECT thread_id, 3, status, priority, query_type, assignee, assignee, org, 'asg-' || g, 'A-' || g,
           'Query ' || g || ' about invoice ' || (g % 9973), 'partner', 'partner-' || org, 'Pat Partner', raised_at,
           'Please have a look.', raised_at, 3, 3,
           CASE status WHEN 'OPEN' THEN 'staff' WHEN 'PENDING' THEN 'partner' END,
           raised_at + first_response_seconds * interval '1 second',
           raised_at + resolution_seconds * interval '1 second',
           CASE WHEN status = 'RESOLVED' THEN raised_at + resolution_seconds * interval '1 second' END,
           raised_at + coalesce(resolution_seconds, first_response_seconds, 0) * interval '1 second',
           raised_at + coalesce(resolution_seconds, first_response_seconds, 0) * interval '1 second'
      FROM r
  ), spans AS (
    INSERT INTO ${reportT('support_report_spans')} (thread_id, seq, opened_at, closed_at)
    SELECT thread_id, 1, raised_at, raised_at + resolution_seconds * interval '1 second' FROM r
  ), alerts AS (
    INSERT INTO ${reportT('support_report_sla_alerts')} (event_id, thread_id, kind, metric, cycle, priority, occurred_at)
    SELECT md5('${seed}:' || g || ':' || k)::uuid, thread_id, k, 'firstResponse', 0, priority,
           raised_at + interval '1 hour'
      FROM r, unnest(ARRAY['warning', 'breach']) AS k
     WHERE sla < 8 AND fr > 3600 AND (k = 'warning' OR fr > 7200)
  )
  INSERT INTO ${reportT('support_reports')} (thread_id, raised_at, partner_org_id, query_type, priority, assignee_id,
      assignee_name, status, first_response_at, first_response_seconds, first_response_priority, resolution_at,
      resolution_seconds, resolution_priority, resolved_at, closed_at, spans, open_since, sla_clocks, sla_policy_name,
      first_response_business_seconds, resolution_business_seconds, sla_first_response, sla_resolution,
      sla_next_met, sla_next_missed, sla_next_breached, sla_next_open, sla_warnings, sla_breaches)
  SELECT thread_id, raised_at, org, query_type, priority, assignee, assignee, status,
         raised_at + first_response_seconds * interval '1 second', first_response_seconds,
         CASE WHEN first_response_seconds IS NOT NULL THEN priority END,
         raised_at + resolution_seconds * interval '1 second', resolution_seconds,
         CASE WHEN resolution_seconds IS NOT NULL THEN priority END,
         CASE WHEN status = 'RESOLVED' THEN raised_at + resolution_seconds * interval '1 second' END,
         CASE WHEN status = 'CLOSED' THEN raised_at + resolution_seconds * interval '1 second' END,
         1, CASE WHEN resolution_seconds IS NULL THEN raised_at END,
         '{}'::jsonb, CASE WHEN sla < 8 THEN 'Standard' END,
         CASE WHEN sla < 8 THEN first_response_seconds * 0.4 END,
         CASE WHEN sla < 8 THEN resolution_seconds * 0.35 END,
         CASE WHEN sla >= 8 THEN NULL WHEN first_response_seconds IS NULL THEN (CASE WHEN fr > 3600 THEN 'breached' ELSE 'running' END)
              WHEN first_response_seconds <= 3600 THEN 'met' ELSE 'missed' END,
         CASE WHEN sla >= 8 THEN NULL WHEN resolution_seconds IS NULL THEN 'running'
              WHEN resolution_seconds * 0.35 <= 86400 THEN 'met' ELSE 'missed' END,
         (g % 3)::int, (g % 5 = 0)::int, 0, 0,
         CASE WHEN sla < 8 AND fr > 3600 THEN 1 ELSE 0 END, CASE WHEN sla < 8 AND fr > 7200 THEN 1 ELSE 0 END
    FROM r`;

const fillBar = progressBar(`${stepLabel}fill`);
const fillStart = performance.now();
for (let from = 1; from <= threads; from += CHUNK) {
  const to = Math.min(threads, from + CHUNK - 1);
  await pool.query(fill(from, to));
  const done = to;
  const rate = done / ((performance.now() - fillStart) / 1000);
  fillBar.update(done / threads, `${fmt(done)} threads, ${fmt(rate)}/s`);
}
const fillSeconds = (performance.now() - fillStart) / 1000;
fillBar.done(`${fmt(threads)} threads in ${fillSeconds.toFixed(0)}s`);

progress(`${stepLabel}building the indexes...`);
const indexStart = performance.now();
await pool.query(threadInboxProjection.createIndexes(inboxT));
await pool.query(reportsProjection.createIndexes(reportT));
const indexSeconds = (performance.now() - indexStart) / 1000;
progress(`${stepLabel}VACUUM ANALYZE...`);
await pool.query('VACUUM ANALYZE');
const { rows: sizes } = await pool.query<{ reports: string; spans: string; alerts: string; inbox: string }>(
  `SELECT pg_size_pretty(pg_total_relation_size('${reportT('support_reports')}')) AS reports,
          pg_size_pretty(pg_total_relation_size('${reportT('support_report_spans')}')) AS spans,
          pg_size_pretty(pg_total_relation_size('${reportT('support_report_sla_alerts')}')) AS alerts,
          pg_size_pretty(pg_total_relation_size('${inboxT('support_inbox')}')) AS inbox`,
);

/** Runs a statement `runs` times after 3 warm-up runs; answers p50 and p99 in ms. */
async function time(sql: string, params: unknown[], runs: number): Promise<{ p50: number; p99: number }> {
  const times: number[] = [];
  for (let i = 0; i < runs + 3; i++) {
    const t = performance.now();
    await pool.query(sql, params);
    if (i >= 3) times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return { p50: percentile(times, 50), p99: percentile(times, 99) };
}

const day = 86_400_000;
const to = new Date(anchor);
const last30: ReportFilter = { from: new Date(to.getTime() - 30 * day), to, timeZone: 'Europe/Amsterdam' };
const last365: ReportFilter = { ...last30, from: new Date(to.getTime() - 365 * day) };
const oneOrg: ReportFilter = { ...last30, partnerOrgId: 'org-7' };
const oneAgent: ReportFilter = { ...last30, assigneeId: 'agent-3' };

const inboxCases: [string, { sql: string; params: unknown[] }][] = [
  ['inbox: first page', inboxPageSql({ limit: 25 }, 'i.*')],
  ['inbox: OPEN tab', inboxPageSql({ status: 'OPEN', limit: 25 }, 'i.*')],
  ['inbox: tab counts', inboxCountsSql({})],
];
const reportCases: [string, { sql: string; params: unknown[] }][] = [
  ['reports 30 d: times', timesSql(last30)],
  ['reports 30 d: volumes', volumeSql(last30)],
  ['reports 30 d: SLA compliance', slaComplianceSql(last30)],
  ['reports 30 d: backlog', backlogSql(last30)],
  ['reports 30 d, one org: times', timesSql(oneOrg)],
  ['reports 30 d, one org: backlog', backlogSql(oneOrg)],
  ['reports 30 d, one agent: times', timesSql(oneAgent)],
  ['reports 365 d: times', timesSql(last365)],
  ['reports 365 d: volumes', volumeSql(last365)],
  ['reports 365 d: backlog', backlogSql(last365)],
  ['metrics scrape: histograms', { sql: reportHistogramSql, params: [] }],
  ['metrics scrape: alert counters', { sql: reportAlertCountsSql, params: [] }],
];

const measured: { name: string; p50: number; p99: number; runs: number }[] = [];
for (const [name, q] of inboxCases) {
  progress(`${stepLabel}timing ${name}...`);
  measured.push({ name, ...(await time(q.sql, q.params, inboxRuns)), runs: inboxRuns });
}
for (const [name, q] of reportCases) {
  progress(`${stepLabel}timing ${name}...`);
  measured.push({ name, ...(await time(q.sql, q.params, reportRuns)), runs: reportRuns });
}
// the whole page as the route answers it: its four statements side by side on the pool
for (const [name, filter] of [
  ['reports page, 30 d (4 statements at once)', last30],
  ['reports page, 365 d (4 statements at once)', last365],
] as const) {
  progress(`${stepLabel}timing ${name}...`);
  const times: number[] = [];
  for (let i = 0; i < reportRuns + 3; i++) {
    const t = performance.now();
    await buildReport(pool, filter);
    if (i >= 3) times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  measured.push({ name, p50: percentile(times, 50), p99: percentile(times, 99), runs: reportRuns });
}
progress('');

const inboxBase = measured.find((m) => m.name === 'inbox: first page')!;
const result: BenchResult = {
  id: 'reports',
  title: 'Reports page queries',
  method:
    `${fmt(threads)} threads written straight into the live generations of the threads and reports projections with SQL ` +
    `(generate_series, ${fmt(CHUNK)} a statement; every attribute a hash of the thread's number under seed ${seed}; ` +
    `a year of threads, 200 organisations, 25 agents, 80 % under a service level) in ${fillSeconds.toFixed(0)} s, ` +
    `indexes built after the load in ${indexSeconds.toFixed(0)} s, then VACUUM ANALYZE. Tables: support_reports ${sizes[0]?.reports}, ` +
    `spans ${sizes[0]?.spans}, alerts ${sizes[0]?.alerts}; support_inbox ${sizes[0]?.inbox}. ` +
    `Each statement the reports page (\`read-api/reports/reportQueries.ts\`) and the inbox page (\`read-api/inboxQuery.ts\`) run is timed on one ` +
    `connection after 3 warm-up runs: ${reportRuns} runs each for the reports, ${inboxRuns} for the inbox. ` +
    `"÷ inbox" is the p50 over the inbox's first page on the same data.`,
  tables: [
    {
      columns: ['statement', 'p50 ms', 'p99 ms', 'runs', 'p50 ÷ inbox first page'],
      numeric: [1, 2, 3, 4],
      rows: measured.map((m) => [m.name, ms(m.p50), ms(m.p99), String(m.runs), ratio(m.p50, inboxBase.p50)]),
    },
  ],
  targets: [],
  chart: {
    title: `Reports and inbox statements at ${fmt(threads)} threads`,
    unit: 'ms',
    groups: measured.map((m) => ({
      label: m.name.replace(/^reports /, '').slice(0, 18),
      bars: [
        { series: 'p50', value: m.p50 },
        { series: 'p99', value: m.p99 },
      ],
    })),
  },
};
await emit(result);
await eventStore.close();
await pool.end();
await pgServer.stop();
