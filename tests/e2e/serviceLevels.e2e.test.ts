import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LIVE_PATH } from '../../read-api/live/liveProtocol.js';
import { LiveClient } from '../support/liveClient.js';
import { queryAbout, raiseQuery } from '../support/raiseQuery.js';
import { setUpSla } from '../support/serviceLevels.js';
import { ok, startTestDesk, type TestDesk } from '../support/testDesk.js';

/* Calendars and policies over HTTP: who may do what, what bad input gets, and what each audience sees of the clocks. */

const week = (intervals: { start: string; end: string }[]) => ({
  mon: intervals,
  tue: intervals,
  wed: intervals,
  thu: intervals,
  fri: intervals,
  sat: [],
  sun: [],
});
const office = {
  name: 'Office',
  timeZone: 'Europe/Amsterdam',
  alwaysOpen: false,
  week: week([
    { start: '09:00', end: '12:00' },
    { start: '13:00', end: '17:00' },
  ]),
  holidays: [{ date: '2026-12-25', name: 'Christmas' }],
};
const targets = { firstResponseMinutes: 60, nextResponseMinutes: 30, resolutionMinutes: 480 };

describe('service levels over HTTP', () => {
  let desk: TestDesk;
  beforeAll(async () => {
    desk = await startTestDesk();
  });
  afterAll(async () => {
    await desk?.stop();
  });

  it('admins change calendars and policies; agents read them; partners and anonymous callers get nothing', async () => {
    const admin = await desk.signIn('admin@demo.test');
    const agent = await desk.signIn('agent@demo.test');
    const partner = await desk.signIn('partner@acme.test');
    const calendarId = randomUUID();
    const saved = await ok(
      admin.request<{ calendar: { version: number } }>('PUT', `/api/support/sla/calendars/${calendarId}`, office),
      200,
    );
    expect(saved.calendar.version).toBe(1);
    // the same again is no new version; a change is
    expect(
      (
        await ok(
          admin.request<{ calendar: { version: number } }>('PUT', `/api/support/sla/calendars/${calendarId}`, office),
          200,
        )
      ).calendar.version,
    ).toBe(1);
    const renamed = await ok(
      admin.request<{ calendar: { version: number; updatedBy: string } }>(
        'PUT',
        `/api/support/sla/calendars/${calendarId}`,
        { ...office, name: 'Office (NL)' },
      ),
      200,
    );
    expect(renamed.calendar).toMatchObject({ version: 2, updatedBy: 'Ada Admin' });

    expect((await agent.request('PUT', `/api/support/sla/calendars/${calendarId}`, office)).status).toBe(403);
    expect((await partner.request('GET', '/api/support/sla/config')).status).toBe(403);
    expect((await desk.anonymous.request('GET', '/api/support/sla/config')).status).toBe(401);
    const config = await ok(agent.request<{ calendars: { name: string }[] }>('GET', '/api/support/sla/config'), 200);
    expect(config.calendars.map((c) => c.name)).toContain('Office (NL)');

    const policyId = randomUUID();
    const policy = {
      name: 'Office hours',
      calendarId,
      position: 5,
      match: { queryTypes: ['PAYMENT'], partnerOrgIds: [] },
      targets: { LOW: targets, MEDIUM: targets, HIGH: targets, URGENT: targets },
      warnBeforeMinutes: 15,
    };
    expect((await agent.request('PUT', `/api/support/sla/policies/${policyId}`, policy)).status).toBe(403);
    await ok(admin.request('PUT', `/api/support/sla/policies/${policyId}`, policy), 200);
    // a calendar a policy uses cannot go
    const inUse = await admin.request<{ code: string }>('DELETE', `/api/support/sla/calendars/${calendarId}`);
    expect(inUse).toMatchObject({ status: 409, body: { code: 'sla_calendar_in_use' } });
    await ok(admin.request('DELETE', `/api/support/sla/policies/${policyId}`), 200);
    await ok(admin.request('DELETE', `/api/support/sla/calendars/${calendarId}`), 200);
    expect((await admin.request('DELETE', `/api/support/sla/calendars/${calendarId}`)).status).toBe(404);
  });

  it('bad calendars and policies are refused naming each field, and change nothing', async () => {
    const admin = await desk.signIn('admin@demo.test');
    const before = await ok(admin.request<{ revision: number }>('GET', '/api/support/sla/config'), 200);
    const calendarId = randomUUID();
    const bad = await admin.request<{ errors: { path: string; message: string }[] }>(
      'PUT',
      `/api/support/sla/calendars/${calendarId}`,
      {
        ...office,
        timeZone: 'Mars/Olympus_Mons',
        week: {
          ...office.week,
          mon: [{ start: '12:00', end: '09:00' }],
          tue: [
            { start: '09:00', end: '12:00' },
            { start: '11:00', end: '13:00' },
          ],
        },
        holidays: [{ date: '2026-02-30', name: 'No such day' }],
      },
    );
    expect(bad.status).toBe(400);
    const paths = bad.body.errors.map((e) => e.path);
    expect(paths).toEqual(
      expect.arrayContaining(['body.timeZone', 'body.week.mon.0.end', 'body.week.tue', 'body.holidays.0.date']),
    );
    const noCalendar = await admin.request<{ errors: { path: string }[] }>(
      'PUT',
      `/api/support/sla/policies/${randomUUID()}`,
      {
        name: 'Orphan',
        calendarId: randomUUID(),
        position: 0,
        match: { queryTypes: [], partnerOrgIds: [] },
        targets: { LOW: targets, MEDIUM: targets, HIGH: targets, URGENT: targets },
        warnBeforeMinutes: 15,
      },
    );
    expect(noCalendar.status).toBe(422);
    expect(noCalendar.body.errors.map((e) => e.path)).toContain('calendarId');
    const zero = await admin.request<{ errors: { path: string }[] }>(
      'PUT',
      `/api/support/sla/policies/${randomUUID()}`,
      {
        name: 'Zero',
        calendarId: randomUUID(),
        position: 0,
        match: { queryTypes: ['NOT_A_TYPE'], partnerOrgIds: [] },
        targets: { LOW: targets, MEDIUM: targets, HIGH: targets, URGENT: { ...targets, firstResponseMinutes: 0 } },
        warnBeforeMinutes: -1,
      },
    );
    expect(zero.status).toBe(400);
    expect(zero.body.errors.map((e) => e.path)).toEqual(
      expect.arrayContaining([
        'body.targets.URGENT.firstResponseMinutes',
        'body.match.queryTypes.0',
        'body.warnBeforeMinutes',
      ]),
    );
    const after = await ok(admin.request<{ revision: number }>('GET', '/api/support/sla/config'), 200);
    expect(after.revision).toBe(before.revision);
  });

  it('staff see a thread’s clocks, in the inbox, the thread and live; partners never do', async () => {
    const admin = await desk.signIn('admin@demo.test');
    const agent = await desk.signIn('agent@demo.test');
    const partner = await desk.signIn('partner@acme.test');
    await setUpSla(admin, { first: 30, next: 20, resolution: 240, warn: 5 }, { partnerOrgIds: ['acme'] });
    const wsUrl = desk.base.replace(/^http/, 'ws') + LIVE_PATH;
    const staffLive = await LiveClient.connect(wsUrl, { cookie: agent.headers.cookie });
    const partnerLive = await LiveClient.connect(wsUrl, { cookie: partner.headers.cookie });
    try {
      const { threadId, position } = await raiseQuery(
        partner,
        queryAbout('Clocked', 'How long will this take?', { priority: 'HIGH' }),
      );
      const staffView = await ok(
        agent.request<{
          thread: { sla: { metric: string; state: string } };
          sla: { policy: { name: string }; targets: { metric: string }[] };
        }>('GET', `/api/support/threads/${threadId}?waitFor=${position}`),
        200,
      );
      expect(staffView.sla.policy.name).toBe('Test policy');
      expect(staffView.sla.targets.map((t) => t.metric)).toEqual(['firstResponse', 'resolution']);
      expect(staffView.thread.sla).toMatchObject({ metric: 'firstResponse', state: 'running' });
      const inbox = await ok(
        agent.request<{ items: { threadId: string; sla: unknown }[] }>('GET', '/api/support/inbox?sla=due'),
        200,
      );
      expect(inbox.items.find((i) => i.threadId === threadId)?.sla).toMatchObject({ metric: 'firstResponse' });

      const partnerView = await ok(
        partner.request<Record<string, unknown>>('GET', `/api/support/threads/${threadId}`),
        200,
      );
      expect(partnerView).not.toHaveProperty('sla');
      expect(JSON.stringify(partnerView)).not.toMatch(/firstResponse|Test policy/);
      const mine = await ok(partner.request('GET', '/api/support/my/threads'), 200);
      expect(JSON.stringify(mine)).not.toMatch(/firstResponse|Test policy/);

      // a reply stops the first response clock: staff get an sla frame saying so
      await ok(agent.request('POST', `/api/support/threads/${threadId}/messages`, { body: 'Looking now' }));
      const frame = await staffLive.waitFor(
        (f) => f.type === 'sla' && JSON.stringify(f).includes(threadId) && JSON.stringify(f).includes('"state":"met"'),
      );
      expect(JSON.stringify(frame)).toContain('"policy"');
      await partnerLive.waitFor((f) => f.type === 'threads' && JSON.stringify(f).includes('Looking now'));
      expect(partnerLive.frames.some((f) => f.type === 'sla')).toBe(false);
      expect(JSON.stringify(partnerLive.frames)).not.toMatch(/firstResponse|Test policy/);

      // an admin re-applies (recorded); an agent may not
      expect((await agent.request('POST', `/api/support/threads/${threadId}/sla/reapply`)).status).toBe(403);
      const again = await ok(
        admin.request<{ revision: number }>('POST', `/api/support/threads/${threadId}/sla/reapply`),
        200,
      );
      const { rows } = await desk.db.pool.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM es_events WHERE event_type = 'SlaPolicyApplied' AND data->>'threadId' = $1`,
        [threadId],
      );
      expect(rows[0]!.n).toBe(1); // the same version again changes nothing
      expect(again.revision).toBeGreaterThan(0);
      const period = await ok(
        admin.request<{ threads: number; changed: number; next: string | null }>('POST', '/api/support/sla/reapply', {
          raisedFrom: new Date(Date.now() - 3_600_000).toISOString(),
          raisedTo: new Date(Date.now() + 3_600_000).toISOString(),
        }),
        200,
      );
      expect(period.threads).toBeGreaterThanOrEqual(1);
      expect(period.next).toBeNull(); // one part held them all
      expect(
        (await admin.request('POST', '/api/support/sla/reapply', { raisedFrom: 'yesterday', raisedTo: 'today' }))
          .status,
      ).toBe(400);
    } finally {
      await staffLive.close();
      await partnerLive.close();
    }
  });
});
