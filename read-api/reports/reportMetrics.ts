import type pg from 'pg';
import { Counter, Histogram, type Registry } from 'prom-client';

/**
 * The reports' Prometheus metrics, read from the reports projection when Prometheus scrapes
 * (one grouped statement per table, shared by the scrapes of a few seconds), not observed in a process: a process may run twice or
 * rebuild, and the table is the one exact count across restarts and processes. Each thread is
 * counted once, labelled with the priority it had when it was answered (or resolved), so the
 * buckets only grow.
 */

/** Bucket bounds in seconds: 1 and 5 minutes, 15 and 30 minutes, 1, 2, 4 and 8 hours, 1, 2 and 7 days. */
export const reportSecondsBuckets = [60, 300, 900, 1800, 3600, 7200, 14_400, 28_800, 86_400, 172_800, 604_800];

export type ReportHistogramMetric = 'firstResponse' | 'resolution';

export interface HistogramRow {
  metric: ReportHistogramMetric;
  priority: string;
  /** Cumulative counts, one per bound of reportSecondsBuckets. */
  buckets: number[];
  count: number;
  sum: number;
}

export const reportHistogramSql = `
  SELECT m.metric, m.priority,
         ARRAY[${reportSecondsBuckets.map((b) => `count(*) FILTER (WHERE m.s <= ${b})`).join(', ')}]::bigint[] AS buckets,
         count(*)::bigint AS count, coalesce(sum(m.s), 0)::float8 AS sum
    FROM support_reports r
   CROSS JOIN LATERAL (VALUES ('firstResponse', r.first_response_priority, r.first_response_seconds),
                              ('resolution', r.resolution_priority, r.resolution_seconds)) AS m(metric, priority, s)
   WHERE m.s IS NOT NULL
   GROUP BY m.metric, m.priority
   ORDER BY m.metric, m.priority`;

export async function readReportHistograms(db: Pick<pg.Pool, 'query'>): Promise<HistogramRow[]> {
  const { rows } = await db.query<{
    metric: ReportHistogramMetric;
    priority: string;
    buckets: string[];
    count: string;
    sum: number;
  }>(reportHistogramSql);
  return rows.map((r) => ({
    metric: r.metric,
    priority: r.priority,
    buckets: r.buckets.map(Number),
    count: Number(r.count),
    sum: Number(r.sum),
  }));
}

export const reportAlertCountsSql = `
  SELECT kind, priority, count(*)::bigint AS n FROM support_report_sla_alerts GROUP BY kind, priority ORDER BY kind, priority`;

/** Warnings and breaches recorded so far, by the priority the thread had then. */
export async function readReportAlertCounts(
  db: Pick<pg.Pool, 'query'>,
): Promise<{ kind: 'warning' | 'breach'; priority: string; count: number }[]> {
  const { rows } = await db.query<{ kind: 'warning' | 'breach'; priority: string; n: string }>(reportAlertCountsSql);
  return rows.map((r) => ({ kind: r.kind, priority: r.priority, count: Number(r.n) }));
}

type Exported = Awaited<ReturnType<Histogram<'priority'>['get']>>;

/** A histogram whose buckets are counted elsewhere (a table): it exports what `read` answers. */
class CountedHistogram extends Histogram<'priority'> {
  constructor(
    private readonly metricName: string,
    private readonly metricHelp: string,
    registry: Registry,
    private readonly read: () => Promise<HistogramRow[]>,
  ) {
    super({
      name: metricName,
      help: metricHelp,
      labelNames: ['priority'],
      buckets: reportSecondsBuckets,
      registers: [registry],
    });
  }

  override async get(): Promise<Exported> {
    return this.getForPromString();
  }

  /** What the registry prints (prom-client asks for this when it is there). */
  async getForPromString(): Promise<Exported> {
    const values: Exported['values'] = [];
    for (const row of await this.read()) {
      reportSecondsBuckets.forEach((le, i) =>
        values.push({
          metricName: `${this.metricName}_bucket`,
          labels: { priority: row.priority, le } as never,
          value: row.buckets[i] ?? 0,
        }),
      );
      values.push({
        metricName: `${this.metricName}_bucket`,
        labels: { priority: row.priority, le: '+Inf' } as never,
        value: row.count,
      });
      values.push({ metricName: `${this.metricName}_sum`, labels: { priority: row.priority }, value: row.sum });
      values.push({ metricName: `${this.metricName}_count`, labels: { priority: row.priority }, value: row.count });
    }
    // prom-client's types call the type an enum; what it prints is the text
    const type = 'histogram' as unknown as Exported['type'];
    return { name: this.metricName, help: this.metricHelp, type, values, aggregator: 'sum', collect: () => undefined };
  }
}

/**
 * A read shared by the scrapes within `maxAgeMs` of it (and by the metrics of one scrape): at a
 * million threads the grouped statement takes seconds (docs/reports.md), and Prometheus scrapes
 * every few seconds, from every API process.
 */
function sharedRead<T>(read: () => Promise<T>, maxAgeMs: number, clock: () => number): () => Promise<T> {
  let last: { at: number; value: Promise<T> } | null = null;
  return () => {
    const now = clock();
    if (!last || now - last.at >= maxAgeMs) {
      const value = read();
      last = { at: now, value };
      // a failed read is not kept: the next scrape asks again
      value.catch(() => {
        if (last?.value === value) last = null;
      });
    }
    return last.value;
  };
}

/** How old the figures a scrape answers may be. */
export const REPORT_METRICS_MAX_AGE_MS = 15_000;

/** Registers the reports' metrics; the scrapes within REPORT_METRICS_MAX_AGE_MS share one read of each table. */
export function registerReportMetrics(
  registry: Registry,
  pool: pg.Pool,
  options: { maxAgeMs?: number; clock?: () => number } = {},
): void {
  const maxAgeMs = options.maxAgeMs ?? REPORT_METRICS_MAX_AGE_MS;
  const clock = options.clock ?? (() => performance.now());
  const rows = sharedRead(() => readReportHistograms(pool), maxAgeMs, clock);
  // a read that fails (the projection not built yet, the database away) leaves these metrics out of
  // the scrape, never the whole scrape: the rest of /metrics still answers
  const of = (metric: ReportHistogramMetric) => async () =>
    (await rows().catch(() => [])).filter((r) => r.metric === metric);
  new CountedHistogram(
    'support_desk_first_response_seconds',
    'Wall-clock seconds from the raise to the first reply to the partner, by the priority then (from the reports projection)',
    registry,
    of('firstResponse'),
  );
  new CountedHistogram(
    'support_desk_resolution_seconds',
    'Wall-clock seconds from the raise to the first resolution (or closing), by the priority then (from the reports projection)',
    registry,
    of('resolution'),
  );
  const alerts = sharedRead(() => readReportAlertCounts(pool), maxAgeMs, clock);
  const counter = (name: string, help: string, kind: 'warning' | 'breach') =>
    new Counter({
      name,
      help,
      labelNames: ['priority'],
      registers: [registry],
      // the count is the table's: set afresh at each scrape, it only grows (alerts are never removed)
      async collect() {
        const rows = (await alerts().catch(() => [])).filter((r) => r.kind === kind);
        this.reset();
        for (const r of rows) this.inc({ priority: r.priority }, r.count);
      },
    });
  counter(
    'support_desk_sla_warnings_total',
    'Service-level warnings recorded, by the thread’s priority then (from the reports projection)',
    'warning',
  );
  counter(
    'support_desk_sla_breaches_total',
    'Service-level breaches recorded, by the thread’s priority then (from the reports projection)',
    'breach',
  );
}
