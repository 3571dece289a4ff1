import { createHmac } from 'node:crypto';
import type { ReceivedEmail } from '../../../../workers/email/inbound/inboundMessageHeaders.js';
import type {
  InboundAssignment,
  InboundLookup,
  InboundThread,
  MatchContext,
  PartnerAccount,
  ReplyAddressVerifier,
  StaffAccount,
} from '../../../../workers/email/inbound/matchThread.js';

/**
 * Inbound mail specifications: given these threads, accounts and links (in memory), when this
 * email arrives, then this outcome. The reply-address signature here is a stand-in HMAC with the
 * shape workers/email/replyAddress.ts signs: `reply+<threadId>.<signature>`.
 */

export const inboundDomain = 'inbound.desk.test';
export const deskAddress = 'support@desk.test';
export const receivedAt = '2026-12-01T10:00:00.000Z';

export const acme = 'org-acme';
export const globex = 'org-globex';
export const pat: PartnerAccount = { accountId: 'acc-pat', partnerOrgId: acme, name: 'Pat Partner' };
export const chris: PartnerAccount = { accountId: 'acc-chris', partnerOrgId: acme, name: 'Chris Colleague' };
export const gina: PartnerAccount = { accountId: 'acc-gina', partnerOrgId: globex, name: 'Gina Globex' };
/** An agent of the desk, who answers partners by email through the reply address of their notification. */
export const alex: StaffAccount = { accountId: 'acc-alex', name: 'Alex Agent' };
export const addresses = {
  pat: 'pat@acme.test',
  chris: 'chris@acme.test',
  gina: 'gina@globex.test',
  alex: 'alex@desk.test',
};

export const acmeAssignment: InboundAssignment = { assignmentId: 'asg-1001', reference: 'A-1001', partnerOrgId: acme };
export const globexAssignment: InboundAssignment = {
  assignmentId: 'asg-2002',
  reference: 'A-2002',
  partnerOrgId: globex,
};

export const openThread: InboundThread = {
  threadId: '11111111-1111-4111-8111-111111111111',
  status: 'PENDING',
  assignmentId: acmeAssignment.assignmentId,
  assignmentReference: acmeAssignment.reference,
  partnerOrgId: acme,
  subject: 'Missing delivery note',
};
export const closedThread: InboundThread = {
  ...openThread,
  threadId: '22222222-2222-4222-8222-222222222222',
  status: 'CLOSED',
  subject: 'Invoice for March',
};
export const globexThread: InboundThread = {
  threadId: '33333333-3333-4333-8333-333333333333',
  status: 'OPEN',
  assignmentId: globexAssignment.assignmentId,
  assignmentReference: globexAssignment.reference,
  partnerOrgId: globex,
  subject: 'Gate code',
};

/** Our Message-IDs as the templates write them (workers/email/templates.ts). */
export const rootId = (thread: InboundThread) => `<thread-${thread.threadId}@support-desk>`;
export const sentId = (thread: InboundThread, n: number) => `<thread-${thread.threadId}.msg-${n}@support-desk>`;

const key = 'test reply address key';
const signature = (threadId: string, recipient: string) =>
  createHmac('sha256', key).update(`${threadId}\n${recipient}`).digest('hex').slice(0, 20);

/** The reply address we would have sent `recipient` for `thread`. */
export function replyAddress(thread: InboundThread, recipient: string): string {
  return `reply+${thread.threadId}.${signature(thread.threadId, recipient)}@${inboundDomain}`;
}

export const verifyReplyAddress: ReplyAddressVerifier = (localPart, sender) => {
  const match = /^reply\+([^.]+)\.(.+)$/.exec(localPart);
  return !!match && match[2] === signature(match[1] ?? '', sender);
};

export interface GuestLinkFact {
  linkId: string;
  threadId: string;
  recipient: string;
  name: string;
  expiresAt: string;
  revoked: boolean;
}

export interface DeskFacts {
  threads: InboundThread[];
  assignments: InboundAssignment[];
  accounts: { address: string; account: PartnerAccount }[];
  /** Enabled admin and agent accounts. */
  staff: { address: string; account: StaffAccount }[];
  guestLinks: GuestLinkFact[];
  /** Message-IDs we sent or received, and their thread. */
  messageIds: [string, string][];
}

export const desk: DeskFacts = {
  threads: [openThread, closedThread, globexThread],
  assignments: [acmeAssignment, globexAssignment],
  accounts: [
    { address: addresses.pat, account: pat },
    { address: addresses.chris, account: chris },
    { address: addresses.gina, account: gina },
  ],
  staff: [{ address: addresses.alex, account: alex }],
  guestLinks: [],
  messageIds: [openThread, closedThread, globexThread].flatMap((t): [string, string][] => [
    [rootId(t), t.threadId],
    [sentId(t, 1), t.threadId],
    [sentId(t, 2), t.threadId],
  ]),
};

/** The lookup the worker will read from its tables, over plain arrays. */
export function inMemoryLookup(facts: DeskFacts): InboundLookup {
  return {
    threadsOfMessageIds: async (ids) =>
      new Map(facts.messageIds.filter(([id]) => ids.includes(id)).map(([id, threadId]) => [id, threadId])),
    thread: async (threadId) => facts.threads.find((t) => t.threadId === threadId) ?? null,
    assignmentByReference: async (reference) => facts.assignments.find((a) => a.reference === reference) ?? null,
    threadsOfAssignment: async (assignmentId) => facts.threads.filter((t) => t.assignmentId === assignmentId),
    partnerAccountByAddress: async (address) => facts.accounts.find((a) => a.address === address)?.account ?? null,
    staffAccountByAddress: async (address) => facts.staff.find((a) => a.address === address)?.account ?? null,
    guestLinkFor: async (threadId, address, at) => {
      const link = facts.guestLinks.find(
        (l) => l.threadId === threadId && l.recipient === address && !l.revoked && l.expiresAt > at,
      );
      return link ? { linkId: link.linkId, name: link.name } : null;
    },
  };
}

export function matchContext(facts: DeskFacts = desk): MatchContext {
  return {
    inboundDomain,
    verifyReplyAddress,
    lookup: inMemoryLookup(facts),
    receivedAt,
    isOurMessageId: (id) => /@support-desk>$/.test(id),
    isOurAddress: (address) => address === deskAddress || address.endsWith(`@${inboundDomain}`),
  };
}

/** A received email as Resend answers `emails.receiving.get`, with whatever the case changes. */
export function receivedEmail(overrides: Partial<ReceivedEmail> = {}): ReceivedEmail {
  return {
    from: `Pat Partner <${addresses.pat}>`,
    to: [deskAddress],
    cc: null,
    subject: 'Hello',
    text: 'Hello there.',
    html: null,
    headers: { 'Message-ID': '<CAF1234@mail.acme.test>' },
    message_id: '<CAF1234@mail.acme.test>',
    ...overrides,
  };
}
