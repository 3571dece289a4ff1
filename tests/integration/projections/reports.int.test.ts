import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PostgresEventStore } from '../../../eventstore/postgres/postgresEventStore.js';
import type { Position } from '../../../eventstore/port.js';
import { createLogger } from '../../../platform/logger.js';
import { ProjectionEngine } from '../../../projections/projectionEngine.js';
import { reportsProjection } from '../../../projections/reports.js';
import { buildReport } from '../../../read-api/reports/report.js';
import { chartCsv } from '../../../read-api/reports/reportCsv.js';
import { readReportHistograms, reportSecondsBuckets } from '../../../read-api/reports/reportMetrics.js';
import type { ReportFilter } from '../../../read-api/reports/reportQueries.js';
import { ProjectorRunner } from '../../../workers/projectorRunner.js';
import { appendStory, appendThreadEvents, slaSnapshot, type ThreadStory } from '../../support/reportThreads.js';
import { randomUUID } from 'node:crypto';
import { readReportAlertCounts } from '../../../read-api/reports/reportMetrics.js';
import { createTestDatabase, type TestDatabase } from '../../support/testDatabase.js';

/**
 * The reports projection over a log of known threads, and the report's queries over what it
 * built: figures worked out by hand, the filters, the backlog day by day, and a rebuild that
 * gives the same rows.
 */

let db: TestDatabase;
let store: PostgresEventStore;
let engine: ProjectionEngine;
let runner: ProjectorRunner;

const day = (d: number, hour = 9) => new Date(Date.UTC(2026, 10, d, hour));
// November 2026: the period of every report below
const november: ReportFilter = { from: day(1, 0), to: new Date(Date.UTC(2026, 11, 1)), timeZone: 'UTC' };

// ten acme PAYMENT threads raised on 2 November, answered after 10, 20, … 100 minutes, resolved an hour after the answer
const answered: ThreadStory[] = Array.from({ length: 10 }, (_, i) => ({
  raisedAt: day(2),
  partnerOrgId: 'acme',
  queryType: 'PAYMENT',
  priority: i < 5 ? 'HIGH' : 'LOW',
  steps: [
    { kind: 'assign', minutes: 1, assigneeId: i % 2 ? 'agent-1' : 'agent-2', assigneeName: i % 2 ? 'Alex' : 'Bo' },
    { kind: 'reply', minutes: (i + 1) * 10 },
    { kind: 'resolve', minutes: (i + 1) * 10 + 60 },
  ],
}));
const others: ThreadStory[] = [
  // globex, never answered, waiting since 3 November
  { raisedAt: day(3), partnerOrgId: 'globex', queryType: 'TECHNICAL', priority: 'URGENT' },
  // globex, resolved on 4 November, reopened on 5 November, still waiting
  {
    raisedAt: day(4),
    partnerOrgId: 'globex',
    queryType: 'DOCUMENTS',
    steps: [
      { kind: 'resolve', minutes: 60 },
      { kind: 'reopen', minutes: 24 * 60 },
    ],
  },
  // raised in October and waiting until it was closed on 3 November: in November's backlog, not its times
  { raisedAt: day(-5), partnerOrgId: 'acme', queryType: 'OTHER', steps: [{ kind: 'close', minutes: 8 * 24 * 60 }] },
];

// January 2027, office hours Monday to Friday 09:00 to 17:00 UTC; 4 January is a Monday
const jan = (d: number, hour: number, minute = 0) => new Date(Date.UTC(2027, 0, d, hour, minute));
const january: ReportFilter = { from: jan(1, 0), to: jan(31, 0), timeZone: 'UTC' };
const minutesAfter = (from: Date, to: Date) => (to.getTime() - from.getTime()) / 60_000;
const answeredOvernight = randomUUID();
const slaStories: ThreadStory[] = [
  // raised half an hour before closing, answered 20 minutes after opening: 50 business minutes, met
  {
    threadId: answeredOvernight,
    raisedAt: jan(4, 16, 30),
    partnerOrgId: 'initech',
    priority: 'URGENT',
    sla: slaSnapshot(),
    steps: [
      { kind: 'reply', minutes: minutesAfter(jan(4, 16, 30), jan(5, 9, 20)) },
      { kind: 'resolve', minutes: minutesAfter(jan(4, 16, 30), jan(5, 9, 30)) },
    ],
  },
  // answered after two hours (missed, warned and breached); the partner wrote again and waits past the next-reply target
  {
    raisedAt: jan(4, 10),
    partnerOrgId: 'initech',
    priority: 'URGENT',
    sla: slaSnapshot(),
    steps: [
      { kind: 'warning', minutes: 30, metric: 'firstResponse' },
      { kind: 'breach', minutes: 60, metric: 'firstResponse' },
      { kind: 'reply', minutes: 120 },
      { kind: 'partnerMessage', minutes: 180 },
      { kind: 'breach', minutes: 240, metric: 'nextResponse', cycle: 1 },
    ],
  },
  // no service level applies
  { raisedAt: jan(4, 10), partnerOrgId: 'initech', priority: 'URGENT', steps: [{ kind: 'reply', minutes: 5 }] },
];
// February 2027: satisfaction. Three threads rated on the three-point scale (one changed its mind), two on 1 to 5
const february: ReportFilter = {
  from: new Date(Date.UTC(2027, 1, 1)),
  to: new Date(Date.UTC(2027, 2, 1)),
  timeZone: 'UTC',
};
const rated = (at: number, steps: ThreadStory['steps']): ThreadStory => ({
  raisedAt: new Date(Date.UTC(2027, 1, at, 9)),
  partnerOrgId: 'hooli',
  steps: [{ kind: 'resolve', minutes: 30 }, ...(steps ?? [])],
});
const csatStories: ThreadStory[] = [
  rated(2, [
    { kind: 'offerSurvey', minutes: 30, scale: 'three' },
    { kind: 'rate', minutes: 40, rating: 'bad', comment: 'Slow.' },
    { kind: 'rate', minutes: 50, rating: 'good', comment: '=HYPERLINK("https://evil.test") fixed after all' },
  ]),
  rated(3, [
    { kind: 'offerSurvey', minutes: 30, scale: 'three' },
    { kind: 'rate', minutes: 40, rating: 'okay' },
  ]),
  rated(4, [
    { kind: 'offerSurvey', minutes: 30, scale: 'three' },
    { kind: 'rate', minutes: 40, rating: 'good', comment: 'Thanks!' },
  ]),
  rated(5, [
    { kind: 'offerSurvey', minutes: 30, scale: 'five' },
    { kind: 'rate', minutes: 40, rating: 5 },
  ]),
  rated(6, [
    { kind: 'offerSurvey', minutes: 30, scale: 'five' },
    { kind: 'rate', minutes: 40, rating: 2, comment: 'Took two days.' },
  ]),
  // offered, never answered
  rated(7, [{ kind: 'offerSurvey', minutes: 30, scale: 'five' }]),
];

async function projected(position: Position): Promise<void> {
  for (let i = 0; !(await engine.reached(position, ['reports'])); i++) {
    if (i > 400) throw new Error('the reports projection did not reach the log’s end');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

beforeAll(async () => {
  db = await createTestDatabase();
  store = new PostgresEventStore(db.pool, { connectionString: db.url, pollIntervalMs: 100 });
  engine = new ProjectionEngine({ pool: db.pool, eventStore: store, projections: [reportsProjection] });
  runner = new ProjectorRunner({ engine, logger: createLogger('silent'), idleMs: 100 });
  await runner.start();
  let position: Position | undefined;
  for (const story of [...answered, ...others, ...slaStories, ...csatStories])
    position = (await appendStory(store, story)).position;
  await projected(position!);
});

afterAll(async () => {
  await runner?.stop();
  await store?.close();
  await db?.drop();
});

describe('the reports projection and its queries', () => {
  it('when threads were answered after 10 … 100 minutes, then the median is 55 minutes and p90 91 (interpolated)', async () => {
    const report = await buildReport(db.pool, november);
    expect(report.summary.threads).toBe(12);
    expect(report.summary.firstResponse).toEqual({ count: 10, medianSeconds: 55 * 60, p90Seconds: 91 * 60 });
    // resolved an hour after each answer; the reopened globex thread's first resolution took 60 minutes
    expect(report.summary.resolution.count).toBe(11);
    expect(report.summary.resolution.medianSeconds).toBe(110 * 60);
    const bars = Object.fromEntries(report.firstResponseTimes.map((b) => [b.key, b.threads]));
    expect(bars).toMatchObject({ 'under-15m': 1, '15m-1h': 4, '1h-4h': 5, 'over-7d': 0 });
    expect(report.resolutionTimes.reduce((n, b) => n + b.threads, 0)).toBe(11);
  });

  it('when the report is filtered, then every dataset counts only the matching threads', async () => {
    const acme = await buildReport(db.pool, { ...november, partnerOrgId: 'acme' });
    expect(acme.summary.threads).toBe(10);
    expect(acme.volumeByOrganisation).toEqual([{ partnerOrgId: 'acme', threads: 10 }]);
    const technical = await buildReport(db.pool, { ...november, queryType: 'TECHNICAL' });
    expect(technical.summary).toMatchObject({ threads: 1, firstResponse: { count: 0, medianSeconds: null } });
    const alex = await buildReport(db.pool, { ...november, assigneeId: 'agent-1' });
    // Alex answered the 2nd, 4th, … 10th: after 20, 40, 60, 80, 100 minutes
    expect(alex.summary.firstResponse).toEqual({ count: 5, medianSeconds: 60 * 60, p90Seconds: 92 * 60 });
    const nobody = await buildReport(db.pool, { ...november, assigneeId: 'none' });
    expect(nobody.summary.threads).toBe(2);
    const december = await buildReport(db.pool, {
      ...november,
      from: new Date(Date.UTC(2026, 11, 1)),
      to: new Date(Date.UTC(2026, 11, 31)),
    });
    expect(december.summary.threads).toBe(0);
    expect(december.summary.firstResponse.medianSeconds).toBeNull();
  });

  it('when volumes are asked for, then each grouping counts the threads raised in the period', async () => {
    const report = await buildReport(db.pool, november);
    expect(report.volumeByOrganisation).toEqual([
      { partnerOrgId: 'acme', threads: 10 },
      { partnerOrgId: 'globex', threads: 2 },
    ]);
    expect(report.volumeByQueryType).toEqual([
      { queryType: 'PAYMENT', threads: 10 },
      { queryType: 'DOCUMENTS', threads: 1 },
      { queryType: 'TECHNICAL', threads: 1 },
    ]);
    expect(report.volumeByPriority).toEqual([
      { priority: 'URGENT', threads: 1 },
      { priority: 'HIGH', threads: 5 },
      { priority: 'MEDIUM', threads: 1 },
      { priority: 'LOW', threads: 5 },
    ]);
    expect(report.volumeByAgent).toEqual([
      { assigneeId: 'agent-1', assigneeName: 'Alex', threads: 5 },
      { assigneeId: 'agent-2', assigneeName: 'Bo', threads: 5 },
      { assigneeId: null, assigneeName: null, threads: 2 },
    ]);
  });

  it('when the backlog is drawn, then each day ends with the threads still waiting, whenever they were raised', async () => {
    const report = await buildReport(db.pool, november);
    expect(report.backlog).toHaveLength(30);
    const byDay = Object.fromEntries(report.backlog.map((d) => [d.day, [d.open, d.opened, d.closed]]));
    expect(byDay['2026-11-01']).toEqual([1, 0, 0]); // the October thread
    expect(byDay['2026-11-02']).toEqual([1, 10, 10]); // ten raised and resolved the same day
    expect(byDay['2026-11-03']).toEqual([1, 1, 1]); // the globex thread raised, the October one closed
    expect(byDay['2026-11-04']).toEqual([1, 1, 1]); // raised and resolved
    expect(byDay['2026-11-05']).toEqual([2, 1, 0]); // reopened
    expect(byDay['2026-11-30']).toEqual([2, 0, 0]);
    // days are counted in the report's zone: in Tokyo the ten threads were raised (18:00) on 2 November too,
    // and the October thread was closed at 18:00 on 3 November
    const tokyo = await buildReport(db.pool, { ...november, timeZone: 'Asia/Tokyo' });
    expect(tokyo.backlog[0]).toMatchObject({ day: '2026-11-01', open: 1 });
  });

  it('when Prometheus scrapes, then the histograms count each answered thread once, under the priority it had', async () => {
    const rows = await readReportHistograms(db.pool);
    const firstHigh = rows.find((r) => r.metric === 'firstResponse' && r.priority === 'HIGH')!;
    expect(firstHigh.count).toBe(5);
    expect(firstHigh.sum).toBe((10 + 20 + 30 + 40 + 50) * 60);
    expect(firstHigh.buckets[reportSecondsBuckets.indexOf(900)]).toBe(1);
    expect(firstHigh.buckets[reportSecondsBuckets.indexOf(3600)]).toBe(5);
    const resolved = rows.filter((r) => r.metric === 'resolution' && r.priority !== 'URGENT');
    // November's twelve resolved threads and February's six rated ones
    expect(resolved.reduce((n, r) => n + r.count, 0)).toBe(18);
  });

  it('when the projection is rebuilt from the log, then the new generation holds the same rows', async () => {
    const snapshot = async () => ({
      reports: (await db.pool.query('SELECT * FROM support_reports ORDER BY thread_id')).rows,
      spans: (await db.pool.query('SELECT * FROM support_report_spans ORDER BY thread_id, seq')).rows,
    });
    const before = await snapshot();
    expect(before.reports).toHaveLength(22);
    expect(before.spans).toHaveLength(23);
    const live = await engine.liveGeneration('reports');
    const rebuilt = await engine.rebuild('reports');
    expect(rebuilt.generation).toBe(live!.generation + 1);
    expect(await snapshot()).toEqual(before);
  });

  it('when a service level applied, then business time and each target’s outcome are reported', async () => {
    const report = await buildReport(db.pool, january);
    expect(report.summary.threads).toBe(3);
    // business minutes to the first reply: 50 (overnight) and 120
    expect(report.summary.firstResponseBusiness).toEqual({ count: 2, medianSeconds: 85 * 60, p90Seconds: 113 * 60 });
    // only the overnight thread is resolved: its clock ran 50 business minutes (paused while waiting on the partner)
    expect(report.summary.resolutionBusiness).toEqual({ count: 1, medianSeconds: 3000, p90Seconds: 3000 });
    expect(report.summary).toMatchObject({ slaWarnings: 1, slaBreaches: 2 });
    const all = report.slaCompliance.filter((r) => r.priority === 'ALL');
    expect(all).toEqual([
      { metric: 'firstResponse', priority: 'ALL', met: 1, missed: 1, breached: 0, open: 0, compliance: 0.5 },
      { metric: 'nextResponse', priority: 'ALL', met: 0, missed: 0, breached: 1, open: 0, compliance: 0 },
      { metric: 'resolution', priority: 'ALL', met: 1, missed: 0, breached: 0, open: 1, compliance: 1 },
    ]);
    expect(report.slaCompliance.filter((r) => r.priority === 'URGENT')).toHaveLength(3);
    expect(await readReportAlertCounts(db.pool)).toEqual([
      { kind: 'breach', priority: 'URGENT', count: 2 },
      { kind: 'warning', priority: 'URGENT', count: 1 },
    ]);
  });

  it('when an admin applies a changed calendar to a past thread, then its figures are recomputed over its whole history', async () => {
    const position = await appendThreadEvents(store, answeredOvernight, [
      {
        type: 'SlaPolicyApplied',
        data: {
          threadId: answeredOvernight,
          snapshot: slaSnapshot({ alwaysOpen: true }),
          reason: 'reapplied',
          by: { kind: 'staff', id: 'admin-1', name: 'Ada Admin' },
          occurredAt: jan(20, 12).toISOString(),
        },
      },
    ]);
    await projected(position);
    const report = await buildReport(db.pool, january);
    // always open: the night counts, 16 h 50 min to the reply, past the hour's target
    expect(report.summary.firstResponseBusiness.count).toBe(2);
    expect(report.slaCompliance.find((r) => r.metric === 'firstResponse' && r.priority === 'ALL')).toMatchObject({
      met: 0,
      missed: 2,
    });
    const { rows } = await db.pool.query(
      'SELECT first_response_business_seconds, sla_policy_name FROM support_reports WHERE thread_id = $1',
      [answeredOvernight],
    );
    expect(rows[0]).toEqual({ first_response_business_seconds: (16 * 60 + 50) * 60, sla_policy_name: 'Office hours' });
  });

  it('when partners rated their threads, then the report has the share of good, the mean of 1 to 5 and the latest comments', async () => {
    const { satisfaction } = await buildReport(db.pool, february);
    expect(satisfaction).toMatchObject({ offered: 6, rated: 5, good: 2, okay: 1, bad: 0, fivePoint: [0, 1, 0, 0, 1] });
    expect(satisfaction.goodShare).toBeCloseTo(2 / 3);
    expect(satisfaction.meanScore).toBe(3.5);
    expect(satisfaction.comments.map((c) => [c.rating, c.comment])).toEqual([
      ['2', 'Took two days.'],
      ['good', 'Thanks!'],
      ['good', '=HYPERLINK("https://evil.test") fixed after all'],
    ]);
    const csv = chartCsv('satisfaction-comments', { satisfaction });
    // a comment that would run as a formula stays text
    expect(csv).toContain(`,good,"'=HYPERLINK(""https://evil.test"") fixed after all"\r\n`);
    expect(chartCsv('satisfaction', { satisfaction }).split('\r\n').slice(0, 4)).toEqual([
      'rating,threads',
      'good,2',
      'okay,1',
      'bad,0',
    ]);
  });
});
