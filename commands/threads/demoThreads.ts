import {
  serviceLevelsDecider,
  slaServiceLevelsStreamName,
  weekdays,
  threadDecider,
  threadStreamName,
  type Author,
  type Priority,
  type QueryType,
  type ThreadCommand,
} from '../../domain/index.js';
import type { EventStore } from '../../eventstore/port.js';
import { deterministicUuid, handleCommand } from '../commandHandler.js';
import { serviceLevelPoliciesOf } from '../serviceLevels/serviceLevelPolicies.js';

const DEMO_24_7 = deterministicUuid('demo-sla:calendar:24/7');
const DEMO_OFFICE = deterministicUuid('demo-sla:calendar:office');
const DEMO_POLICY = deterministicUuid('demo-sla:policy:standard');

/**
 * The demo desk's service levels: an office-hours calendar (a lunch break, a holiday) and a 24/7
 * one, and a standard policy on the 24/7 calendar, so that the inbox's clocks run whenever
 * someone first looks. Admins change them on the service levels pages.
 */
export async function seedDemoServiceLevels(eventStore: EventStore, now: Date): Promise<void> {
  const system: Author = { kind: 'system', id: 'demo-seed', name: 'Demo seed' };
  const run = (command: Parameters<typeof serviceLevelsDecider.decide>[0]) =>
    handleCommand(eventStore, serviceLevelsDecider, slaServiceLevelsStreamName, command, {
      metadata: { actor: { type: 'system', id: 'demo-seed' }, correlationId: 'demo-seed' },
    });
  const closed = { mon: [], tue: [], wed: [], thu: [], fri: [], sat: [], sun: [] };
  const office = [
    { start: '09:00', end: '12:30' },
    { start: '13:30', end: '17:30' },
  ];
  await run({
    type: 'SaveSlaCalendar',
    data: {
      calendarId: DEMO_24_7,
      calendar: { name: '24/7', timeZone: 'UTC', alwaysOpen: true, week: closed, holidays: [] },
    },
    metadata: { now, author: system },
  });
  await run({
    type: 'SaveSlaCalendar',
    data: {
      calendarId: DEMO_OFFICE,
      calendar: {
        name: 'London office hours',
        timeZone: 'Europe/London',
        alwaysOpen: false,
        week: Object.fromEntries(weekdays.map((d) => [d, d === 'sat' || d === 'sun' ? [] : office])) as typeof closed,
        holidays: [
          { date: '2026-12-25', name: 'Christmas Day' },
          { date: '2026-12-28', name: 'Boxing Day (substitute)' },
        ],
      },
    },
    metadata: { now, author: system },
  });
  const t = (first: number, next: number, resolution: number) => ({
    firstResponseMinutes: first,
    nextResponseMinutes: next,
    resolutionMinutes: resolution,
  });
  await run({
    type: 'SaveSlaPolicy',
    data: {
      policyId: DEMO_POLICY,
      policy: {
        name: 'Standard',
        calendarId: DEMO_24_7,
        position: 0,
        match: { queryTypes: [], partnerOrgIds: [] },
        targets: { URGENT: t(30, 60, 240), HIGH: t(60, 120, 480), MEDIUM: t(240, 480, 1440), LOW: t(480, 960, 2880) },
        warnBeforeMinutes: 30,
      },
    },
    metadata: { now, author: system },
  });
}

/**
 * A few realistic threads for the embedded default's first start, so a new user opens a desk
 * that is working: raised by the demo partners, some answered, one with an internal note, one
 * resolved. They go through the same decider and append path as every command (hash chain,
 * projections, emails to the development mailbox), timed over the last hours. Never on a real
 * database: app/main.ts calls this only on the embedded Postgres, and only while the log is
 * empty, so a restart (or a desk that was used) is never seeded twice.
 */

export interface DemoPerson {
  id: string;
  name: string;
}

export interface DemoCast {
  /** The partner of each demo organisation, by organisation id. */
  partners: Record<string, DemoPerson>;
  agent: DemoPerson;
  assignments: { assignmentId: string; reference: string; partnerOrgId: string }[];
}

type Step =
  | { by: 'partner' | 'agent'; minutesAgo: number; say: string; internal?: boolean }
  | { by: 'agent'; minutesAgo: number; act: 'assign' | 'resolve' };

interface DemoThread {
  assignmentId: string;
  queryType: QueryType;
  priority: Priority;
  subject: string;
  raisedMinutesAgo: number;
  body: string;
  then: Step[];
}

const demoThreads: DemoThread[] = [
  {
    assignmentId: 'asg-1001',
    queryType: 'PAYMENT',
    priority: 'HIGH',
    subject: 'Invoice 4471 was paid twice',
    raisedMinutesAgo: 190,
    body: 'Our bank shows two transfers for invoice 4471 on 3 March. Could you refund one of them?',
    then: [
      { by: 'agent', minutesAgo: 170, act: 'assign' },
      {
        by: 'agent',
        minutesAgo: 160,
        say: 'Finance confirmed the duplicate; Dana approved the refund.',
        internal: true,
      },
      {
        by: 'agent',
        minutesAgo: 150,
        say: 'Thanks for flagging this. We refunded the duplicate payment today; it should reach you within three working days.',
      },
    ],
  },
  {
    assignmentId: 'asg-1002',
    queryType: 'DOCUMENTS',
    priority: 'URGENT',
    subject: 'Temperature log missing for the 14 March delivery',
    raisedMinutesAgo: 35,
    body: 'The receiving site in Lyon needs the cold-chain temperature log before they sign the delivery note. It is not in the shared folder.',
    then: [],
  },
  {
    assignmentId: 'asg-2001',
    queryType: 'TECHNICAL',
    priority: 'MEDIUM',
    subject: 'Site survey photos rejected on upload',
    raisedMinutesAgo: 26 * 60,
    body: 'The portal rejects our survey photos from Leeds with "unsupported file". They are JPEGs straight from the tablet.',
    then: [
      {
        by: 'agent',
        minutesAgo: 25 * 60,
        say: 'The tablet saves HEIC files with a .jpg name. Switch the camera to "Most compatible" and upload again.',
      },
      { by: 'partner', minutesAgo: 24 * 60, say: 'That was it, all 48 photos are in. Thank you!' },
      { by: 'agent', minutesAgo: 23 * 60, act: 'resolve' },
    ],
  },
  {
    assignmentId: 'asg-1001',
    queryType: 'SCHEDULING',
    priority: 'LOW',
    subject: 'Can the audit team start at 7:00 on Monday?',
    raisedMinutesAgo: 12,
    body: 'The warehouse opens at 6:30 and the night shift hands over at 7:00. Starting then would save the team a day.',
    then: [],
  },
];

/** Appends the demo threads through the thread decider; answers how many it raised. */
export async function seedDemoThreads(eventStore: EventStore, cast: DemoCast, now: Date): Promise<number> {
  const at = (minutesAgo: number) => new Date(now.getTime() - minutesAgo * 60_000);
  let raised = 0;
  for (const [index, demo] of demoThreads.entries()) {
    const assignment = cast.assignments.find((a) => a.assignmentId === demo.assignmentId);
    const partner = assignment && cast.partners[assignment.partnerOrgId];
    if (!assignment || !partner) continue;
    const threadId = deterministicUuid(`demo-thread:${index}`);
    const id = (part: string) => deterministicUuid(`demo-thread:${index}:${part}`);
    const partnerAuthor: Author = { kind: 'partner', id: partner.id, name: partner.name };
    const agentAuthor: Author = { kind: 'staff', id: cast.agent.id, name: cast.agent.name };
    const run = (command: ThreadCommand & { metadata: { author: Author } }) =>
      handleCommand(eventStore, threadDecider, threadStreamName(threadId), command, {
        metadata: { actor: { type: 'user', id: command.metadata.author.id }, correlationId: 'demo-seed' },
      });

    const slaSnapshot = await serviceLevelPoliciesOf(eventStore).match({
      queryType: demo.queryType,
      partnerOrgId: assignment.partnerOrgId,
    });
    await run({
      type: 'RaiseQuery',
      data: {
        slaSnapshot,
        threadId,
        messageId: id('raised'),
        assignmentId: assignment.assignmentId,
        assignmentReference: assignment.reference,
        partnerOrgId: assignment.partnerOrgId,
        queryType: demo.queryType,
        priority: demo.priority,
        subject: demo.subject,
        body: demo.body,
      },
      metadata: { now: at(demo.raisedMinutesAgo), author: partnerAuthor },
    });
    for (const [n, step] of demo.then.entries()) {
      const author = step.by === 'partner' ? partnerAuthor : agentAuthor;
      const metadata = { now: at(step.minutesAgo), author };
      if ('say' in step) {
        await run({
          type: 'PostMessage',
          data: {
            threadId,
            messageId: id(`message-${n}`),
            body: step.say,
            visibility: step.internal ? 'internal' : 'external',
          },
          metadata,
        });
      } else if (step.act === 'assign') {
        await run({
          type: 'Assign',
          data: { threadId, assigneeId: cast.agent.id, assigneeName: cast.agent.name },
          metadata,
        });
      } else {
        await run({ type: 'Resolve', data: { threadId }, metadata });
      }
    }
    raised++;
  }
  return raised;
}
