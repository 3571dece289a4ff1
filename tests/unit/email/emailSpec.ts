import { expect } from 'vitest';
import type {
  Author,
  DomainEvent,
  GuestLinkIssued,
  GuestLinkRevoked,
  MessagePosted,
  QueryRaised,
  SystemConfigUpdated,
  ThreadAssigned,
  ThreadResolved,
} from '../../../domain/index.js';
import type { JsonObject, RecordedEvent } from '../../../eventstore/port.js';
import type { ProjectedEvent } from '../../../projections/projection.js';
import { decideEmails, type EmailDecision } from '../../../workers/email/emailDecider.js';
import type { MailingFacts } from '../../../workers/email/mailingFacts.js';
import type { OutboxRow } from '../../../workers/email/outboxRows.js';
import { replyAddresses } from '../../../workers/email/replyAddress.js';

/**
 * Email decider specifications: given these events (and these looked-up facts), when this
 * event, then these emails (and these facts learnt).
 *   emailSpec().given([raised]).when(staffReply).thenEmails([{ template: 'staff_reply', ... }]);
 */

export const staff: Author = { kind: 'staff', id: 'staff-1', name: 'Sam Support' };
/** An agent with an account: the assignee of the scenarios that assign the thread. */
export const agent: Author = { kind: 'staff', id: '7a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d', name: 'Alex Agent' };
export const agentAddress = 'alex@desk.test';
export const partner: Author = { kind: 'partner', id: 'partner-1', name: 'Pat Partner' };
export const partnerAddress = 'pat@acme.test';
export const supportAddress = 'support@desk.test';
export const threadId = '5b1c0a52-8f3e-4c1d-9a57-2f6d7c1e9b30';
export const otherThreadId = '0e6f4a8b-1c2d-4e3f-8a9b-7c6d5e4f3a21';

const start = Date.parse('2025-03-03T09:00:00.000Z');
/** A moment `minutes` after the start of every scenario. */
export const iso = (minutes: number): string => new Date(start + minutes * 60_000).toISOString();
const uuid = (n: number, block = '8000') => `00000000-0000-4000-${block}-${String(n).padStart(12, '0')}`;
/** A guest link id: the SHA-256 of its token, as 64 hex characters. */
export const linkId = (n: number): string => n.toString(16).padStart(64, '0');

export function queryRaised(by: Author = partner, minutes = 0, thread = threadId): QueryRaised {
  return {
    type: 'QueryRaised',
    data: {
      threadId: thread,
      messageId: uuid(minutes, '9000'),
      assignmentId: 'asg-1042',
      assignmentReference: 'A-1042',
      partnerOrgId: 'org-7',
      queryType: 'DOCUMENTS',
      priority: 'HIGH',
      subject: 'Missing delivery note',
      body: 'The delivery note is not in the portal.',
      by,
      occurredAt: iso(minutes),
      followUpOf: null,
      attachments: [],
    },
  };
}

export function messagePosted(by: Author, visibility: 'external' | 'internal', minutes: number): MessagePosted {
  return {
    type: 'MessagePosted',
    data: {
      threadId,
      messageId: uuid(minutes, '9000'),
      body: `message at ${minutes}`,
      visibility,
      by,
      occurredAt: iso(minutes),
      statusBefore: 'OPEN',
      statusAfter: 'PENDING',
      attachments: [],
    },
  };
}

export function threadAssigned(assignee: Author | null, minutes: number, thread = threadId): ThreadAssigned {
  return {
    type: 'ThreadAssigned',
    data: {
      threadId: thread,
      assigneeId: assignee?.id ?? null,
      assigneeName: assignee?.name ?? null,
      previousAssigneeId: null,
      by: staff,
      occurredAt: iso(minutes),
    },
  };
}

export function threadResolved(minutes: number): ThreadResolved {
  return { type: 'ThreadResolved', data: { threadId, statusBefore: 'PENDING', by: staff, occurredAt: iso(minutes) } };
}

/** A thread link to `recipient`, working until `expiresAtMinute`; with a seed unless said otherwise. */
export function threadLinkIssued(
  n: number,
  recipient: string | null,
  { expiresAtMinute = 60 * 24, seeded = true, thread = threadId } = {},
): GuestLinkIssued {
  return {
    type: 'GuestLinkIssued',
    data: {
      tokenHash: linkId(n),
      ...(seeded ? { tokenSeed: 'AAAAAAAAAAAAAAAAAAAAAA' } : {}),
      scope: { kind: 'thread', threadId: thread },
      recipientEmail: recipient,
      issuedAt: iso(0),
      expiresAt: iso(expiresAtMinute),
      by: staff,
    },
  };
}

export function assignmentLinkIssued(n: number, recipient: string, assignmentId = 'asg-1042'): GuestLinkIssued {
  return {
    type: 'GuestLinkIssued',
    data: {
      tokenHash: linkId(n),
      tokenSeed: 'AAAAAAAAAAAAAAAAAAAAAA',
      scope: { kind: 'assignment', assignmentId, partnerOrgId: 'org-7' },
      recipientEmail: recipient,
      issuedAt: iso(0),
      expiresAt: iso(60 * 24),
      by: staff,
    },
  };
}

export function guestLinkRevoked(n: number, minutes: number): GuestLinkRevoked {
  return { type: 'GuestLinkRevoked', data: { tokenHash: linkId(n), revokedAt: iso(minutes), by: staff } };
}

export function systemConfigUpdated(
  supportEmail: string,
  portalBaseUrl = 'https://desk.test',
  notifyTeamOfUnassigned = true,
): SystemConfigUpdated {
  return {
    type: 'SystemConfigUpdated',
    data: {
      whatsappNumber: null,
      supportEmail,
      portalBaseUrl,
      whatsappBubbleEnabled: false,
      showStaffNamesInPresence: false,
      notifyTeamOfUnassigned,
      satisfactionSurveyEnabled: true,
      satisfactionScale: 'three',
      satisfactionLinkDays: 14,
      by: staff,
      occurredAt: iso(0),
    },
  };
}

/** The n-th event of a scenario as the log hands it over: its id and position follow from n. */
export function logged(event: DomainEvent, n: number): ProjectedEvent {
  const record: RecordedEvent = {
    id: uuid(n),
    streamName: 'scenario',
    revision: n,
    position: { commit: BigInt(n), prepare: BigInt(n) },
    type: event.type,
    data: event.data as unknown as JsonObject,
    metadata: {},
    createdAt: new Date(start),
  };
  return { record, event };
}

/** What a person would check of an email: which, to whom, about what, with which link. */
export type EmailSummary = Pick<OutboxRow, 'template' | 'audience' | 'recipient' | 'thread_id' | 'guest_link_id'>;

export const summary = ({ template, audience, recipient, thread_id, guest_link_id }: OutboxRow): EmailSummary => ({
  template,
  audience,
  recipient,
  thread_id,
  guest_link_id,
});

/** The reply addresses of every scenario (INBOUND_EMAIL_DOMAIN set); `replyAddressOf: null` for none. */
export const inboundDomain = 'reply.desk.test';
export const scenarioReplyAddresses = replyAddresses({
  secrets: ['a reply address secret for the scenarios, 32+ characters'],
  domain: inboundDomain,
});

export function noFacts(known: Partial<MailingFacts> = {}): MailingFacts {
  return {
    threads: new Map(),
    links: new Map(),
    assignmentReferences: new Map(),
    partnerEmails: new Map([[partner.id, partnerAddress]]),
    staffRecipients: new Map([[agent.id, { email: agentAddress, notify: true }]]),
    settings: { supportEmail: supportAddress, portalBaseUrl: 'https://desk.test' },
    notifyTeamOfUnassigned: true,
    threadMessageIds: new Map(),
    sender: 'Support desk <desk@desk.test>',
    replyAddressOf: (thread, recipient) => scenarioReplyAddresses.signReplyAddress(thread, recipient),
    emailsFrom: null,
    ...known,
  };
}

export function emailSpec(known: Partial<MailingFacts> = {}) {
  return {
    given(events: DomainEvent[]) {
      const history = events.map((event, i) => logged(event, i + 1));
      /** What the process manager knows after those events. */
      const facts = () => history.reduce((f, e) => decideEmails(f, e).facts, noFacts(known));
      return {
        facts,
        when(event: DomainEvent) {
          const record = logged(event, history.length + 1);
          const decide = (): EmailDecision => decideEmails(facts(), record);
          return {
            /** The event as logged (its id names its emails). */
            record: record.record,
            decide,
            thenEmails(expected: EmailSummary[]): OutboxRow[] {
              const { emails } = decide();
              expect(emails.map(summary)).toEqual(expected);
              return emails;
            },
            thenNoEmail(): EmailDecision {
              const decision = decide();
              expect(decision.emails).toEqual([]);
              return decision;
            },
          };
        },
      };
    },
  };
}

type Template = OutboxRow['template'];
/** An email to the support address about the thread. */
export const toSupport = (template: Template): EmailSummary => ({
  template,
  audience: 'support',
  recipient: supportAddress,
  thread_id: threadId,
  guest_link_id: null,
});
/** An email to the partner who raised the thread. */
export const toPartner = (template: Template): EmailSummary => ({
  template,
  audience: 'partner',
  recipient: partnerAddress,
  thread_id: threadId,
  guest_link_id: null,
});
/** An email to the assigned agent about the thread. */
export const toAgent = (template: Template): EmailSummary => ({
  template,
  audience: 'staff',
  recipient: agentAddress,
  thread_id: threadId,
  guest_link_id: null,
});
/** An email to a guest, carrying link `n`; about the thread unless said otherwise. */
export const toGuest = (template: Template, recipient: string, n: number, thread: string | null = threadId) => ({
  template,
  audience: 'guest' as const,
  recipient,
  thread_id: thread,
  guest_link_id: linkId(n),
});
