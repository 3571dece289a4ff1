import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueThreadLink } from '../support/guestLinks.js';
import { queryAbout, raiseQuery } from '../support/raiseQuery.js';
import { ok, startTestDesk, type ApiClient, type TestDesk } from '../support/testDesk.js';

/**
 * The reports over HTTP: who may read them, the answer's datasets after real commands, each
 * chart's CSV (header, CRLF, no formulas), bad filters refused by field, and the histograms
 * Prometheus scrapes.
 */

interface Report {
  summary: { threads: number; firstResponse: { count: number; medianSeconds: number | null } };
  volumeByAgent: { assigneeId: string | null; assigneeName: string | null; threads: number }[];
  volumeByPriority: { priority: string; threads: number }[];
  backlog: { day: string; open: number }[];
}

describe('the reports over HTTP', () => {
  let desk: TestDesk;
  type Signed = Awaited<ReturnType<TestDesk['signIn']>>;
  let admin: Signed;
  let agent: Signed;
  let partner: Signed;
  let auditor: Signed;
  let ops: Signed;
  let guest: ApiClient;
  let period: string;
  let position: string;
  const formulaName = '=HYPERLINK("https://evil.test","Agent")';

  beforeAll(async () => {
    desk = await startTestDesk();
    const signed = await Promise.all(
      ['admin@demo.test', 'agent@demo.test', 'partner@acme.test', 'auditor@demo.test', 'ops@demo.test'].map((email) =>
        desk.signIn(email),
      ),
    );
    [admin, agent, partner, auditor, ops] = signed as [Signed, Signed, Signed, Signed, Signed];
    const answered = await raiseQuery(
      partner,
      queryAbout('Invoice 4480 paid twice', 'Two transfers.', { priority: 'HIGH' }),
    );
    const waiting = await raiseQuery(
      partner,
      queryAbout('Where is the delivery note?', 'Pallet 7.', { priority: 'LOW' }),
    );
    // half an hour passes on the desk's clock before the answer
    desk.clock.shift(30 * 60_000);
    await ok(
      agent.request('POST', `/api/support/threads/${answered.threadId}/messages`, {
        body: 'Refunded.',
        visibility: 'external',
      }),
    );
    await ok(agent.request('POST', `/api/support/threads/${answered.threadId}/resolve`, {}), 200);
    const odd = await desk.desk.accounts.create({
      email: 'odd.agent@demo.test',
      name: formulaName,
      role: 'agent',
      password: 'demo-password-1',
    });
    const assigned = await ok<{ position: string }>(
      agent.request('POST', `/api/support/threads/${waiting.threadId}/assign`, { assigneeId: odd.id }),
      200,
    );
    // the assignment came last: a read that has it has the resolution too
    position = assigned.position;
    const link = await issueThreadLink(agent, waiting.threadId);
    guest = desk.guest(link.token);
    const now = desk.clock.now().getTime();
    period = `from=${new Date(now - 86_400_000).toISOString()}&to=${new Date(now + 86_400_000).toISOString()}`;
  });
  afterAll(async () => desk?.stop());

  it('when admins and agents ask, then they get the report; anyone else is refused as elsewhere', async () => {
    for (const path of ['/api/support/reports', '/api/support/reports/backlog.csv']) {
      expect((await desk.anonymous.request('GET', path)).status).toBe(401);
      for (const refused of [partner, guest, auditor, ops])
        expect((await refused.request('GET', path)).status).toBe(403);
      for (const staff of [admin, agent]) expect((await staff.request('GET', path)).status).toBe(200);
    }
  });

  it('when the period holds the threads, then the datasets count them, after the writes asked for', async () => {
    const answer = await agent.request<Report>('GET', `/api/support/reports?${period}&waitFor=${position}`);
    expect(answer.status).toBe(200);
    expect(answer.headers.get('x-consistency')).toBe('fresh');
    const report = answer.body;
    expect(report.summary.threads).toBe(2);
    expect(report.summary.firstResponse.count).toBe(1);
    // the desk's clock moved half an hour between the raise and the answer
    expect(report.summary.firstResponse.medianSeconds).toBeGreaterThanOrEqual(1800);
    expect(report.volumeByPriority).toEqual([
      { priority: 'HIGH', threads: 1 },
      { priority: 'LOW', threads: 1 },
    ]);
    expect(report.volumeByAgent.map((a) => [a.assigneeName, a.threads])).toEqual([
      [formulaName, 1],
      [null, 1],
    ]);
    expect(report.backlog.at(-1)?.open).toBe(1);
    const acmeOnly = await agent.request<Report>('GET', `/api/support/reports?${period}&partnerOrgId=globex`);
    expect(acmeOnly.body.summary.threads).toBe(0);
  });

  it('when a chart is downloaded, then it is RFC 4180 CSV with a header row and no cell a spreadsheet would run', async () => {
    const res = await fetch(`${desk.base}/api/support/reports/volume-by-agent.csv?${period}`, {
      headers: admin.headers,
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="volume-by-agent-\d{4}-\d{2}-\d{2}-/);
    const text = await res.text();
    const lines = text.split('\r\n');
    expect(lines[0]).toBe('assigneeId,assigneeName,threads');
    expect(lines.at(-1)).toBe(''); // every record ends with CRLF
    // the name is kept, as text: a leading quote, and quotes doubled inside a quoted field
    expect(lines).toContain(`${lines[1]!.split(',')[0]},"'=HYPERLINK(""https://evil.test"",""Agent"")",1`);
    expect(lines).toContain(',Unassigned,1');
    for (const chart of [
      'first-response-times',
      'resolution-times',
      'volume-by-query-type',
      'volume-by-organisation',
      'volume-by-priority',
      'backlog',
    ]) {
      const csv = await admin.request<string>('GET', `/api/support/reports/${chart}.csv?${period}`);
      expect(csv.status, chart).toBe(200);
      expect(String(csv.body).split('\r\n').length, chart).toBeGreaterThan(2);
    }
  });

  it('when the filters are wrong, then the answer names each failing field', async () => {
    const now = desk.clock.now().toISOString();
    const backwards = await agent.request<{ errors: { path: string }[] }>(
      'GET',
      `/api/support/reports?from=${now}&to=${new Date(Date.parse(now) - 1000).toISOString()}`,
    );
    expect(backwards.status).toBe(400);
    expect(backwards.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(backwards.body.errors.map((e) => e.path)).toEqual(['query.to']);
    const bad = await agent.request<{ errors: { path: string }[] }>(
      'GET',
      '/api/support/reports?from=yesterday&queryType=COFFEE&timeZone=Mars%2FOlympus',
    );
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e) => e.path).sort()).toEqual(['query.from', 'query.queryType', 'query.timeZone']);
    const tooLong = await agent.request(
      'GET',
      '/api/support/reports?from=2024-01-01T00:00:00Z&to=2026-01-01T00:00:00Z',
    );
    expect(tooLong.status).toBe(400);
    const chart = await agent.request<{ errors: { path: string }[] }>('GET', '/api/support/reports/payroll.csv');
    expect(chart.status).toBe(400);
    expect(chart.body.errors.map((e) => e.path)).toEqual(['params.chart']);
  });

  it('when Prometheus scrapes, then the histograms and their counts are there, by priority', async () => {
    const metrics = await (await fetch(`${desk.base}/metrics`)).text();
    expect(metrics).toMatch(/^# TYPE support_desk_first_response_seconds histogram$/m);
    expect(metrics).toMatch(/^support_desk_first_response_seconds_count\{priority="HIGH"\} 1$/m);
    expect(metrics).toMatch(/^support_desk_first_response_seconds_bucket\{priority="HIGH",le="\+Inf"\} 1$/m);
    expect(metrics).toMatch(/^support_desk_first_response_seconds_bucket\{priority="HIGH",le="900"\} 0$/m);
    expect(metrics).toMatch(/^support_desk_resolution_seconds_count\{priority="HIGH"\} 1$/m);
    expect(metrics).not.toMatch(/^support_desk_resolution_seconds_count\{priority="LOW"\}/m);
    // no service level on this desk: the counters are there, with nothing counted
    expect(metrics).toMatch(/^# TYPE support_desk_sla_warnings_total counter$/m);
    expect(metrics).toMatch(/^# TYPE support_desk_sla_breaches_total counter$/m);
  });
});
