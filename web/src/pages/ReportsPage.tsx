import { useCallback, useEffect, useMemo, useState } from 'react';
import { useSearchParams } from 'react-router-dom';
import { ChartCard } from '../components/reports/ChartCard';
import { BacklogChart, ColumnChart, OutcomeChart, RowChart } from '../components/reports/ReportCharts';
import { SatisfactionCard } from '../components/reports/SatisfactionCard';
import { periodOf, ReportFilters, type ReportFilterValues } from '../components/reports/ReportFilters';
import { ErrorState, SkeletonRows } from '../components/ui';
import { api } from '../lib/api';
import { formatDuration, formatNumber, label } from '../lib/format';
import { queryKeys } from '../lib/queryKeys';
import type { Page, Report, StaffMember } from '../lib/types';
import { useDeskQuery } from '../lib/useDeskQuery';

const timeZone = Intl.DateTimeFormat().resolvedOptions().timeZone;
const keys = ['period', 'from', 'to', 'org', 'type', 'agent'] as const;

/** The time bars' names under the chart, short enough to stand side by side (the table and CSV say them in full). */
const shortBarNames: Record<string, string> = {
  'under-15m': '< 15 min',
  '15m-1h': '15–60 min',
  '1h-4h': '1–4 h',
  '4h-8h': '4–8 h',
  '8h-24h': '8–24 h',
  '1d-3d': '1–3 d',
  '3d-7d': '3–7 d',
  'over-7d': '7 d +',
};

const metricNames: Record<string, string> = {
  firstResponse: 'First reply',
  nextResponse: 'Next reply',
  resolution: 'Resolution',
};
const percent = (share: number | null) => (share === null ? '—' : `${Math.round(share * 100)}%`);

/** A time as people read it: minutes, hours or days, rounded. */
const duration = (seconds: number | null) => (seconds === null ? '—' : formatDuration(Math.round(seconds)));

function Figure({ name, value, testId }: { name: string; value: string; testId: string }) {
  return (
    <div className="stat" data-testid={testId}>
      <div className="value">{value}</div>
      <div className="name">{name}</div>
    </div>
  );
}

/**
 * /admin/reports: response and resolution times (median and p90, and how they spread), volumes by
 * query type, organisation, priority and agent, and the backlog day by day, for a period and
 * filters the address keeps. Each chart downloads as CSV with the same filters.
 */
export function ReportsPage() {
  const [params, setParams] = useSearchParams();
  const values: ReportFilterValues = {
    period: params.get('period') ?? '30',
    from: params.get('from') ?? '',
    to: params.get('to') ?? '',
    org: params.get('org') ?? '',
    type: params.get('type') ?? '',
    agent: params.get('agent') ?? '',
  };
  const period = periodOf(values);
  const query = useMemo(
    () => ({
      from: period?.from.toISOString() ?? '',
      to: period?.to.toISOString() ?? '',
      partnerOrgId: values.org,
      queryType: values.type,
      assigneeId: values.agent,
      timeZone,
    }),
    // the period's times as numbers: a new Date each render must not make a new query
    [period?.from.getTime(), period?.to.getTime(), values.org, values.type, values.agent],
  );
  const report = useDeskQuery({
    queryKey: queryKeys.reports(query),
    read: (signal, waitFor) => api.get<Report>('/api/support/reports', { signal, waitFor, query }),
    enabled: period !== null,
  });
  const staff = useDeskQuery({
    queryKey: queryKeys.staff(''),
    read: (signal) => api.get<Page<StaffMember>>('/api/support/staff', { signal, query: { limit: 100 } }),
  });

  // the organisations offered are those seen in reports over every organisation
  const [organisations, setOrganisations] = useState<string[]>([]);
  useEffect(() => {
    const seen = report.data?.volumeByOrganisation.map((o) => o.partnerOrgId) ?? [];
    if (seen.length) setOrganisations((known) => [...new Set([...known, ...seen])].sort());
  }, [report.data]);

  const update = useCallback(
    (changes: Partial<ReportFilterValues>) =>
      setParams(
        (current) => {
          const next = new URLSearchParams(current);
          for (const key of keys) {
            const value = changes[key];
            if (value === undefined) continue;
            if (value === '') next.delete(key);
            else next.set(key, value);
          }
          return next;
        },
        { replace: true },
      ),
    [setParams],
  );

  const csvQuery = new URLSearchParams(
    Object.entries(query).filter((entry): entry is [string, string] => entry[1] !== ''),
  ).toString();
  const csv = (chart: string) => `/api/support/reports/${chart}.csv?${csvQuery}`;
  const data = report.data;
  const bars = (list: { key: string; label: string; threads: number }[]) =>
    list.map((b) => ({ name: shortBarNames[b.key] ?? b.label, threads: b.threads }));
  const timesTable = (list: { label: string; threads: number }[]) => ({
    columns: ['Time', 'Threads'],
    rows: list.map((b) => [b.label, b.threads]),
  });
  const noThreads = data && data.summary.threads === 0 ? 'No threads were raised in this period.' : false;

  return (
    <div className="page reports-page">
      <div className="page-header">
        <div>
          <h1>Reports</h1>
          <p>How fast the desk answers and resolves, what the queries are about, and what is still waiting.</p>
        </div>
      </div>
      <div className="card report-filters">
        <ReportFilters
          values={values}
          organisations={organisations}
          staff={staff.data?.items ?? []}
          onChange={update}
        />
      </div>
      {period === null ? (
        <p className="muted">Choose a first day on or before the last day.</p>
      ) : report.loading ? (
        <div className="card card-pad">
          <SkeletonRows rows={6} />
        </div>
      ) : report.error && !data ? (
        <div className="card">
          <ErrorState error={report.error} onRetry={() => void report.reload()} />
        </div>
      ) : data ? (
        <>
          <section className="stats report-figures" aria-label="Figures for the period">
            <Figure testId="figure-threads" name="Threads raised" value={formatNumber(data.summary.threads)} />
            <Figure
              testId="figure-first-response-median"
              name="First reply, median"
              value={duration(data.summary.firstResponse.medianSeconds)}
            />
            <Figure
              testId="figure-first-response-p90"
              name="First reply, 9 in 10 within"
              value={duration(data.summary.firstResponse.p90Seconds)}
            />
            <Figure
              testId="figure-resolution-median"
              name="Resolution, median"
              value={duration(data.summary.resolution.medianSeconds)}
            />
            <Figure
              testId="figure-resolution-p90"
              name="Resolution, 9 in 10 within"
              value={duration(data.summary.resolution.p90Seconds)}
            />
            {data.summary.firstResponseBusiness.count > 0 ? (
              <>
                <Figure
                  testId="figure-first-response-business"
                  name="First reply in open hours, median"
                  value={duration(data.summary.firstResponseBusiness.medianSeconds)}
                />
                <Figure
                  testId="figure-resolution-business"
                  name="Resolution in open hours, median"
                  value={duration(data.summary.resolutionBusiness.medianSeconds)}
                />
              </>
            ) : null}
            <Figure
              testId="figure-csat"
              name={
                data.satisfaction.goodShare === null && data.satisfaction.meanScore !== null
                  ? 'Satisfaction, mean of 1 to 5'
                  : 'Satisfaction, rated good'
              }
              value={
                data.satisfaction.goodShare !== null
                  ? percent(data.satisfaction.goodShare)
                  : data.satisfaction.meanScore !== null
                    ? data.satisfaction.meanScore.toFixed(1)
                    : '—'
              }
            />
            <Figure
              testId="figure-warnings"
              name="Service-level warnings"
              value={formatNumber(data.summary.slaWarnings)}
            />
            <Figure
              testId="figure-breaches"
              name="Service-level breaches"
              value={formatNumber(data.summary.slaBreaches)}
            />
          </section>
          <div className="report-grid">
            <ChartCard
              testId="chart-first-response"
              title="Time to first reply"
              description={`How long partners waited for the first reply. ${data.summary.firstResponse.count} of ${data.summary.threads} threads have one.`}
              csvHref={csv('first-response-times')}
              table={timesTable(data.firstResponseTimes)}
              empty={noThreads}
            >
              <ColumnChart data={bars(data.firstResponseTimes)} />
            </ChartCard>
            <ChartCard
              testId="chart-resolution"
              title="Time to resolution"
              description={`From the query to its first resolution (or closing). ${data.summary.resolution.count} of ${data.summary.threads} threads are resolved.`}
              csvHref={csv('resolution-times')}
              table={timesTable(data.resolutionTimes)}
              empty={noThreads}
            >
              <ColumnChart data={bars(data.resolutionTimes)} />
            </ChartCard>
            <ChartCard
              testId="chart-sla"
              title="Service-level targets"
              description={`Whether each target was met, over the threads a service level applied to. ${data.slaCompliance
                .filter((r) => r.priority === 'ALL')
                .map((r) => `${metricNames[r.metric] ?? r.metric}: ${percent(r.compliance)} met`)
                .join(', ')}`}
              csvHref={csv('sla-compliance')}
              table={{
                columns: ['Target', 'Priority', 'Met', 'Missed', 'Past due', 'Running', 'Met in time'],
                rows: data.slaCompliance.map((r) => [
                  metricNames[r.metric] ?? r.metric,
                  r.priority === 'ALL' ? 'All' : label(r.priority),
                  r.met,
                  r.missed,
                  r.breached,
                  r.open,
                  percent(r.compliance),
                ]),
              }}
              empty={
                data.slaCompliance.length === 0 ? 'No service level applied to the threads of this period.' : false
              }
            >
              <OutcomeChart
                data={data.slaCompliance
                  .filter((r) => r.priority === 'ALL')
                  .map((r) => ({ ...r, name: metricNames[r.metric] ?? r.metric }))}
              />
            </ChartCard>
            <ChartCard
              testId="chart-backlog"
              title="Waiting to be resolved"
              description="Threads open or waiting for the partner at the end of each day, whenever they were raised."
              csvHref={csv('backlog')}
              table={{
                columns: ['Day', 'Waiting', 'Raised or reopened', 'Resolved or closed'],
                rows: data.backlog.map((d) => [d.day, d.open, d.opened, d.closed]),
              }}
            >
              <BacklogChart data={data.backlog} />
            </ChartCard>
            <ChartCard
              testId="chart-query-type"
              title="Queries by type"
              description="What partners asked about."
              csvHref={csv('volume-by-query-type')}
              table={{
                columns: ['Query type', 'Threads'],
                rows: data.volumeByQueryType.map((r) => [label(r.queryType), r.threads]),
              }}
              empty={noThreads}
            >
              <ColumnChart
                data={data.volumeByQueryType.map((r) => ({ name: label(r.queryType), threads: r.threads }))}
              />
            </ChartCard>
            <ChartCard
              testId="chart-priority"
              title="Queries by priority"
              description="Today’s priority of each thread."
              csvHref={csv('volume-by-priority')}
              table={{
                columns: ['Priority', 'Threads'],
                rows: data.volumeByPriority.map((r) => [label(r.priority), r.threads]),
              }}
              empty={noThreads}
            >
              <ColumnChart data={data.volumeByPriority.map((r) => ({ name: label(r.priority), threads: r.threads }))} />
            </ChartCard>
            <ChartCard
              testId="chart-organisation"
              title="Queries by organisation"
              description="The partner organisations that raised them (the 15 with the most)."
              csvHref={csv('volume-by-organisation')}
              table={{
                columns: ['Organisation', 'Threads'],
                rows: data.volumeByOrganisation.map((r) => [r.partnerOrgId, r.threads]),
              }}
              empty={noThreads}
            >
              <RowChart
                data={data.volumeByOrganisation.slice(0, 15).map((r) => ({ name: r.partnerOrgId, threads: r.threads }))}
              />
            </ChartCard>
            <ChartCard
              testId="chart-agent"
              title="Queries by agent"
              description="Who each thread is assigned to now."
              csvHref={csv('volume-by-agent')}
              table={{
                columns: ['Agent', 'Threads'],
                rows: data.volumeByAgent.map((r) => [r.assigneeName ?? 'Unassigned', r.threads]),
              }}
              empty={noThreads}
            >
              <RowChart
                data={data.volumeByAgent
                  .slice(0, 15)
                  .map((r) => ({ name: r.assigneeName ?? 'Unassigned', threads: r.threads }))}
              />
            </ChartCard>
            <SatisfactionCard
              data={data.satisfaction}
              csvHref={csv('satisfaction')}
              commentsHref={csv('satisfaction-comments')}
            />
          </div>
        </>
      ) : null}
    </div>
  );
}
