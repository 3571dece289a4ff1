import { stringify } from 'csv-stringify/sync';
import type { ReportData } from './report.js';

/** Every chart of the reports page that downloads as CSV, by the name in its address. */
export const reportCharts = [
  'first-response-times',
  'resolution-times',
  'volume-by-query-type',
  'volume-by-organisation',
  'volume-by-priority',
  'volume-by-agent',
  'sla-compliance',
  'satisfaction',
  'satisfaction-comments',
  'backlog',
] as const;
export type ReportChart = (typeof reportCharts)[number];

// a cell starting with = + - @ (or a tab or carriage return) would run as a formula in a spreadsheet: keep it text
const guarded = (text: string) => (/^[=+\-@\t\r]/.test(text) ? `'${text}` : text);

/** RFC 4180: a header row, CRLF line ends, fields quoted when they hold a comma, a quote or a line break. */
function csv(columns: string[], rows: readonly (readonly unknown[])[]): string {
  return stringify([columns, ...rows], {
    record_delimiter: 'windows',
    cast: {
      string: guarded,
      number: (value) => guarded(String(value)),
      boolean: (value) => String(value),
    },
  });
}

/** The CSV of one chart, from the data the page shows (the same filters). */
export function chartCsv(chart: ReportChart, data: Partial<ReportData>): string {
  switch (chart) {
    case 'first-response-times':
    case 'resolution-times': {
      const bars = (chart === 'first-response-times' ? data.firstResponseTimes : data.resolutionTimes) ?? [];
      return csv(
        ['bucket', 'fromSeconds', 'toSeconds', 'threads'],
        bars.map((b) => [b.label, b.fromSeconds, b.toSeconds, b.threads]),
      );
    }
    case 'volume-by-query-type':
      return csv(
        ['queryType', 'threads'],
        (data.volumeByQueryType ?? []).map((r) => [r.queryType, r.threads]),
      );
    case 'volume-by-organisation':
      return csv(
        ['partnerOrgId', 'threads'],
        (data.volumeByOrganisation ?? []).map((r) => [r.partnerOrgId, r.threads]),
      );
    case 'volume-by-priority':
      return csv(
        ['priority', 'threads'],
        (data.volumeByPriority ?? []).map((r) => [r.priority, r.threads]),
      );
    case 'volume-by-agent':
      return csv(
        ['assigneeId', 'assigneeName', 'threads'],
        (data.volumeByAgent ?? []).map((r) => [r.assigneeId, r.assigneeName ?? 'Unassigned', r.threads]),
      );
    case 'sla-compliance':
      return csv(
        ['metric', 'priority', 'met', 'missed', 'breached', 'open', 'compliance'],
        (data.slaCompliance ?? []).map((r) => [
          r.metric,
          r.priority,
          r.met,
          r.missed,
          r.breached,
          r.open,
          r.compliance,
        ]),
      );
    case 'satisfaction': {
      const s = data.satisfaction;
      const rows: [string, number][] = s
        ? [
            ['good', s.good],
            ['okay', s.okay],
            ['bad', s.bad],
            ...s.fivePoint.map((n, i): [string, number] => [String(i + 1), n]),
          ]
        : [];
      return csv(['rating', 'threads'], rows);
    }
    case 'satisfaction-comments':
      return csv(
        ['ratedAt', 'threadId', 'rating', 'comment'],
        (data.satisfaction?.comments ?? []).map((c) => [c.ratedAt, c.threadId, c.rating, c.comment]),
      );
    case 'backlog':
      return csv(
        ['day', 'open', 'opened', 'closed'],
        (data.backlog ?? []).map((d) => [d.day, d.open, d.opened, d.closed]),
      );
  }
}
