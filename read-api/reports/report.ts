import { z } from 'zod';
import { queryTypeSchema } from '../../domain/index.js';
import {
  backlogReport,
  satisfactionReport,
  slaComplianceReport,
  type SatisfactionReport,
  type SlaComplianceRow,
  timesReport,
  volumeReport,
  type BacklogDay,
  type ReportFilter,
  type TimesReport,
  type VolumeReport,
} from './reportQueries.js';

/** The reports page's filters, as the query string carries them. */

/** The longest period one report covers (its backlog has a point a day). */
export const REPORT_PERIOD_MAX_DAYS = 366;
const DEFAULT_PERIOD_DAYS = 30;
const DAY_MS = 86_400_000;

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

export const reportQuery = z
  .object({
    from: z.iso
      .datetime({ offset: true, error: 'must be an ISO time, e.g. 2026-11-01T00:00:00Z' })
      .optional()
      .meta({ description: 'Threads raised at or after this time (default: 30 days before `to`)' }),
    to: z.iso
      .datetime({ offset: true, error: 'must be an ISO time, e.g. 2026-12-01T00:00:00Z' })
      .optional()
      .meta({ description: 'Threads raised before this time (default: now)' }),
    partnerOrgId: z.string().trim().min(1).max(200).optional(),
    queryType: queryTypeSchema.optional(),
    assigneeId: z
      .string()
      .trim()
      .min(1)
      .max(200)
      .optional()
      .meta({ description: "An account id, 'me', or 'none' for threads nobody is assigned" }),
    timeZone: z
      .string()
      .max(64)
      .refine(isTimeZone, { error: 'must be an IANA time zone, e.g. Europe/Berlin' })
      .default('UTC')
      .meta({ description: 'The zone the backlog’s days are counted in (default UTC)' }),
    waitFor: z
      .string()
      .max(50)
      .optional()
      .meta({ description: 'A position from a command answer: wait (up to 5 s) until the report reflects it' }),
  })
  .superRefine((q, ctx) => {
    if (!q.from || !q.to) return;
    const from = Date.parse(q.from);
    const to = Date.parse(q.to);
    if (to <= from) ctx.addIssue({ code: 'custom', path: ['to'], message: 'must be after from' });
    else if (to - from > REPORT_PERIOD_MAX_DAYS * DAY_MS)
      ctx.addIssue({
        code: 'custom',
        path: ['to'],
        message: `must be at most ${REPORT_PERIOD_MAX_DAYS} days after from`,
      });
  });
export type ReportQuery = z.output<typeof reportQuery>;

/** The filter a query asks for, at `now`; `me` is the asking account. */
export function reportFilterOf(query: ReportQuery, now: Date, accountId: string | undefined): ReportFilter {
  const to = query.to ? new Date(query.to) : now;
  const from = query.from ? new Date(query.from) : new Date(to.getTime() - DEFAULT_PERIOD_DAYS * DAY_MS);
  return {
    from,
    to,
    partnerOrgId: query.partnerOrgId,
    queryType: query.queryType,
    assigneeId: query.assigneeId === 'me' ? accountId : query.assigneeId,
    timeZone: query.timeZone,
  };
}

const seconds = z.number().nullable();
const timeFigures = z.object({
  count: z.number().int().meta({ description: 'Threads the figure is taken over' }),
  medianSeconds: seconds,
  p90Seconds: seconds.meta({ description: '9 in 10 threads took at most this long' }),
});
const timeBar = z.object({
  key: z.string(),
  label: z.string(),
  fromSeconds: z.number(),
  toSeconds: z.number().nullable(),
  threads: z.number().int(),
});

export const reportSchema = z
  .object({
    period: z.object({ from: z.string(), to: z.string(), timeZone: z.string() }),
    summary: z.object({
      threads: z.number().int().meta({ description: 'Threads raised in the period (under the filters)' }),
      firstResponse: timeFigures.meta({
        description: 'Wall-clock time from the raise to the first reply to the partner',
      }),
      resolution: timeFigures.meta({
        description: 'Wall-clock time from the raise to the first resolution (or closing, if closed unresolved)',
      }),
      firstResponseBusiness: timeFigures.meta({
        description:
          'Business time (open hours of the policy’s calendar, not while waiting on the partner) to the first reply, over the threads a service level applied to',
      }),
      resolutionBusiness: timeFigures.meta({
        description:
          'Business time the resolution clock ran, to the last resolution, over the threads a service level applied to',
      }),
      slaWarnings: z.number().int().meta({ description: 'Service-level warnings recorded on these threads' }),
      slaBreaches: z.number().int().meta({ description: 'Service-level breaches recorded on these threads' }),
    }),
    firstResponseTimes: z.array(timeBar),
    resolutionTimes: z.array(timeBar),
    volumeByQueryType: z.array(z.object({ queryType: z.string(), threads: z.number().int() })),
    volumeByOrganisation: z.array(z.object({ partnerOrgId: z.string(), threads: z.number().int() })),
    volumeByPriority: z.array(z.object({ priority: z.string(), threads: z.number().int() })),
    volumeByAgent: z.array(
      z.object({ assigneeId: z.string().nullable(), assigneeName: z.string().nullable(), threads: z.number().int() }),
    ),
    slaCompliance: z
      .array(
        z.object({
          metric: z.enum(['firstResponse', 'nextResponse', 'resolution']),
          priority: z.string().meta({ description: 'A priority (today’s), or ALL' }),
          met: z.number().int().meta({ description: 'Done within the target' }),
          missed: z.number().int().meta({ description: 'Done late' }),
          breached: z.number().int().meta({ description: 'Not done and already past the target' }),
          open: z.number().int().meta({ description: 'Not done and still within the target' }),
          compliance: z.number().nullable().meta({ description: 'met / (met + missed + breached)' }),
        }),
      )
      .meta({ description: 'Per target, over the threads raised in the period that a service level applied to' }),
    satisfaction: z
      .object({
        offered: z.number().int().meta({ description: 'Satisfaction surveys offered on these threads' }),
        rated: z.number().int().meta({ description: 'Threads rated (the latest answer counts)' }),
        good: z.number().int(),
        okay: z.number().int(),
        bad: z.number().int(),
        goodShare: z.number().nullable().meta({ description: 'good ÷ (good + okay + bad)' }),
        fivePoint: z.array(z.number().int()).meta({ description: 'How many rated 1, 2, 3, 4 and 5' }),
        meanScore: z.number().nullable().meta({ description: 'The mean of the 1 to 5 ratings' }),
        comments: z
          .array(z.object({ threadId: z.string(), rating: z.string(), comment: z.string(), ratedAt: z.string() }))
          .meta({ description: 'The latest 10 comments, newest first' }),
      })
      .meta({ description: 'What partners said in the satisfaction survey, over the threads raised in the period' }),
    backlog: z
      .array(
        z.object({
          day: z.string(),
          open: z.number().int().meta({ description: 'Threads waiting to be resolved at the end of the day' }),
          opened: z.number().int().meta({ description: 'Raised or reopened that day' }),
          closed: z.number().int().meta({ description: 'Resolved or closed that day' }),
        }),
      )
      .meta({ description: 'Every thread waiting at each day’s end, whenever raised (the period’s days)' }),
  })
  .meta({ id: 'Report' });

export type ReportData = TimesReport &
  VolumeReport & {
    period: z.infer<typeof reportSchema>['period'];
    slaCompliance: SlaComplianceRow[];
    satisfaction: SatisfactionReport;
    backlog: BacklogDay[];
  };

type Queryable = Parameters<typeof timesReport>[0];

/** Every dataset of the page, its statements run side by side. */
export async function buildReport(db: Queryable, filter: ReportFilter): Promise<ReportData> {
  const [times, volume, slaCompliance, satisfaction, backlog] = await Promise.all([
    timesReport(db, filter),
    volumeReport(db, filter),
    slaComplianceReport(db, filter),
    satisfactionReport(db, filter),
    backlogReport(db, filter),
  ]);
  return {
    period: { from: filter.from.toISOString(), to: filter.to.toISOString(), timeZone: filter.timeZone },
    ...times,
    ...volume,
    slaCompliance,
    satisfaction,
    backlog,
  };
}
