import type pg from 'pg';
import { z } from 'zod';
import { implement, routeContract, type AnyRoute } from '../../platform/http/route.js';
import { supportManagers } from '../../platform/identity/identity.js';
import { requestedPosition, type ProjectionWatcher } from '../projectionWatcher.js';
import { buildReport, reportFilterOf, reportQuery, reportSchema } from './report.js';
import { chartCsv, reportCharts } from './reportCsv.js';
import { backlogReport, satisfactionReport, slaComplianceReport, timesReport, volumeReport } from './reportQueries.js';

export const getReports = routeContract({
  method: 'get',
  path: '/api/support/reports',
  operationId: 'getReports',
  summary: 'The reports page: response and resolution times, volumes and the backlog, under the filters',
  description:
    'Times and volumes are over the threads raised in the period (`from` to `to`, default the last 30 days); the ' +
    'backlog counts, at each day’s end, every thread waiting to be resolved. Medians and p90 are interpolated ' +
    '(percentile_cont). Built from the reports projection.',
  tags: ['Reports'],
  access: supportManagers,
  query: reportQuery,
  headers: [{ name: 'X-Wait-For-Position', description: 'Same as the waitFor query parameter' }],
  response: { status: 200, description: 'Every dataset of the page', schema: reportSchema },
});

export const getReportCsv = routeContract({
  method: 'get',
  path: '/api/support/reports/:chart.csv',
  operationId: 'getReportCsv',
  summary: 'One chart of the reports page as CSV (same filters)',
  description:
    'RFC 4180 with a header row and CRLF line ends. A cell that would start with = + - @ is prefixed with a quote ' +
    "(') so that a spreadsheet shows it as text.",
  tags: ['Reports'],
  access: supportManagers,
  params: z.object({ chart: z.enum(reportCharts) }),
  query: reportQuery,
  binaryResponse: { mediaTypes: ['text/csv'] },
  response: { status: 200, description: 'The chart’s rows', schema: z.string() },
});

export function reportRoutes(deps: { pool: pg.Pool; clock: () => Date; watcher: ProjectionWatcher }): AnyRoute[] {
  const accountOf = (identity: { kind: string; accountId?: string }) =>
    identity.kind === 'staff' ? identity.accountId : undefined;

  /** Read-your-writes: with a position, the report waits (up to 5 s) until the reports projection has it. */
  const consistency = async (
    waitFor: string | undefined,
    header: string | undefined,
  ): Promise<Record<string, string>> => {
    const position = requestedPosition(waitFor, header);
    if (!position) return {};
    const fresh = await deps.watcher.waitFor(position, ['reports'], 5000);
    return { 'X-Consistency': fresh ? 'fresh' : 'stale' };
  };

  const report = implement(getReports, {
    async handle(ctx) {
      const headers = await consistency(ctx.query.waitFor, ctx.header('x-wait-for-position'));
      const filter = reportFilterOf(ctx.query, deps.clock(), accountOf(ctx.identity));
      return { body: await buildReport(deps.pool, filter), headers: { ...headers, 'Cache-Control': 'no-store' } };
    },
  });

  const csv = implement(getReportCsv, {
    async handle(ctx) {
      const filter = reportFilterOf(ctx.query, deps.clock(), accountOf(ctx.identity));
      const chart = ctx.params.chart;
      // only the statement the chart needs
      const data =
        chart === 'backlog'
          ? { backlog: await backlogReport(deps.pool, filter) }
          : chart.startsWith('satisfaction')
            ? { satisfaction: await satisfactionReport(deps.pool, filter) }
            : chart === 'sla-compliance'
              ? { slaCompliance: await slaComplianceReport(deps.pool, filter) }
              : chart.startsWith('volume')
                ? await volumeReport(deps.pool, filter)
                : await timesReport(deps.pool, filter);
      const day = (d: Date) => d.toISOString().slice(0, 10);
      return {
        body: chartCsv(chart, data),
        raw: true,
        headers: {
          'Content-Type': 'text/csv; charset=utf-8',
          'Content-Disposition': `attachment; filename="${chart}-${day(filter.from)}-${day(filter.to)}.csv"`,
          'Cache-Control': 'no-store',
        },
      };
    },
  });

  return [report, csv];
}
