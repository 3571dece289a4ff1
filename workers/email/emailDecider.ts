import type { MessagePosted, QueryRaised, SatisfactionSurveyOffered } from '../../domain/index.js';
import { comparePositions, type RecordedEvent } from '../../eventstore/port.js';
import type { ProjectedEvent } from '../../projections/projection.js';
import type { AssigneeRow, LearntFacts, LinkRow, MailingFacts, MessageIdRow, ThreadRow } from './mailingFacts.js';
import { emailIdFor, type OutboxRow } from './outboxRows.js';
import {
  ELIDED_TOKEN,
  guestLinkUrl,
  renderEmail,
  type EmailAudience,
  type EmailContent,
  type EmailFiles,
  type EmailRecipient,
  type ThreadEmailFacts,
} from './templates.js';
import { messageIdDomain, outgoingMessageId, replyHeaders, withSentId } from './threadingHeaders.js';
import { renderSatisfactionSurvey, type SatisfactionSurveyContent } from './satisfactionEmail.js';

/**
 * Which emails an event sends, and what it teaches: a pure function of what the process manager
 * knows so far and one event. No I/O and no clock (an event's time is its own `occurredAt`); the
 * process manager loads the facts, writes what this answers, and moves its checkpoint.
 */

export interface EmailDecision {
  /** Outbox rows to write. */
  emails: OutboxRow[];
  /** What is known after the event. */
  facts: MailingFacts;
  /** What the event taught that later batches must know too. */
  learnt: LearntFacts;
}

/** The events that send email or teach something the emails need; the process manager skips the others. */
export const mailedEventTypes: ReadonlySet<string> = new Set([
  'QueryRaised',
  'MessagePosted',
  'ThreadAssigned',
  'ThreadResolved',
  'GuestLinkIssued',
  'GuestLinkRevoked',
  'SystemConfigUpdated',
  'SlaWarning',
  'SlaBreached',
  'SatisfactionSurveyOffered',
]);

/** Someone to email about an event; a guest comes with the link they were emailed for. */
interface Recipient {
  email: string;
  audience: EmailAudience;
  link?: LinkRow;
}

const learntNothing = (): LearntFacts => ({ threads: [], links: [] });
const nothing = (facts: MailingFacts, learnt = learntNothing()): EmailDecision => ({ emails: [], facts, learnt });

function withEntry<V>(map: ReadonlyMap<string, V>, key: string, value: V): ReadonlyMap<string, V> {
  return new Map(map).set(key, value);
}

function linkScope(link: LinkRow): 'thread' | 'assignment' {
  return link.scope_kind === 'assignment' ? 'assignment' : 'thread';
}

function isActive(link: LinkRow | undefined, at: string): link is LinkRow & { recipient_email: string } {
  return !!link && !!link.recipient_email && link.revoked_at === null && Date.parse(link.expires_at) > Date.parse(at);
}

/** Only a staff member's external reply is emailed; internal notes never are. */
function isStaffReply(event: MessagePosted): boolean {
  return event.data.visibility === 'external' && event.data.by.kind === 'staff';
}

/** A partner or guest wrote (on the portal, the guest page or by email): staff are told. */
function isExternalWriter(event: MessagePosted): boolean {
  return event.data.visibility === 'external' && (event.data.by.kind === 'partner' || event.data.by.kind === 'guest');
}

/** The files of a message as its event records them (what an email lists). */
interface PostedFile {
  attachmentId: string;
  fileName: string;
  sizeBytes: number;
}

/**
 * The files of an external message or query, for its emails: each with its signed link (when a
 * secret signs them), expiring a set time after the event, so the email is the same on every
 * attempt. An internal note's files never get here: no internal note is emailed.
 */
function filesOf(facts: MailingFacts, data: { attachments?: readonly PostedFile[]; occurredAt: string }) {
  const posted = data.attachments ?? [];
  if (posted.length === 0) return {};
  const sign = facts.attachmentLinkOf ?? null;
  let linksExpireAt: string | null = null;
  const files = posted.map((file) => {
    const link = sign ? sign(file.attachmentId, data.occurredAt) : null;
    if (link) linksExpireAt = link.expiresAt;
    return {
      attachmentId: file.attachmentId,
      fileName: file.fileName,
      sizeBytes: file.sizeBytes,
      signedPath: link?.path ?? null,
    };
  });
  const listed: EmailFiles = { files, linksExpireAt };
  return { files: listed };
}

function threadFrom(event: QueryRaised): ThreadRow {
  const d = event.data;
  return {
    thread_id: d.threadId,
    subject: d.subject,
    reference: d.assignmentReference,
    raised_by_kind: d.by.kind,
    raised_by_id: d.by.id,
    raised_by_name: d.by.name,
    root_message_id: d.messageId,
    raised_at: d.occurredAt,
    assignee_id: null,
    partner_org_id: d.partnerOrgId,
  };
}

const threadFacts = (thread: ThreadRow): ThreadEmailFacts => ({
  threadId: thread.thread_id,
  subject: thread.subject,
  reference: thread.reference,
});

/** The raiser's acknowledgement; a follow-up's says the closed conversation they replied to opened a new one. */
function ackOf(base: { thread: ThreadEmailFacts; messageId: string; body: string }, event: QueryRaised): EmailContent {
  return { ...base, template: 'query_raised_ack', ...(event.data.followUpOf ? { followUp: true } : {}) };
}

/** Who raised the thread, as someone to email: a partner account, or a guest whose link still works. */
function raiserOf(facts: MailingFacts, thread: ThreadRow, at: string): Recipient[] {
  if (thread.raised_by_kind === 'partner') {
    const email = facts.partnerEmails.get(thread.raised_by_id);
    return email ? [{ email, audience: 'partner' }] : [];
  }
  if (thread.raised_by_kind === 'guest') {
    const link = facts.links.get(thread.raised_by_id);
    return isActive(link, at) ? [{ email: link.recipient_email, audience: 'guest', link }] : [];
  }
  return [];
}

/**
 * Who is told that a partner or guest wrote in the thread: its assignee, unless they turned it
 * off; the support address when nobody is assigned (or the assignee is no enabled admin or agent
 * any more) and the system config says so. An agent who turned it off gets nothing, and the
 * support address is not emailed in their place.
 */
function staffToTell(facts: MailingFacts, thread: ThreadRow): Recipient[] {
  const assignee = thread.assignee_id === null ? undefined : facts.staffRecipients.get(thread.assignee_id);
  if (assignee) return assignee.notify ? [{ email: assignee.email, audience: 'staff' }] : [];
  return facts.notifyTeamOfUnassigned ? [{ email: facts.settings.supportEmail, audience: 'support' }] : [];
}

/** An email rendered for its reader, before its headers are decided (`addressed`). */
type UnaddressedRow = Omit<OutboxRow, 'headers'>;

/** One email of `content` per address (the first of each), rendered for its reader; none for history. */
function emailsTo(
  facts: MailingFacts,
  record: RecordedEvent,
  threadId: string | null,
  content: EmailContent,
  recipients: Recipient[],
  messageId: string | null,
): UnaddressedRow[] {
  if (facts.emailsFrom && comparePositions(record.position, facts.emailsFrom) <= 0) return []; // history: facts only
  const { settings } = facts;
  const seen = new Set<string>();
  const rows: UnaddressedRow[] = [];
  for (const { email, audience, link } of recipients) {
    const recipient = email.trim();
    const key = recipient.toLowerCase();
    if (!recipient || seen.has(key)) continue;
    seen.add(key);
    // a guest's row names their link; what is stored is a preview with the token elided
    const to: EmailRecipient =
      audience === 'guest'
        ? {
            audience,
            link: link
              ? {
                  state: 'working',
                  url: guestLinkUrl(settings.portalBaseUrl, ELIDED_TOKEN, linkScope(link), threadId),
                  expiresAt: link.expires_at,
                }
              : { state: 'unavailable' },
          }
        : { audience };
    rows.push({
      id: emailIdFor(record.id, content.template, recipient),
      event_id: record.id,
      thread_id: threadId,
      message_id: messageId,
      template: content.template,
      audience,
      recipient,
      sender: facts.sender,
      ...renderEmail(content, to, settings),
      guest_link_id: audience === 'guest' && link ? link.link_id : null,
      guest_render: audience === 'guest' && link ? { content, settings } : null,
    });
  }
  return rows;
}

/**
 * The emails of one event with their headers, in order: each its own Message-ID (from its row id,
 * the same on every attempt); one about a thread replies to the thread's latest inbound email
 * (else its first) and refers to its first and latest, and one to a partner or guest carries the
 * signed reply address. Each Message-ID sent is learnt, so the next email of the thread refers to it.
 */
function addressed(
  facts: MailingFacts,
  record: RecordedEvent,
  rows: readonly UnaddressedRow[],
  learnt: LearntFacts,
): EmailDecision {
  if (rows.length === 0) return { emails: [], facts, learnt };
  const domain = messageIdDomain(facts.sender);
  let threadMessageIds = facts.threadMessageIds;
  const messageIds: MessageIdRow[] = [];
  const emails = rows.map((row): OutboxRow => {
    const messageId = outgoingMessageId(row.id, row.thread_id, domain);
    if (row.thread_id === null) return { ...row, headers: { 'Message-ID': messageId } };
    const known = threadMessageIds.get(row.thread_id);
    const replyTo = row.audience === 'support' ? null : facts.replyAddressOf?.(row.thread_id, row.recipient);
    threadMessageIds = withEntry(threadMessageIds, row.thread_id, withSentId(known, messageId));
    messageIds.push({
      thread_id: row.thread_id,
      message_id: messageId,
      direction: 'outbound',
      at: record.createdAt.toISOString(),
      email_id: row.id,
    });
    return {
      ...row,
      headers: {
        'Message-ID': messageId,
        ...replyHeaders(known, messageId),
        ...(replyTo ? { 'Reply-To': replyTo } : {}),
      },
    };
  });
  return {
    emails,
    facts: { ...facts, threadMessageIds },
    learnt: messageIds.length ? { ...learnt, messageIds: [...(learnt.messageIds ?? []), ...messageIds] } : learnt,
  };
}

/**
 * Who is sent a survey: its recipient, while they can still see the thread. A partner with an
 * enabled account in the thread's organisation (one who moved elsewhere is not asked); a guest
 * whose link still works (a revoked or expired link gets nothing) and was sent to an address.
 */
function surveyRecipient(facts: MailingFacts, thread: ThreadRow, event: SatisfactionSurveyOffered): Recipient[] {
  const { recipient, occurredAt } = event.data;
  if (recipient.kind !== thread.raised_by_kind || recipient.id !== thread.raised_by_id) return [];
  if (recipient.kind === 'partner') {
    const org = facts.partnerOrgs?.get(recipient.id);
    if (facts.partnerOrgs && thread.partner_org_id && org !== thread.partner_org_id) return [];
  }
  return raiserOf(facts, thread, occurredAt);
}

/**
 * The survey's email, one per offered survey: rendered here as a preview with the token elided;
 * the sender rebuilds the token from the recorded seed as it sends (satisfaction_render).
 */
function surveyEmails(facts: MailingFacts, record: RecordedEvent, event: SatisfactionSurveyOffered): EmailDecision {
  const thread = facts.threads.get(event.data.threadId);
  if (!thread) return nothing(facts);
  if (facts.emailsFrom && comparePositions(record.position, facts.emailsFrom) <= 0) return nothing(facts);
  const [to] = surveyRecipient(facts, thread, event);
  const recipient = to?.email.trim();
  if (!to || !recipient) return nothing(facts);
  const { settings } = facts;
  const content: SatisfactionSurveyContent = {
    template: 'satisfaction_survey',
    thread: threadFacts(thread),
    eventId: record.id,
    surveyId: event.data.surveyId,
    scale: event.data.scale,
    expiresAt: event.data.expiresAt,
  };
  const row = {
    id: emailIdFor(record.id, content.template, recipient),
    event_id: record.id,
    thread_id: thread.thread_id,
    message_id: null,
    template: content.template,
    audience: to.audience,
    recipient,
    sender: facts.sender,
    ...renderSatisfactionSurvey(content, ELIDED_TOKEN, settings),
    guest_link_id: null,
    guest_render: null,
    satisfaction_render: {
      content,
      settings,
      threadId: thread.thread_id,
      tokenSeed: event.data.tokenSeed,
      tokenHash: event.data.tokenHash,
    },
  };
  return addressed(facts, record, [row], learntNothing());
}

/** The emails one event sends, given what is known so far, and what it teaches. */
export function decideEmails(facts: MailingFacts, { record, event }: ProjectedEvent): EmailDecision {
  switch (event.type) {
    case 'SystemConfigUpdated': {
      const settings = { supportEmail: event.data.supportEmail, portalBaseUrl: event.data.portalBaseUrl };
      const { notifyTeamOfUnassigned } = event.data;
      return nothing(
        { ...facts, settings, notifyTeamOfUnassigned },
        { ...learntNothing(), settings, notifyTeamOfUnassigned },
      );
    }
    case 'ThreadAssigned': {
      const thread = facts.threads.get(event.data.threadId);
      if (!thread) return nothing(facts); // a thread this worker never saw raised: nobody to tell about it
      const assigned: ThreadRow = { ...thread, assignee_id: event.data.assigneeId };
      const row: AssigneeRow = { thread_id: thread.thread_id, assignee_id: event.data.assigneeId };
      return nothing(
        { ...facts, threads: withEntry(facts.threads, thread.thread_id, assigned) },
        { ...learntNothing(), assignees: [row] },
      );
    }
    case 'GuestLinkIssued': {
      const { scope } = event.data;
      const link: LinkRow = {
        link_id: event.data.tokenHash,
        scope_kind: scope.kind,
        thread_id: scope.kind === 'thread' ? scope.threadId : null,
        recipient_email: event.data.recipientEmail,
        expires_at: event.data.expiresAt,
        revoked_at: null,
      };
      const isNew = !facts.links.has(link.link_id);
      const known = isNew ? { ...facts, links: withEntry(facts.links, link.link_id, link) } : facts;
      const learnt = { threads: [], links: isNew ? [link] : [] };
      // the recipient gets the link itself, once (the outbox id follows from this event).
      // A link without a seed (issued before links were emailed) has no token to rebuild.
      if (!event.data.recipientEmail || !event.data.tokenSeed) return nothing(known, learnt);
      const recipients = [{ email: event.data.recipientEmail, audience: 'guest' as const, link }];
      const base = { template: 'guest_link_issued' as const, eventId: record.id, issuedByName: event.data.by.name };
      if (scope.kind === 'thread') {
        const thread = known.threads.get(scope.threadId);
        if (!thread) return nothing(known, learnt); // a thread this worker never saw raised: nothing to name it by
        const content = { ...base, about: { kind: 'thread' as const, thread: threadFacts(thread) } };
        return addressed(known, record, emailsTo(known, record, thread.thread_id, content, recipients, null), learnt);
      }
      const about = {
        kind: 'assignment' as const,
        assignmentId: scope.assignmentId,
        reference: known.assignmentReferences.get(scope.assignmentId) ?? scope.assignmentId,
      };
      return addressed(known, record, emailsTo(known, record, null, { ...base, about }, recipients, null), learnt);
    }
    case 'GuestLinkRevoked': {
      const link = facts.links.get(event.data.tokenHash);
      if (!link || link.revoked_at !== null) return nothing(facts);
      const revoked = { ...link, revoked_at: event.data.revokedAt };
      return nothing(
        { ...facts, links: withEntry(facts.links, revoked.link_id, revoked) },
        { threads: [], links: [revoked] },
      );
    }
    case 'QueryRaised': {
      if (facts.threads.has(event.data.threadId)) return nothing(facts);
      const thread = threadFrom(event);
      const known = { ...facts, threads: withEntry(facts.threads, thread.thread_id, thread) };
      const { messageId } = event.data;
      const base = { thread: threadFacts(thread), messageId, body: event.data.body, ...filesOf(known, event.data) };
      const toSupport: EmailContent = {
        ...base,
        template: 'query_raised_support',
        raisedByName: event.data.by.name,
        queryType: event.data.queryType,
        priority: event.data.priority,
      };
      const support = [{ email: known.settings.supportEmail, audience: 'support' as const }];
      const raiser = raiserOf(known, thread, event.data.occurredAt);
      const emails = [
        ...emailsTo(known, record, thread.thread_id, toSupport, support, messageId),
        ...emailsTo(known, record, thread.thread_id, ackOf(base, event), raiser, messageId),
      ];
      return addressed(known, record, emails, { threads: [thread], links: [] });
    }
    case 'MessagePosted': {
      const thread = facts.threads.get(event.data.threadId);
      if (!thread) return nothing(facts);
      if (isExternalWriter(event)) {
        const { by } = event.data;
        const content: EmailContent = {
          template: 'partner_wrote',
          thread: threadFacts(thread),
          messageId: event.data.messageId,
          body: event.data.body,
          authorName: by.name,
          authorKind: by.kind === 'guest' ? 'guest' : 'partner',
          toAssignee: false,
          ...filesOf(facts, event.data),
        };
        // each recipient's own rendering: an agent's says their reply by email answers the partner
        const emails = staffToTell(facts, thread).flatMap((recipient) =>
          emailsTo(
            facts,
            record,
            thread.thread_id,
            { ...content, toAssignee: recipient.audience === 'staff' },
            [recipient],
            event.data.messageId,
          ),
        );
        return addressed(facts, record, emails, learntNothing());
      }
      if (!isStaffReply(event)) return nothing(facts);
      // one email per address: a guest given several links gets the one that works longest
      const guests = [...facts.links.values()]
        .filter((l) => l.scope_kind === 'thread' && l.thread_id === thread.thread_id)
        .filter((l) => isActive(l, event.data.occurredAt))
        .sort((a, b) => Date.parse(b.expires_at) - Date.parse(a.expires_at) || a.link_id.localeCompare(b.link_id))
        .map((l) => ({ email: l.recipient_email!, audience: 'guest' as const, link: l }));
      const content: EmailContent = {
        template: 'staff_reply',
        thread: threadFacts(thread),
        messageId: event.data.messageId,
        body: event.data.body,
        authorName: event.data.by.name,
        ...filesOf(facts, event.data),
      };
      const recipients = [...raiserOf(facts, thread, event.data.occurredAt), ...guests];
      const emails = emailsTo(facts, record, thread.thread_id, content, recipients, event.data.messageId);
      return addressed(facts, record, emails, learntNothing());
    }
    case 'SlaWarning':
    case 'SlaBreached': {
      const thread = facts.threads.get(event.data.threadId);
      if (!thread) return nothing(facts);
      // the assignee (whatever they chose for partners' messages: this is about their own deadline), else the team
      const assignee = thread.assignee_id === null ? undefined : facts.staffRecipients.get(thread.assignee_id);
      const recipient: Recipient = assignee
        ? { email: assignee.email, audience: 'staff' }
        : { email: facts.settings.supportEmail, audience: 'support' };
      const content: EmailContent = {
        template: 'sla_alert',
        thread: threadFacts(thread),
        eventId: record.id,
        kind: event.type === 'SlaBreached' ? 'breach' : 'warning',
        metric: event.data.metric,
        dueAt: event.data.dueAt,
        toAssignee: recipient.audience === 'staff',
      };
      return addressed(
        facts,
        record,
        emailsTo(facts, record, thread.thread_id, content, [recipient], null),
        learntNothing(),
      );
    }
    case 'ThreadResolved': {
      const thread = facts.threads.get(event.data.threadId);
      if (!thread) return nothing(facts);
      const content: EmailContent = { template: 'thread_resolved', thread: threadFacts(thread), eventId: record.id };
      const recipients = raiserOf(facts, thread, event.data.occurredAt);
      return addressed(
        facts,
        record,
        emailsTo(facts, record, thread.thread_id, content, recipients, null),
        learntNothing(),
      );
    }
    case 'SatisfactionSurveyOffered':
      return surveyEmails(facts, record, event);
    default:
      return nothing(facts);
  }
}

/**
 * A batch's decisions in log order: every email, the facts after its last event, and what it
 * taught (a thread or link learnt twice kept as it was last).
 */
export function decideBatch(facts: MailingFacts, events: readonly ProjectedEvent[]): EmailDecision {
  const emails = new Map<string, OutboxRow>();
  const threads = new Map<string, ThreadRow>();
  const links = new Map<string, LinkRow>();
  const messageIds = new Map<string, MessageIdRow>();
  let known = facts;
  let settings: MailingFacts['settings'] | undefined;
  let notifyTeamOfUnassigned: boolean | undefined;
  const assignees = new Map<string, AssigneeRow>();
  for (const event of events) {
    const decision = decideEmails(known, event);
    known = decision.facts;
    for (const email of decision.emails) emails.set(email.id, email);
    for (const thread of decision.learnt.threads) threads.set(thread.thread_id, thread);
    for (const link of decision.learnt.links) links.set(link.link_id, link);
    for (const id of decision.learnt.messageIds ?? []) {
      const key = `${id.thread_id} ${id.message_id}`;
      if (!messageIds.has(key)) messageIds.set(key, id);
    }
    settings = decision.learnt.settings ?? settings;
    notifyTeamOfUnassigned = decision.learnt.notifyTeamOfUnassigned ?? notifyTeamOfUnassigned;
    // a thread assigned twice in a batch keeps its last assignee
    for (const row of decision.learnt.assignees ?? []) {
      assignees.delete(row.thread_id);
      assignees.set(row.thread_id, row);
    }
  }
  return {
    emails: [...emails.values()],
    facts: known,
    learnt: {
      threads: [...threads.values()],
      links: [...links.values()],
      ...(messageIds.size ? { messageIds: [...messageIds.values()] } : {}),
      ...(settings ? { settings } : {}),
      ...(notifyTeamOfUnassigned === undefined ? {} : { notifyTeamOfUnassigned }),
      ...(assignees.size ? { assignees: [...assignees.values()] } : {}),
    },
  };
}

/**
 * The partner accounts whose address a batch may need (the raisers of the threads it emails
 * about), so they are looked up before it is decided.
 */
export function partnersToEmail(
  threads: ReadonlyMap<string, ThreadRow>,
  events: readonly ProjectedEvent[],
): Set<string> {
  const raisedInBatch = new Map<string, ThreadRow>();
  const accounts = new Set<string>();
  const raiserOfThread = (threadId: string) => {
    const thread = raisedInBatch.get(threadId) ?? threads.get(threadId);
    if (thread?.raised_by_kind === 'partner') accounts.add(thread.raised_by_id);
  };
  for (const { event } of events) {
    if (event.type === 'QueryRaised') {
      const { threadId } = event.data;
      if (threads.has(threadId) || raisedInBatch.has(threadId)) continue;
      raisedInBatch.set(threadId, threadFrom(event));
      raiserOfThread(threadId);
    } else if (event.type === 'MessagePosted' && isStaffReply(event)) raiserOfThread(event.data.threadId);
    else if (event.type === 'ThreadResolved' || event.type === 'SatisfactionSurveyOffered')
      raiserOfThread(event.data.threadId);
  }
  return accounts;
}

/**
 * The staff accounts whose address and preference a batch may need: the assignees of the threads
 * a partner or guest writes in (as assigned so far, or within the batch), looked up before it is decided.
 */
export function staffToEmail(threads: ReadonlyMap<string, ThreadRow>, events: readonly ProjectedEvent[]): Set<string> {
  const accounts = new Set<string>();
  const assigned = new Map<string, string | null>();
  for (const { event } of events) {
    if (event.type === 'ThreadAssigned') assigned.set(event.data.threadId, event.data.assigneeId);
    else if (
      (event.type === 'MessagePosted' && isExternalWriter(event)) ||
      event.type === 'SlaWarning' ||
      event.type === 'SlaBreached'
    ) {
      const { threadId } = event.data;
      const assignee = assigned.has(threadId) ? assigned.get(threadId) : threads.get(threadId)?.assignee_id;
      if (assignee) accounts.add(assignee);
    }
  }
  return accounts;
}
