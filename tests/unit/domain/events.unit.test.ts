import { describe, expect, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import {
  allEventTypes,
  createEventCatalog,
  domainEventDefinitions,
  eventSchemaVersion,
  guestLinkDecider,
  isDomainEventType,
  matchSlaPolicy,
  serviceLevelsDecider,
  MalformedEventError,
  parseDomainEvent,
  systemConfigDecider,
  threadDecider,
  UnknownEventTypeError,
  type DomainEvent,
  type EventDefinitions,
  type ThreadCommand,
} from '../../../domain/index.js';
import type { JsonObject } from '../../../eventstore/port.js';
import { emailDelivered, emailDeliveryFailed } from '../../../domain/email/outcomes.js';
import { at, by, guest, partner, staff } from './fixtures.js';
import { historyFor, messagePosted, queryRaised, threadId } from './threadFixtures.js';

const surveyDefaults = { satisfactionSurveyEnabled: true, satisfactionScale: 'three', satisfactionLinkDays: 14 };

/** One event of every type, as the deciders produce them. */
const fileRef = {
  attachmentId: '7f1c0a52-8f3e-4c1d-9a57-2f6d7c1e9b31',
  sha256: 'a'.repeat(64),
  sizeBytes: 1234,
  mediaType: 'application/pdf',
  fileName: 'note.pdf',
  contentId: null,
};
const messageWithFile: DomainEvent & { type: 'MessagePosted' } = (() => {
  const m = messagePosted(9, staff, 'external', 'OPEN', 'PENDING');
  return { ...m, data: { ...m.data, attachments: [fileRef] } };
})();

function oneOfEach(): DomainEvent[] {
  const onOpenThread = (command: ThreadCommand) =>
    threadDecider.decide(command, historyFor.OPEN.reduce(threadDecider.evolve, threadDecider.initialState));
  const meta = by(staff, 1);
  const email = {
    emailId: 'e'.repeat(64),
    threadId,
    template: 'staff_reply' as const,
    recipient: 'pat@example.com',
    messageId: threadId,
    attempts: 1,
  };
  const tokenHash = 'f'.repeat(64);
  const survey = {
    surveyId: '3c1d0a52-8f3e-4c1d-9a57-2f6d7c1e9b32',
    tokenSeed: 'A'.repeat(22),
    tokenHash: 'd'.repeat(64),
    scale: 'three' as const,
    expiresAt: at(14 * 24 * 60).toISOString(),
  };
  const issued = guestLinkDecider.decide(
    {
      type: 'IssueGuestLink',
      data: { tokenHash, scope: { kind: 'thread', threadId }, recipientEmail: null, lifetimeSeconds: 7 * 24 * 60 * 60 },
      metadata: meta,
    },
    guestLinkDecider.initialState,
  );
  return [
    queryRaised(),
    ...onOpenThread({
      type: 'PostMessage',
      data: { threadId, messageId: threadId, body: 'hi', visibility: 'external' },
      metadata: meta,
    }),
    ...onOpenThread({
      type: 'Assign',
      data: { threadId, assigneeId: staff.id, assigneeName: staff.name },
      metadata: meta,
    }),
    ...onOpenThread({ type: 'ChangePriority', data: { threadId, priority: 'LOW' }, metadata: meta }),
    ...threadDecider.decide(
      {
        type: 'EraseAttachment',
        data: { threadId, attachmentId: fileRef.attachmentId, reason: 'sent by mistake' },
        metadata: meta,
      },
      [...historyFor.OPEN, messageWithFile].reduce(threadDecider.evolve, threadDecider.initialState),
    ),
    // a resolution that offers the partner a survey, and the partner's answer to it
    ...onOpenThread({ type: 'Resolve', data: { threadId, survey }, metadata: meta }),
    {
      type: 'SatisfactionRated',
      data: {
        threadId,
        surveyId: survey.surveyId,
        rating: 'good',
        comment: 'Quick and clear',
        by: partner,
        occurredAt: at(2).toISOString(),
      },
    },
    ...onOpenThread({ type: 'Close', data: { threadId }, metadata: meta }),
    ...threadDecider.decide(
      { type: 'Reopen', data: { threadId }, metadata: meta },
      historyFor.CLOSED.reduce(threadDecider.evolve, threadDecider.initialState),
    ),
    ...issued,
    ...guestLinkDecider.decide(
      { type: 'RevokeGuestLink', data: {}, metadata: meta },
      issued.reduce(guestLinkDecider.evolve, guestLinkDecider.initialState),
    ),
    ...systemConfigDecider.decide(
      {
        type: 'UpdateSystemConfig',
        data: {
          whatsappNumber: '447700900123',
          supportEmail: 'help@example.com',
          portalBaseUrl: 'https://desk.example.com',
          whatsappBubbleEnabled: true,
        },
        metadata: meta,
      },
      systemConfigDecider.initialState,
    ),
    emailDelivered(email, 're_1', at(2)),
    emailDeliveryFailed(email, { errorName: 'validation_error', reason: 'x', permanent: true }, at(3)),
    {
      type: 'EmailDeliveryReported',
      data: {
        emailId: email.emailId,
        threadId,
        recipient: email.recipient,
        providerId: 're_1',
        state: 'bounced',
        bounceType: 'Permanent',
        reason: 'General: no such user',
        occurredAt: at(4).toISOString(),
      },
    },
    {
      type: 'EmailAddressSuppressed',
      data: { address: email.recipient, reason: 'bounced', emailId: email.emailId, occurredAt: at(4).toISOString() },
    },
    {
      type: 'EmailAddressSuppressionCleared',
      data: {
        address: email.recipient,
        by: { id: staff.id, name: staff.name },
        reason: 'mailbox fixed',
        occurredAt: at(5).toISOString(),
      },
    },
    ...serviceLevelEvents(),
  ];
}

/** Calendars and policies through their decider; a policy applied, a warning and a breach on a thread. */
function serviceLevelEvents(): DomainEvent[] {
  const calendarId = '0b7a9f5e-5f1a-4c3e-9d2b-000000000001';
  const policyId = '0b7a9f5e-5f1a-4c3e-9d2b-000000000002';
  const meta = { now: at(6), author: staff };
  const open = [{ start: '09:00', end: '17:00' }];
  const week = { mon: open, tue: open, wed: open, thu: open, fri: open, sat: [], sun: [] };
  const t = { firstResponseMinutes: 60, nextResponseMinutes: null, resolutionMinutes: 480 };
  let state = serviceLevelsDecider.initialState;
  const run = (command: Parameters<typeof serviceLevelsDecider.decide>[0]) => {
    const events = serviceLevelsDecider.decide(command, state);
    state = events.reduce(serviceLevelsDecider.evolve, state);
    return events;
  };
  const saved = [
    ...run({
      type: 'SaveSlaCalendar',
      data: {
        calendarId,
        calendar: {
          name: 'Office',
          timeZone: 'Europe/Paris',
          alwaysOpen: false,
          week,
          holidays: [{ date: '2026-12-25', name: 'Noël' }],
        },
      },
      metadata: meta,
    }),
    ...run({
      type: 'SaveSlaPolicy',
      data: {
        policyId,
        policy: {
          name: 'Standard',
          calendarId,
          position: 0,
          match: { queryTypes: ['PAYMENT'], partnerOrgIds: [] },
          targets: { LOW: t, MEDIUM: t, HIGH: t, URGENT: t },
          warnBeforeMinutes: 30,
        },
      },
      metadata: meta,
    }),
  ];
  const snapshot = matchSlaPolicy(state, { queryType: 'PAYMENT', partnerOrgId: 'org-1' })!;
  const alert = {
    threadId,
    metric: 'firstResponse' as const,
    cycle: 0,
    dueAt: at(7).toISOString(),
    policyId,
    policyVersion: 1,
    by: { kind: 'system' as const, id: 'sla-scheduler', name: 'Service levels' },
    occurredAt: at(7).toISOString(),
  };
  return [
    ...saved,
    {
      type: 'SlaPolicyApplied',
      data: { threadId, snapshot, reason: 'reapplied', by: staff, occurredAt: at(6).toISOString() },
    },
    { type: 'SlaWarning', data: alert },
    { type: 'SlaBreached', data: alert },
    ...run({ type: 'RemoveSlaPolicy', data: { policyId }, metadata: meta }),
    ...run({ type: 'RemoveSlaCalendar', data: { calendarId }, metadata: meta }),
  ];
}

describe('event catalog', () => {
  it('lists every event type of every aggregate, each at schema version 1 but SystemConfigUpdated (4), QueryRaised (3) and MessagePosted (2)', () => {
    expect([...allEventTypes].sort()).toEqual(
      [
        'QueryRaised',
        'MessagePosted',
        'ThreadAssigned',
        'PriorityChanged',
        'ThreadResolved',
        'ThreadClosed',
        'ThreadReopened',
        'AttachmentErased',
        'SatisfactionSurveyOffered',
        'SatisfactionRated',
        'GuestLinkIssued',
        'GuestLinkRevoked',
        'SystemConfigUpdated',
        'EmailDelivered',
        'EmailDeliveryFailed',
        'EmailDeliveryReported',
        'EmailAddressSuppressed',
        'EmailAddressSuppressionCleared',
        'SlaPolicyApplied',
        'SlaWarning',
        'SlaBreached',
        'SlaCalendarSaved',
        'SlaCalendarRemoved',
        'SlaPolicySaved',
        'SlaPolicyRemoved',
      ].sort(),
    );
    for (const type of allEventTypes) {
      const versions: Record<string, number> = { SystemConfigUpdated: 4, QueryRaised: 3, MessagePosted: 2 };
      expect(eventSchemaVersion(type)).toBe(versions[type] ?? 1);
    }
    expect(isDomainEventType('QueryRaised')).toBe(true);
    expect(isDomainEventType('TicketCreated')).toBe(false);
  });

  it('every event the deciders produce survives a trip through JSON and back', () => {
    const events = oneOfEach();
    expect(new Set(events.map((e) => e.type))).toEqual(new Set(allEventTypes));
    for (const event of events) {
      const stored: unknown = JSON.parse(JSON.stringify(event.data));
      expect(parseDomainEvent(event.type, stored, eventSchemaVersion(event.type))).toEqual(event);
    }
  });

  it('a SystemConfigUpdated written at version 1 (before the names switch) reads with the switch off', () => {
    const v1 = {
      whatsappNumber: '447700900123',
      supportEmail: 'help@desk.example.com',
      portalBaseUrl: 'https://desk.example.com',
      whatsappBubbleEnabled: true,
      by: staff,
      occurredAt: at(1).toISOString(),
    };
    expect(parseDomainEvent('SystemConfigUpdated', v1, 1)).toEqual({
      type: 'SystemConfigUpdated',
      data: { ...v1, showStaffNamesInPresence: false, notifyTeamOfUnassigned: true, ...surveyDefaults },
    });
    // version 2 must carry it
    expect(() => parseDomainEvent('SystemConfigUpdated', v1, 2)).toThrow(MalformedEventError);
  });

  it('a SystemConfigUpdated written at version 2 (before the team notification switch) reads with the switch on, the default', () => {
    const v2 = {
      whatsappNumber: null,
      supportEmail: 'help@desk.example.com',
      portalBaseUrl: 'https://desk.example.com',
      whatsappBubbleEnabled: false,
      showStaffNamesInPresence: true,
      by: staff,
      occurredAt: at(1).toISOString(),
    };
    expect(parseDomainEvent('SystemConfigUpdated', v2, 2)).toEqual({
      type: 'SystemConfigUpdated',
      data: { ...v2, notifyTeamOfUnassigned: true, ...surveyDefaults },
    });
    // version 3 must carry it
    expect(() => parseDomainEvent('SystemConfigUpdated', v2, 3)).toThrow(MalformedEventError);
    expect(parseDomainEvent('SystemConfigUpdated', { ...v2, notifyTeamOfUnassigned: false }, 3).data).toMatchObject({
      notifyTeamOfUnassigned: false,
    });
  });

  it('a SystemConfigUpdated written at version 3 (before the satisfaction survey) reads with the survey on, good / okay / bad, 14 days', () => {
    const v3 = {
      whatsappNumber: null,
      supportEmail: 'help@desk.example.com',
      portalBaseUrl: 'https://desk.example.com',
      whatsappBubbleEnabled: false,
      showStaffNamesInPresence: false,
      notifyTeamOfUnassigned: false,
      by: staff,
      occurredAt: at(1).toISOString(),
    };
    expect(parseDomainEvent('SystemConfigUpdated', v3, 3)).toEqual({
      type: 'SystemConfigUpdated',
      data: { ...v3, ...surveyDefaults },
    });
    // today's version must carry them
    expect(() => parseDomainEvent('SystemConfigUpdated', v3, 4)).toThrow(MalformedEventError);
    const chosen = { satisfactionSurveyEnabled: false, satisfactionScale: 'five', satisfactionLinkDays: 30 };
    expect(parseDomainEvent('SystemConfigUpdated', { ...v3, ...chosen }, 4).data).toMatchObject(chosen);
  });

  it('a QueryRaised written at version 1 (before follow-ups) reads as following up nothing', () => {
    const { followUpOf: _absent, ...v1 } = queryRaised().data;
    expect(parseDomainEvent('QueryRaised', v1, 1)).toEqual({ type: 'QueryRaised', data: { ...v1, followUpOf: null } });
    // today's version must carry it
    expect(() => parseDomainEvent('QueryRaised', v1, 2)).toThrow(MalformedEventError);
  });

  it('event data is plain JSON, as the event store takes it', () => {
    expectTypeOf<DomainEvent['data']>().toExtend<JsonObject>();
  });

  it('when the type is unknown, then it throws UnknownEventTypeError', () => {
    expect(() => parseDomainEvent('TicketCreated', {}, 1)).toThrow(UnknownEventTypeError);
    expect(() => eventSchemaVersion('TicketCreated')).toThrow(UnknownEventTypeError);
  });

  it('when the data is malformed, then it throws MalformedEventError naming every bad field', () => {
    const { visibility: _dropped, ...data } = messagePosted(1, guest, 'external', 'OPEN', 'OPEN').data;
    const error = catchError(() => parseDomainEvent('MessagePosted', { ...data, statusAfter: 'LOST' }, 1));
    if (!(error instanceof MalformedEventError)) throw new Error(`expected MalformedEventError, got ${String(error)}`);
    expect(error.type).toBe('MessagePosted');
    expect(error.issues.map((i) => i.path).sort()).toEqual(['statusAfter', 'visibility']);
    expect(error.message).toMatch(/^malformed MessagePosted: /);
  });

  it.each([
    ['data that is not an object', [], 1],
    ['a version newer than the code', queryRaised().data, 4],
    ['a negative version', queryRaised().data, -1],
    ['a version with no upcaster to today', queryRaised().data, 0],
  ])('when it has %s, then it throws MalformedEventError', (_, data, version) => {
    expect(() => parseDomainEvent('QueryRaised', data, version)).toThrow(MalformedEventError);
  });
});

describe('upcasting', () => {
  it('a MessagePosted of a (hypothetical) version 0 without visibility is read as external', () => {
    // Had MessagePosted v0 lacked `visibility` (every message was external), v1 would ship this upcaster.
    const catalog = createEventCatalog({
      ...domainEventDefinitions,
      MessagePosted: {
        ...domainEventDefinitions.MessagePosted,
        upcasters: {
          ...domainEventDefinitions.MessagePosted.upcasters,
          0: (data) => ({ visibility: 'external', ...data }),
        },
      },
    });
    const current = messagePosted(1, guest, 'external', 'OPEN', 'OPEN');
    const { visibility: _absent, ...v0 } = current.data;
    expect(catalog.parse('MessagePosted', v0, 0)).toEqual(current);
    // data already at today's version is not touched
    const internal = messagePosted(2, staff, 'internal', 'OPEN', 'OPEN');
    expect(catalog.parse('MessagePosted', internal.data, 2)).toEqual(internal);
  });

  it('the chain runs every upcaster from the stored version to today, in order', () => {
    const noteV3 = z.object({
      type: z.literal('NoteAdded'),
      data: z.object({ text: z.string(), tags: z.array(z.string()), language: z.string() }),
    });
    type NoteAdded = z.infer<typeof noteV3>;
    const definitions: EventDefinitions<NoteAdded> = {
      NoteAdded: {
        version: 3,
        schema: noteV3,
        upcasters: {
          0: ({ note, ...rest }) => ({ ...rest, text: note }), // v1 renamed note → text
          1: (data) => ({ tags: [], ...data }), // v2 added tags
          2: (data) => ({ language: 'en', ...data }), // v3 added language
        },
      },
    };
    const catalog = createEventCatalog(definitions);
    expect(catalog.versionOf('NoteAdded')).toBe(3);
    expect(catalog.parse('NoteAdded', { note: 'hello' }, 0)).toEqual({
      type: 'NoteAdded',
      data: { text: 'hello', tags: [], language: 'en' },
    });
    expect(catalog.parse('NoteAdded', { text: 'hi', tags: ['x'] }, 2)).toEqual({
      type: 'NoteAdded',
      data: { text: 'hi', tags: ['x'], language: 'en' },
    });
    // an upcaster that leaves the data invalid is caught by the schema
    expect(() => catalog.parse('NoteAdded', { text: 'no note field' }, 0)).toThrow(MalformedEventError);
  });
});

function catchError(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error');
}
