import { describe, expect, it } from 'vitest';
import {
  addBusinessSeconds,
  businessSecondsBetween,
  dueSlaAlerts,
  evaluateSlaClocks,
  evolveSlaClocks,
  initialSlaClocks,
  nextSlaAlert,
  slaHeadline,
  threadDecider,
  type Author,
  type BusinessCalendar,
  type Priority,
  type SlaSnapshot,
  type ThreadEvent,
  type ThreadStatus,
  type Week,
} from '../../../domain/index.js';

/*
 * The service-level clocks as a pure function: given these events and this calendar, then these
 * deadlines. Times are UTC instants; calendars are read in their own zone.
 */

const threadId = '3f1c0a52-8f3e-4c1d-9a57-2f6d7c1e9b01';
const partner: Author = { kind: 'partner', id: 'p-1', name: 'Pia Partner' };
const staff: Author = { kind: 'staff', id: 's-1', name: 'Sam Staff' };
const system: Author = { kind: 'system', id: 'sla-scheduler', name: 'Service levels' };

const T0 = Date.parse('2026-12-07T10:00:00.000Z'); // a Monday
const at = (minutes: number) => new Date(T0 + minutes * 60_000).toISOString();

const closed: Week = { mon: [], tue: [], wed: [], thu: [], fri: [], sat: [], sun: [] };
const everyDay = (intervals: { start: string; end: string }[]): Week =>
  Object.fromEntries(Object.keys(closed).map((d) => [d, intervals])) as Week;
const weekdaysOnly = (intervals: { start: string; end: string }[]): Week => ({
  ...everyDay(intervals),
  sat: [],
  sun: [],
});

const alwaysOpen: BusinessCalendar = { timeZone: 'UTC', alwaysOpen: true, week: closed, holidays: [] };
const london: BusinessCalendar = {
  timeZone: 'Europe/London',
  alwaysOpen: false,
  week: weekdaysOnly([
    { start: '09:00', end: '12:30' },
    { start: '13:30', end: '17:30' },
  ]),
  holidays: [
    { date: '2026-12-25', name: 'Christmas Day' },
    { date: '2026-12-28', name: 'Boxing Day (substitute)' },
  ],
};

function snapshotOn(
  calendar: BusinessCalendar,
  minutes: { first?: number | null; next?: number | null; resolution?: number | null } = {},
  version = 1,
): SlaSnapshot {
  const t = {
    firstResponseMinutes: minutes.first === undefined ? 60 : minutes.first,
    nextResponseMinutes: minutes.next === undefined ? 30 : minutes.next,
    resolutionMinutes: minutes.resolution === undefined ? 240 : minutes.resolution,
  };
  return {
    policy: {
      policyId: '9a1c0a52-8f3e-4c1d-9a57-2f6d7c1e9b01',
      version,
      name: 'Standard',
      targets: {
        LOW: { ...t, firstResponseMinutes: 600 },
        MEDIUM: t,
        HIGH: t,
        URGENT: { ...t, firstResponseMinutes: 15 },
      },
      warnBeforeMinutes: 10,
    },
    calendar: { calendarId: '8b1c0a52-8f3e-4c1d-9a57-2f6d7c1e9b01', version, name: 'Cal', ...calendar },
  };
}

/* Event builders: each at a minute after T0. */
const raised = (minute: number, priority: Priority = 'MEDIUM'): ThreadEvent => ({
  type: 'QueryRaised',
  data: {
    threadId,
    messageId: '4a1c0a52-8f3e-4c1d-9a57-2f6d7c1e9b01',
    assignmentId: 'asg-1',
    assignmentReference: 'A-1',
    partnerOrgId: 'acme',
    queryType: 'OTHER',
    priority,
    subject: 'Where is my invoice?',
    body: 'Hello',
    by: partner,
    occurredAt: at(minute),
    followUpOf: null,
    attachments: [],
  },
});
const applied = (
  minute: number,
  snapshot: SlaSnapshot | null,
  reason: 'raised' | 'reapplied' = 'raised',
): ThreadEvent => ({
  type: 'SlaPolicyApplied',
  data: { threadId, snapshot, reason, by: reason === 'raised' ? partner : staff, occurredAt: at(minute) },
});
let messages = 0;
const posted = (
  minute: number,
  author: Author,
  before: ThreadStatus,
  after: ThreadStatus,
  visibility: 'external' | 'internal' = 'external',
): ThreadEvent => ({
  type: 'MessagePosted',
  data: {
    threadId,
    messageId: `4a1c0a52-8f3e-4c1d-9a57-${String(++messages).padStart(12, '0')}`,
    body: 'a message',
    visibility,
    by: author,
    occurredAt: at(minute),
    statusBefore: before,
    statusAfter: after,
    attachments: [],
  },
});
const resolved = (minute: number, before: ThreadStatus = 'OPEN'): ThreadEvent => ({
  type: 'ThreadResolved',
  data: { threadId, statusBefore: before, by: staff, occurredAt: at(minute) },
});
const reopened = (minute: number): ThreadEvent => ({
  type: 'ThreadReopened',
  data: { threadId, statusBefore: 'RESOLVED', by: staff, occurredAt: at(minute) },
});
const closedAt = (minute: number, before: ThreadStatus = 'OPEN'): ThreadEvent => ({
  type: 'ThreadClosed',
  data: { threadId, statusBefore: before, by: staff, occurredAt: at(minute) },
});
const priority = (minute: number, from: Priority, to: Priority): ThreadEvent => ({
  type: 'PriorityChanged',
  data: { threadId, from, to, by: staff, occurredAt: at(minute) },
});

const fold = (events: ThreadEvent[]) => events.reduce(evolveSlaClocks, initialSlaClocks);
const targetsAt = (events: ThreadEvent[], minute: number) => evaluateSlaClocks(fold(events), new Date(at(minute)));
const target = (events: ThreadEvent[], minute: number, metric: string, cycle = 0) =>
  targetsAt(events, minute).find((t) => t.metric === metric && t.cycle === cycle);

describe('business time', () => {
  const ms = (iso: string) => Date.parse(iso);

  it('given a 24/7 calendar, then every second counts', () => {
    expect(businessSecondsBetween(alwaysOpen, ms('2026-12-07T10:00:00Z'), ms('2026-12-08T10:00:00Z'))).toBe(86_400);
    expect(new Date(addBusinessSeconds(alwaysOpen, ms('2026-12-07T10:00:00Z'), 90)!).toISOString()).toBe(
      '2026-12-07T10:01:30.000Z',
    );
  });

  it('given a lunch break, then an hour asked at 12:00 is due at 14:00', () => {
    // December: London is on GMT, local = UTC
    const due = addBusinessSeconds(london, ms('2026-12-07T12:00:00Z'), 3600)!;
    expect(new Date(due).toISOString()).toBe('2026-12-07T14:00:00.000Z');
    expect(businessSecondsBetween(london, ms('2026-12-07T12:00:00Z'), due)).toBe(3600);
  });

  it('given a weekend, then an hour asked on Friday at 17:00 is due on Monday at 09:30', () => {
    const due = addBusinessSeconds(london, ms('2026-12-04T17:00:00Z'), 3600)!;
    expect(new Date(due).toISOString()).toBe('2026-12-07T09:30:00.000Z');
  });

  it('given holidays, then they are skipped like a weekend', () => {
    // Thursday 24 December 17:00: Friday 25 and Monday 28 are holidays
    const due = addBusinessSeconds(london, ms('2026-12-24T17:00:00Z'), 3600)!;
    expect(new Date(due).toISOString()).toBe('2026-12-29T09:30:00.000Z');
    expect(businessSecondsBetween(london, ms('2026-12-24T00:00:00Z'), ms('2026-12-29T00:00:00Z'))).toBe(7.5 * 3600);
  });

  it('given a day that springs forward, then it has 23 hours and the skipped hour is never open', () => {
    const wholeDays: BusinessCalendar = { ...london, week: everyDay([{ start: '00:00', end: '24:00' }]), holidays: [] };
    // 28 March 2027: London goes from 01:00 GMT to 02:00 BST
    expect(businessSecondsBetween(wholeDays, ms('2027-03-28T00:00:00Z'), ms('2027-03-28T23:00:00Z'))).toBe(23 * 3600);
    const earlyHours: BusinessCalendar = {
      ...london,
      week: everyDay([{ start: '01:00', end: '03:00' }]),
      holidays: [],
    };
    expect(businessSecondsBetween(earlyHours, ms('2027-03-28T00:00:00Z'), ms('2027-03-29T00:00:00Z'))).toBe(3600);
  });

  it('given a day that falls back, then it has 25 hours', () => {
    const wholeDays: BusinessCalendar = { ...london, week: everyDay([{ start: '00:00', end: '24:00' }]), holidays: [] };
    // 25 October 2026: London goes from 02:00 BST back to 01:00 GMT; local midnight to midnight is 25 h
    expect(businessSecondsBetween(wholeDays, ms('2026-10-24T23:00:00Z'), ms('2026-10-26T00:00:00Z'))).toBe(25 * 3600);
  });

  it('given a deadline across a change to summer time, then the next opening is in the new offset', () => {
    const newYork: BusinessCalendar = {
      timeZone: 'America/New_York',
      alwaysOpen: false,
      week: everyDay([{ start: '09:00', end: '17:00' }]),
      holidays: [],
    };
    // Saturday 13 March 2027 16:00 EST (21:00Z) + 2 h: one hour on Saturday, one on Sunday from 09:00 EDT (13:00Z)
    const due = addBusinessSeconds(newYork, ms('2027-03-13T21:00:00Z'), 7200)!;
    expect(new Date(due).toISOString()).toBe('2027-03-14T14:00:00.000Z');
  });

  it('given a calendar that never opens in reach, then nothing is ever due', () => {
    const onlyHolidays: BusinessCalendar = { ...london, week: weekdaysOnly([]) };
    expect(addBusinessSeconds(onlyHolidays, ms('2026-12-07T10:00:00Z'), 60)).toBeNull();
  });
});

describe('the clocks', () => {
  const policy = snapshotOn(alwaysOpen);
  const opened = [raised(0), applied(0, policy)];

  it('given a query, then first response and resolution run from it', () => {
    const first = target(opened, 20, 'firstResponse')!;
    expect(first).toMatchObject({
      state: 'running',
      dueAt: at(60),
      warnAt: at(50),
      elapsedSeconds: 1200,
      remainingSeconds: 2400,
    });
    expect(target(opened, 20, 'resolution')).toMatchObject({ state: 'running', dueAt: at(240) });
    expect(slaHeadline(targetsAt(opened, 20))).toMatchObject({ metric: 'firstResponse', dueAt: at(60) });
  });

  it('given an internal note, then the first response still runs; an external staff reply stops it', () => {
    const noted = [...opened, posted(10, staff, 'OPEN', 'OPEN', 'internal')];
    expect(target(noted, 30, 'firstResponse')!.state).toBe('running');
    const replied = [...noted, posted(40, staff, 'OPEN', 'PENDING')];
    expect(target(replied, 90, 'firstResponse')).toMatchObject({
      state: 'met',
      completedAt: at(40),
      elapsedSeconds: 2400,
    });
  });

  it('given a late first reply, then it is missed', () => {
    const late = [...opened, posted(75, staff, 'OPEN', 'PENDING')];
    expect(target(late, 80, 'firstResponse')!.state).toBe('missed');
  });

  it('given the thread waits on the partner, then the resolution clock pauses and resumes when they write', () => {
    const events = [...opened, posted(10, staff, 'OPEN', 'PENDING'), posted(70, partner, 'PENDING', 'OPEN')];
    expect(target(events.slice(0, 3), 50, 'resolution')).toMatchObject({
      state: 'paused',
      dueAt: null,
      elapsedSeconds: 600,
    });
    // 10 minutes before the pause, 20 after: due 240 - 10 = 230 minutes after resuming
    expect(target(events, 90, 'resolution')).toMatchObject({
      state: 'running',
      elapsedSeconds: 1800,
      dueAt: at(70 + 230),
    });
  });

  it('given a partner writes after the first reply, then a next-response cycle runs until the next staff reply', () => {
    const events = [
      ...opened,
      posted(10, staff, 'OPEN', 'PENDING'),
      posted(70, partner, 'PENDING', 'OPEN'),
      posted(80, partner, 'OPEN', 'OPEN'), // a second message does not start another wait
      posted(95, staff, 'OPEN', 'PENDING'),
      posted(200, partner, 'PENDING', 'OPEN'),
    ];
    const views = targetsAt(events, 210).filter((t) => t.metric === 'nextResponse');
    expect(views.map((v) => [v.cycle, v.state, v.startedAt])).toEqual([
      [1, 'met', at(70)],
      [2, 'running', at(200)],
    ]);
    expect(views[1]!.dueAt).toBe(at(230));
  });

  it('given a resolution, then every clock stops; reopening resumes the resolution clock only', () => {
    const events = [...opened, posted(10, staff, 'OPEN', 'PENDING'), resolved(30, 'PENDING'), reopened(90)];
    expect(target(events.slice(0, 4), 60, 'resolution')).toMatchObject({ state: 'met', completedAt: at(30) });
    // ran 10 minutes before the pause, 0 while PENDING, 10 after reopening
    expect(target(events, 100, 'resolution')).toMatchObject({
      state: 'running',
      elapsedSeconds: 1200,
      completedAt: null,
    });
    expect(target(events, 100, 'firstResponse')!.state).toBe('met');
  });

  it('given a partner reply reopens a resolved thread, then resolution resumes and support owes a next response', () => {
    const events = [
      ...opened,
      posted(10, staff, 'OPEN', 'PENDING'),
      resolved(30, 'PENDING'),
      posted(60, partner, 'RESOLVED', 'OPEN'),
    ];
    expect(target(events, 70, 'resolution')).toMatchObject({ state: 'running', elapsedSeconds: 20 * 60 });
    expect(target(events, 70, 'nextResponse', 1)).toMatchObject({ state: 'running', dueAt: at(90) });
  });

  it('given a thread closed unresolved, then every clock stops', () => {
    const events = [...opened, closedAt(30)];
    expect(targetsAt(events, 400).map((t) => t.state)).toEqual(['met', 'met']);
    expect(slaHeadline(targetsAt(events, 400))).toBeNull();
  });

  it('given a priority change, then the targets of the new priority apply from the start', () => {
    const events = [...opened, priority(5, 'MEDIUM', 'URGENT')];
    expect(target(events, 10, 'firstResponse')).toMatchObject({ targetSeconds: 900, dueAt: at(15) });
    expect(target(events, 20, 'firstResponse')!.state).toBe('breached');
  });

  it('given a policy re-applied on business hours, then the whole history is recomputed on them', () => {
    // T0 is Monday 10:00 London (GMT); on office hours the first hour ends at 11:00 as well, but the resolution
    // target of 4 h runs 10:00–12:30 and 13:30–15:00
    const events = [...opened, applied(5, snapshotOn(london, {}, 2), 'reapplied')];
    expect(target(events, 10, 'resolution')!.dueAt).toBe('2026-12-07T15:00:00.000Z');
    expect(fold(events)).toMatchObject({ appliedReason: 'reapplied', snapshot: { policy: { version: 2 } } });
  });

  it('the examples of docs/service-levels.md: a pause and a reopening on office hours', () => {
    const office = [raised(0), applied(0, snapshotOn(london))]; // T0: Monday 7 December 2026, 10:00 London
    const paused = [...office, posted(10, staff, 'OPEN', 'PENDING'), posted(70, partner, 'PENDING', 'OPEN')];
    // 10 minutes spent before the pause, 230 left from 11:10: 80 before lunch, 150 after 13:30
    expect(target(paused, 80, 'resolution')).toMatchObject({ state: 'running', dueAt: '2026-12-07T16:00:00.000Z' });
    const again = [...office, resolved(30), reopened(90)];
    expect(target(again, 90, 'resolution')).toMatchObject({ state: 'running', elapsedSeconds: 30 * 60 });
  });

  it('given no policy, then there are no targets', () => {
    expect(targetsAt([raised(0)], 10)).toEqual([]);
    expect(targetsAt([...opened, applied(5, null, 'reapplied')], 10)).toEqual([]);
  });

  it('given a target the policy leaves empty, then that clock has no target', () => {
    const events = [raised(0), applied(0, snapshotOn(alwaysOpen, { first: null }))];
    expect(targetsAt(events, 10).map((t) => t.metric)).toEqual(['resolution']);
  });
});

describe('warnings and breaches', () => {
  const policy = snapshotOn(alwaysOpen);
  const opened = [raised(0), applied(0, policy)];
  const alert = (
    type: 'SlaWarning' | 'SlaBreached',
    minute: number,
    metric = 'firstResponse' as const,
    cycle = 0,
  ): ThreadEvent => ({
    type,
    data: {
      threadId,
      metric,
      cycle,
      dueAt: at(60),
      policyId: policy.policy.policyId,
      policyVersion: 1,
      by: system,
      occurredAt: at(minute),
    },
  });

  it('given a running clock, then the warning comes before the breach, each once', () => {
    expect(nextSlaAlert(fold(opened), new Date(at(0)))).toMatchObject({
      kind: 'warning',
      metric: 'firstResponse',
      at: at(50),
    });
    expect(dueSlaAlerts(fold(opened), new Date(at(49)))).toEqual([]);
    expect(dueSlaAlerts(fold(opened), new Date(at(50)))).toMatchObject([{ kind: 'warning', metric: 'firstResponse' }]);
    const warned = [...opened, alert('SlaWarning', 50)];
    expect(nextSlaAlert(fold(warned), new Date(at(50)))).toMatchObject({ kind: 'breach', at: at(60) });
    const breached = [...warned, alert('SlaBreached', 60)];
    expect(dueSlaAlerts(fold(breached), new Date(at(61)))).toEqual([]);
    expect(target(breached, 61, 'firstResponse')).toMatchObject({
      state: 'breached',
      warned: true,
      breachedAt: at(60),
    });
  });

  it('given the scheduler comes late, then the breach is recorded and the stale warning is not', () => {
    expect(dueSlaAlerts(fold(opened), new Date(at(65)))).toMatchObject([{ kind: 'breach', metric: 'firstResponse' }]);
  });

  it('given a reply before the deadline, then nothing is due', () => {
    const replied = [...opened, posted(55, staff, 'OPEN', 'PENDING')];
    expect(dueSlaAlerts(fold(replied), new Date(at(70)))).toEqual([]);
  });

  it('given a clock paused after passing its target, then its breach is still due', () => {
    // resolution (4 h) passed at 240 while nobody recorded it; a staff reply at 250 pauses it (PENDING)
    const events = [
      ...opened,
      posted(30, staff, 'OPEN', 'PENDING'),
      posted(40, partner, 'PENDING', 'OPEN'),
      posted(260, staff, 'OPEN', 'PENDING'),
    ];
    expect(target(events, 270, 'resolution')).toMatchObject({ state: 'breached', dueAt: at(250) });
    expect(dueSlaAlerts(fold(events), new Date(at(270)))).toMatchObject([{ kind: 'breach', metric: 'resolution' }]);
    // paused under its target: nothing is due, whatever the time
    const under = [...opened, posted(30, staff, 'OPEN', 'PENDING')];
    expect(dueSlaAlerts(fold(under), new Date(at(10_000)))).toEqual([]);
  });

  it('the decider records what is due, once, and nothing for a clock a reply stopped', () => {
    const state = [...opened].reduce(threadDecider.evolve, threadDecider.initialState);
    const record = (now: number, s = state) =>
      threadDecider.decide(
        { type: 'RecordSlaAlerts', data: { threadId }, metadata: { now: new Date(at(now)), author: system } },
        s,
      );
    expect(record(10)).toEqual([]);
    const [breach] = record(61);
    expect(breach).toMatchObject({
      type: 'SlaBreached',
      data: { metric: 'firstResponse', cycle: 0, dueAt: at(60), policyVersion: 1 },
    });
    const after = threadDecider.evolve(state, breach!);
    expect(record(62, after)).toEqual([]);
    const replied = threadDecider.evolve(state, posted(55, staff, 'OPEN', 'PENDING'));
    expect(record(61, replied)).toEqual([]);
  });

  it('only the system records alerts', () => {
    const state = [...opened].reduce(threadDecider.evolve, threadDecider.initialState);
    expect(() =>
      threadDecider.decide(
        { type: 'RecordSlaAlerts', data: { threadId }, metadata: { now: new Date(at(61)), author: staff } },
        state,
      ),
    ).toThrow(/may not record/);
  });

  it('a query raised with a policy records it; a re-apply of the same version records nothing', () => {
    const events = threadDecider.decide(
      {
        type: 'RaiseQuery',
        data: {
          threadId,
          messageId: '4a1c0a52-8f3e-4c1d-9a57-2f6d7c1e9b01',
          assignmentId: 'asg-1',
          assignmentReference: 'A-1',
          partnerOrgId: 'acme',
          queryType: 'OTHER',
          priority: 'MEDIUM',
          subject: 'Hello',
          body: 'Hello',
          slaSnapshot: policy,
        },
        metadata: { now: new Date(at(0)), author: partner },
      },
      threadDecider.initialState,
    );
    expect(events.map((e) => e.type)).toEqual(['QueryRaised', 'SlaPolicyApplied']);
    const state = events.reduce(threadDecider.evolve, threadDecider.initialState);
    const reapply = (snapshot: SlaSnapshot | null) =>
      threadDecider.decide(
        { type: 'ApplySlaPolicy', data: { threadId, snapshot }, metadata: { now: new Date(at(5)), author: staff } },
        state,
      );
    expect(reapply(policy)).toEqual([]);
    expect(reapply(snapshotOn(alwaysOpen, {}, 2))).toMatchObject([
      { type: 'SlaPolicyApplied', data: { reason: 'reapplied' } },
    ]);
    expect(reapply(null)).toMatchObject([{ type: 'SlaPolicyApplied', data: { snapshot: null } }]);
  });
});
