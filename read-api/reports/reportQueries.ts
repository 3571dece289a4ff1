import type pg from 'pg';

/**
 * The reports page's queries over the reports projection (`support_reports`,
 * `support_report_spans`). Each dataset is one statement; the page's answer runs them side by
 * side. Times are cohorts of the threads raised in the period; the backlog counts every thread
 * waiting to be resolved at each day's end, whenever it was raised.
 */

export interface ReportFilter {
  /** Threads raised at or after `from` and before `to`. */
  from: Date;
  to: Date;
  partnerOrgId?: string | undefined;
  queryType?: string | undefined;
  /** An account id, or 'none' for threads nobody is assigned. */
  assigneeId?: string | undefined;
  /** The IANA zone the backlog's days are counted in. */
  timeZone: string;
}

/** The bars of the time distributions: [from, to) in seconds; the last bar has no end. */
export const timeBuckets: readonly { key: string; label: string; fromSeconds: number; toSeconds: number | null }[] = [
  { key: 'under-15m', label: 'Under 15 minutes', fromSeconds: 0, toSeconds: 900 },
  { key: '15m-1h', label: '15 minutes to 1 hour', fromSeconds: 900, toSeconds: 3600 },
  { key: '1h-4h', label: '1 to 4 hours', fromSeconds: 3600, toSeconds: 14_400 },
  { key: '4h-8h', label: '4 to 8 hours', fromSeconds: 14_400, toSeconds: 28_800 },
  { key: '8h-24h', label: '8 to 24 hours', fromSeconds: 28_800, toSeconds: 86_400 },
  { key: '1d-3d', label: '1 to 3 days', fromSeconds: 86_400, toSeconds: 259_200 },
  { key: '3d-7d', label: '3 to 7 days', fromSeconds: 259_200, toSeconds: 604_800 },
  { key: 'over-7d', label: '7 days or more', fromSeconds: 604_800, toSeconds: null },
];
const bucketThresholds = timeBuckets.slice(1).map((b) => b.fromSeconds);

export interface TimeFigures {
  /** Threads the figure counts (answered, or resolved). */
  count: number;
  medianSeconds: number | null;
  p90Seconds: number | null;
}

export interface TimeBar {
  key: string;
  label: string;
  fromSeconds: number;
  toSeconds: number | null;
  threads: number;
}

export interface TimesReport {
  summary: {
    threads: number;
    firstResponse: TimeFigures;
    resolution: TimeFigures;
    /** Business seconds (the policy calendar's open hours), over the threads a service level applied to. */
    firstResponseBusiness: TimeFigures;
    resolutionBusiness: TimeFigures;
    slaWarnings: number;
    slaBreaches: number;
  };
  firstResponseTimes: TimeBar[];
  resolutionTimes: TimeBar[];
}

export interface VolumeReport {
  volumeByQueryType: { queryType: string; threads: number }[];
  volumeByOrganisation: { partnerOrgId: string; threads: number }[];
  volumeByPriority: { priority: string; threads: number }[];
  volumeByAgent: { assigneeId: string | null; assigneeName: string | null; threads: number }[];
}

export interface BacklogDay {
  /** The day (YYYY-MM-DD, in the report's time zone). */
  day: string;
  /** Threads waiting to be resolved at the day's end. */
  open: number;
  /** Threads raised or reopened that day. */
  opened: number;
  /** Threads resolved or closed that day. */
  closed: number;
}

type Queryable = Pick<pg.Pool, 'query'>;

/** WHERE clauses over `support_reports r` for the filters; the period only when asked. */
function filterSql(f: ReportFilter, params: unknown[], withPeriod: boolean): string[] {
  const where: string[] = [];
  const add = (clause: (p: string) => string, value: unknown) => {
    params.push(value);
    where.push(clause(`$${params.length}`));
  };
  if (withPeriod) {
    add((p) => `r.raised_at >= ${p}::timestamptz`, f.from.toISOString());
    add((p) => `r.raised_at < ${p}::timestamptz`, f.to.toISOString());
  }
  if (f.partnerOrgId) add((p) => `r.partner_org_id = ${p}`, f.partnerOrgId);
  if (f.queryType) add((p) => `r.query_type = ${p}`, f.queryType);
  if (f.assigneeId === 'none') where.push('r.assignee_id IS NULL');
  else if (f.assigneeId) add((p) => `r.assignee_id = ${p}`, f.assigneeId);
  return where;
}

export function timesSql(f: ReportFilter): { sql: string; params: unknown[] } {
  const params: unknown[] = [bucketThresholds];
  const where = filterSql(f, params, true);
  const sql = `
    SELECT count(*)::int AS threads,
           count(r.first_response_seconds)::int AS responded,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY r.first_response_seconds) AS fr_median,
           percentile_cont(0.9) WITHIN GROUP (ORDER BY r.first_response_seconds) AS fr_p90,
           count(r.resolution_seconds)::int AS resolved,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY r.resolution_seconds) AS res_median,
           percentile_cont(0.9) WITHIN GROUP (ORDER BY r.resolution_seconds) AS res_p90,
           count(r.first_response_business_seconds)::int AS frb_count,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY r.first_response_business_seconds) AS frb_median,
           percentile_cont(0.9) WITHIN GROUP (ORDER BY r.first_response_business_seconds) AS frb_p90,
           count(r.resolution_business_seconds)::int AS resb_count,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY r.resolution_business_seconds) AS resb_median,
           percentile_cont(0.9) WITHIN GROUP (ORDER BY r.resolution_business_seconds) AS resb_p90,
           coalesce(sum(r.sla_warnings), 0)::int AS warnings,
           coalesce(sum(r.sla_breaches), 0)::int AS breaches,
           ${timeBuckets
             .map(
               (_, i) =>
                 `count(*) FILTER (WHERE width_bucket(r.first_response_seconds, $1::float8[]) = ${i})::int AS fr_${i},
           count(*) FILTER (WHERE width_bucket(r.resolution_seconds, $1::float8[]) = ${i})::int AS res_${i}`,
             )
             .join(',\n           ')}
      FROM support_reports r
     WHERE ${where.join(' AND ')}`;
  return { sql, params };
}

export async function timesReport(db: Queryable, f: ReportFilter): Promise<TimesReport> {
  const { sql, params } = timesSql(f);
  const { rows } = await db.query<Record<string, number | null>>(sql, params);
  const r = rows[0] ?? {};
  const n = (key: string) => Number(r[key] ?? 0);
  const seconds = (key: string) => (r[key] === null || r[key] === undefined ? null : Number(r[key]));
  const bars = (prefix: string) => timeBuckets.map((b, i) => ({ ...b, threads: n(`${prefix}_${i}`) }));
  return {
    summary: {
      threads: n('threads'),
      firstResponse: { count: n('responded'), medianSeconds: seconds('fr_median'), p90Seconds: seconds('fr_p90') },
      resolution: { count: n('resolved'), medianSeconds: seconds('res_median'), p90Seconds: seconds('res_p90') },
      firstResponseBusiness: {
        count: n('frb_count'),
        medianSeconds: seconds('frb_median'),
        p90Seconds: seconds('frb_p90'),
      },
      resolutionBusiness: {
        count: n('resb_count'),
        medianSeconds: seconds('resb_median'),
        p90Seconds: seconds('resb_p90'),
      },
      slaWarnings: n('warnings'),
      slaBreaches: n('breaches'),
    },
    firstResponseTimes: bars('fr'),
    resolutionTimes: bars('res'),
  };
}

export function volumeSql(f: ReportFilter): { sql: string; params: unknown[] } {
  const params: unknown[] = [];
  const where = filterSql(f, params, true);
  // one scan for the four volumes
  const sql = `
    SELECT grouping(r.query_type) = 0 AS by_type, grouping(r.partner_org_id) = 0 AS by_org,
           grouping(r.priority) = 0 AS by_priority, grouping(r.assignee_id) = 0 AS by_agent,
           r.query_type, r.partner_org_id, r.priority, r.assignee_id, max(r.assignee_name) AS assignee_name,
           count(*)::int AS threads
      FROM support_reports r
     WHERE ${where.join(' AND ')}
     GROUP BY GROUPING SETS ((r.query_type), (r.partner_org_id), (r.priority), (r.assignee_id))
     ORDER BY threads DESC, r.query_type, r.partner_org_id, r.priority, r.assignee_id`;
  return { sql, params };
}

const priorityOrder = ['URGENT', 'HIGH', 'MEDIUM', 'LOW'];

export async function volumeReport(db: Queryable, f: ReportFilter): Promise<VolumeReport> {
  const { sql, params } = volumeSql(f);
  const { rows } = await db.query<{
    by_type: boolean;
    by_org: boolean;
    by_priority: boolean;
    by_agent: boolean;
    query_type: string;
    partner_org_id: string;
    priority: string;
    assignee_id: string | null;
    assignee_name: string | null;
    threads: number;
  }>(sql, params);
  return {
    volumeByQueryType: rows.filter((r) => r.by_type).map((r) => ({ queryType: r.query_type, threads: r.threads })),
    volumeByOrganisation: rows
      .filter((r) => r.by_org)
      .map((r) => ({ partnerOrgId: r.partner_org_id, threads: r.threads })),
    volumeByPriority: rows
      .filter((r) => r.by_priority)
      .map((r) => ({ priority: r.priority, threads: r.threads }))
      .sort((a, b) => priorityOrder.indexOf(a.priority) - priorityOrder.indexOf(b.priority)),
    volumeByAgent: rows
      .filter((r) => r.by_agent)
      .map((r) => ({ assigneeId: r.assignee_id, assigneeName: r.assignee_name, threads: r.threads })),
  };
}

export function backlogSql(f: ReportFilter): { sql: string; params: unknown[] } {
  const params: unknown[] = [f.from.toISOString(), f.to.toISOString(), f.timeZone];
  const where = filterSql(f, params, false);
  // spans of the filtered threads only; without filters the spans alone answer (no join)
  const spans = where.length
    ? `support_report_spans s JOIN support_reports r ON r.thread_id = s.thread_id AND ${where.join(' AND ')}`
    : 'support_report_spans s';
  const sql = `
    WITH bounds AS (
      SELECT date_trunc('day', $1::timestamptz AT TIME ZONE $3) AS first_day,
             date_trunc('day', ($2::timestamptz - interval '1 microsecond') AT TIME ZONE $3) AS last_day
    ), range AS (
      SELECT first_day AT TIME ZONE $3 AS starts, (last_day + interval '1 day') AT TIME ZONE $3 AS ends FROM bounds
    ), before AS (
      SELECT (SELECT count(*) FROM ${spans}, range WHERE s.opened_at < range.starts)
           - (SELECT count(*) FROM ${spans}, range WHERE s.closed_at < range.starts) AS open
    ), opened AS (
      SELECT date_trunc('day', s.opened_at AT TIME ZONE $3) AS day, count(*) AS n
        FROM ${spans}, range WHERE s.opened_at >= range.starts AND s.opened_at < range.ends GROUP BY 1
    ), closed AS (
      SELECT date_trunc('day', s.closed_at AT TIME ZONE $3) AS day, count(*) AS n
        FROM ${spans}, range WHERE s.closed_at >= range.starts AND s.closed_at < range.ends GROUP BY 1
    )
    SELECT to_char(d.day, 'YYYY-MM-DD') AS day,
           coalesce(o.n, 0)::int AS opened, coalesce(c.n, 0)::int AS closed,
           ((SELECT open FROM before)
             + sum(coalesce(o.n, 0) - coalesce(c.n, 0)) OVER (ORDER BY d.day))::int AS open
      FROM bounds, generate_series(bounds.first_day, bounds.last_day, interval '1 day') AS d(day)
      LEFT JOIN opened o ON o.day = d.day
      LEFT JOIN closed c ON c.day = d.day
     ORDER BY d.day`;
  return { sql, params };
}

export async function backlogReport(db: Queryable, f: ReportFilter): Promise<BacklogDay[]> {
  const { sql, params } = backlogSql(f);
  const { rows } = await db.query<BacklogDay>(sql, params);
  return rows;
}

export type SlaMetricName = 'firstResponse' | 'nextResponse' | 'resolution';

export interface SlaComplianceRow {
  metric: SlaMetricName;
  /** A priority, or ALL for the metric over every priority. */
  priority: string;
  /** Done within the target. */
  met: number;
  /** Done late. */
  missed: number;
  /** Not done and already past the target. */
  breached: number;
  /** Not done and still within the target (running or paused). */
  open: number;
  /** met / (met + missed + breached); null when none is decided yet. */
  compliance: number | null;
}

export function slaComplianceSql(f: ReportFilter): { sql: string; params: unknown[] } {
  const params: unknown[] = [];
  const where = filterSql(f, params, true);
  const state = (column: string, s: string) => `count(*) FILTER (WHERE r.${column} = '${s}')::int`;
  const states = (column: string, prefix: string) =>
    `${state(column, 'met')} AS ${prefix}_met, ${state(column, 'missed')} AS ${prefix}_missed,
     ${state(column, 'breached')} AS ${prefix}_breached,
     count(*) FILTER (WHERE r.${column} IN ('running', 'paused'))::int AS ${prefix}_open`;
  const sql = `
    SELECT coalesce(r.priority, 'ALL') AS priority,
           ${states('sla_first_response', 'fr')},
           ${states('sla_resolution', 'res')},
           coalesce(sum(r.sla_next_met), 0)::int AS nr_met, coalesce(sum(r.sla_next_missed), 0)::int AS nr_missed,
           coalesce(sum(r.sla_next_breached), 0)::int AS nr_breached, coalesce(sum(r.sla_next_open), 0)::int AS nr_open
      FROM support_reports r
     WHERE ${[...where, 'r.sla_policy_name IS NOT NULL'].join(' AND ')}
     GROUP BY ROLLUP (r.priority)`;
  return { sql, params };
}

const metricsInOrder: [SlaMetricName, string][] = [
  ['firstResponse', 'fr'],
  ['nextResponse', 'nr'],
  ['resolution', 'res'],
];
const prioritiesInOrder = ['ALL', 'URGENT', 'HIGH', 'MEDIUM', 'LOW'];

export async function slaComplianceReport(db: Queryable, f: ReportFilter): Promise<SlaComplianceRow[]> {
  const { sql, params } = slaComplianceSql(f);
  const { rows } = await db.query<Record<string, number | string>>(sql, params);
  const out: SlaComplianceRow[] = [];
  for (const [metric, prefix] of metricsInOrder) {
    for (const row of [...rows].sort(
      (a, b) => prioritiesInOrder.indexOf(String(a.priority)) - prioritiesInOrder.indexOf(String(b.priority)),
    )) {
      const met = Number(row[`${prefix}_met`]);
      const missed = Number(row[`${prefix}_missed`]);
      const breached = Number(row[`${prefix}_breached`]);
      const open = Number(row[`${prefix}_open`]);
      const decided = met + missed + breached;
      if (decided + open === 0) continue;
      out.push({
        metric,
        priority: String(row.priority),
        met,
        missed,
        breached,
        open,
        compliance: decided ? met / decided : null,
      });
    }
  }
  return out;
}

export interface SatisfactionReport {
  /** Surveys offered on the threads. */
  offered: number;
  /** Threads with a rating (the latest counts). */
  rated: number;
  good: number;
  okay: number;
  bad: number;
  /** good ÷ good, okay and bad ratings; null without any. */
  goodShare: number | null;
  /** Ratings from 1 to 5, how many of each (index 0 is 1). */
  fivePoint: number[];
  /** The mean of the 1 to 5 ratings; null without any. */
  meanScore: number | null;
  /** The latest comments, newest first. */
  comments: { threadId: string; rating: string; comment: string; ratedAt: string }[];
}

export function satisfactionSql(f: ReportFilter): { sql: string; params: unknown[] } {
  const params: unknown[] = [];
  const where = filterSql(f, params, true).join(' AND ');
  const rating = (r: string) => `count(*) FILTER (WHERE r.csat_rating = '${r}')::int`;
  const sql = `
    SELECT coalesce(sum(r.csat_offered), 0)::int AS offered, count(r.csat_rating)::int AS rated,
           ${rating('good')} AS good, ${rating('okay')} AS okay, ${rating('bad')} AS bad,
           ARRAY[${[1, 2, 3, 4, 5].map((n) => `count(*) FILTER (WHERE r.csat_score = ${n})::int`).join(', ')}] AS five_point,
           avg(r.csat_score)::float8 AS mean_score,
           (SELECT coalesce(jsonb_agg(c ORDER BY c."ratedAt" DESC), '[]'::jsonb) FROM (
              SELECT r.thread_id AS "threadId", r.csat_rating AS rating, r.csat_comment AS comment, r.csat_rated_at AS "ratedAt"
                FROM support_reports r WHERE ${where} AND r.csat_comment IS NOT NULL
               ORDER BY r.csat_rated_at DESC LIMIT 10) c) AS comments
      FROM support_reports r
     WHERE ${where}`;
  return { sql, params };
}

export async function satisfactionReport(db: Queryable, f: ReportFilter): Promise<SatisfactionReport> {
  const { sql, params } = satisfactionSql(f);
  const { rows } = await db.query<{
    offered: number;
    rated: number;
    good: number;
    okay: number;
    bad: number;
    five_point: number[];
    mean_score: number | null;
    comments: { threadId: string; rating: string; comment: string; ratedAt: string }[];
  }>(sql, params);
  const r = rows[0]!;
  const threePoint = r.good + r.okay + r.bad;
  return {
    offered: r.offered,
    rated: r.rated,
    good: r.good,
    okay: r.okay,
    bad: r.bad,
    goodShare: threePoint ? r.good / threePoint : null,
    fivePoint: r.five_point,
    meanScore: r.mean_score,
    comments: r.comments.map((c) => ({ ...c, ratedAt: new Date(c.ratedAt).toISOString() })),
  };
}
