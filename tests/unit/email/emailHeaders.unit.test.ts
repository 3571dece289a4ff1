import { describe, expect, it } from 'vitest';
import type { Author } from '../../../domain/index.js';
import { decideBatch } from '../../../workers/email/emailDecider.js';
import type { ThreadMessageIds } from '../../../workers/email/mailingFacts.js';
import type { OutboxRow } from '../../../workers/email/outboxRows.js';
import {
  messageIdDomain,
  outgoingMessageId,
  REFERENCES_MAX_LENGTH,
  referencesOf,
} from '../../../workers/email/threadingHeaders.js';
import {
  assignmentLinkIssued,
  emailSpec,
  linkId,
  logged,
  messagePosted,
  noFacts,
  partner,
  partnerAddress,
  queryRaised,
  scenarioReplyAddresses,
  staff,
  threadId,
  threadLinkIssued,
  threadResolved,
} from './emailSpec.js';

/*
 * The headers an email is written with: its own Message-ID (from its row id), In-Reply-To and
 * References from what is known of its thread's Message-IDs, and the signed Reply-To for a
 * partner or guest. Given these events (and these known ids), when this event, then these headers.
 */

const ownId = (email: OutboxRow) => outgoingMessageId(email.id, email.thread_id, 'desk.test');
const byTemplate = (emails: OutboxRow[], template: OutboxRow['template']) =>
  emails.find((e) => e.template === template)!;
const guestByLink = (n: number): Author => ({ kind: 'guest', id: linkId(n), name: 'Gita Guest' });

describe('email headers: the first emails of a thread', () => {
  it('when a partner raises a query, then each email has its own Message-ID, the first has no parent, and the ack replies to it', () => {
    const { emails, learnt } = emailSpec().given([]).when(queryRaised(partner)).decide();
    const [support, ack] = emails;
    expect(support!.headers).toEqual({ 'Message-ID': `<thread-${threadId}.${support!.id}@desk.test>` });
    expect(ack!.headers).toEqual({
      'Message-ID': ownId(ack!),
      'In-Reply-To': ownId(support!),
      References: ownId(support!),
      'Reply-To': scenarioReplyAddresses.signReplyAddress(threadId, partnerAddress),
    });
    // what the runner records with the rows, in the order they were decided
    expect(learnt.messageIds?.map((m) => [m.thread_id, m.message_id, m.direction, m.email_id])).toEqual([
      [threadId, ownId(support!), 'outbound', support!.id],
      [threadId, ownId(ack!), 'outbound', ack!.id],
    ]);
  });

  it('when the same event is decided twice (a retry, a second worker), then the headers are the same', () => {
    const when = emailSpec()
      .given([queryRaised()])
      .when(messagePosted(staff, 'external', 10));
    expect(when.decide().emails.map((e) => e.headers)).toEqual(when.decide().emails.map((e) => e.headers));
  });

  it('when the email is to the support address, then it has no Reply-To (only partners and guests reply by email)', () => {
    const [support] = emailSpec().given([]).when(queryRaised(partner)).decide().emails;
    expect(support!.audience).toBe('support');
    expect(support!.headers).not.toHaveProperty('Reply-To');
  });
});

describe('email headers: later emails of a thread', () => {
  it('when staff reply, then the email replies to the thread root and refers to the root and the latest email', () => {
    const spec = emailSpec().given([queryRaised()]);
    const [support, ack] = emailSpec().given([]).when(queryRaised()).decide().emails;
    const [reply] = spec.when(messagePosted(staff, 'external', 10)).decide().emails;
    expect(reply!.headers).toEqual({
      'Message-ID': ownId(reply!),
      'In-Reply-To': ownId(support!),
      References: `${ownId(support!)} ${ownId(ack!)}`,
      'Reply-To': scenarioReplyAddresses.signReplyAddress(threadId, partnerAddress),
    });
  });

  it('when a reply came in by email, then the next email replies to the latest inbound Message-ID', () => {
    const known: ThreadMessageIds = {
      ids: ['<root@desk.test>', '<first-reply@mail.acme.test>', '<ours@desk.test>', '<second-reply@mail.acme.test>'],
      latestInbound: '<second-reply@mail.acme.test>',
    };
    const [reply] = emailSpec({ threadMessageIds: new Map([[threadId, known]]) })
      .given([queryRaised()])
      .when(messagePosted(staff, 'external', 10))
      .decide().emails;
    expect(reply!.headers['In-Reply-To']).toBe('<second-reply@mail.acme.test>');
    expect(reply!.headers.References!.split(' ')[0]).toBe('<root@desk.test>');
    expect(reply!.headers.References!.split(' ').at(-1)).toMatch(/@desk\.test>$/); // the ack of the given query
    expect(reply!.headers.References).toContain('<second-reply@mail.acme.test>');
  });

  it('when a thread has many Message-IDs, then References keeps the first and the latest, within about 1,500 characters', () => {
    const earlier = Array.from(
      { length: 60 },
      (_, i) => `<message-${String(i).padStart(3, '0')}.${'x'.repeat(40)}@desk.test>`,
    );
    const spec = emailSpec({ threadMessageIds: new Map([[threadId, { ids: earlier, latestInbound: null }]]) }).given([
      queryRaised(),
    ]);
    const ids = spec.facts().threadMessageIds.get(threadId)!.ids; // the earlier ones, then the query's two emails
    const [resolved] = spec.when(threadResolved(20)).decide().emails;
    const references = resolved!.headers.References!.split(' ');
    expect(resolved!.headers.References!.length).toBeLessThanOrEqual(REFERENCES_MAX_LENGTH);
    expect(resolved!.headers.References!.length).toBeGreaterThan(REFERENCES_MAX_LENGTH - 100);
    expect(references[0]).toBe(earlier[0]);
    // no gap among the latest: they are the last ones, in order
    expect(references.slice(1)).toEqual(ids.slice(ids.length - (references.length - 1)));
    expect(references.at(-1)).toBe(ids.at(-1));
    expect(resolved!.headers['In-Reply-To']).toBe(earlier[0]);
  });

  it('when an event is decided again after its Message-IDs were recorded (a replay), then no email refers to itself', () => {
    const first = emailSpec().given([queryRaised()]).when(threadResolved(20));
    const [resolved] = first.decide().emails;
    // the facts after the event know its own Message-ID, as the table does once it was recorded
    const recorded = first.decide().facts;
    expect(recorded.threadMessageIds.get(threadId)?.ids).toContain(resolved!.headers['Message-ID']);
    const again = decideBatch(recorded, [{ record: first.record, event: threadResolved(20) }]).emails[0]!;
    expect(again.headers['Message-ID']).toBe(resolved!.headers['Message-ID']);
    expect(again.headers.References).not.toContain(resolved!.headers['Message-ID']);
  });
});

describe('email headers: reply addresses', () => {
  it('when a guest is emailed about the thread, then their Reply-To is signed for them and verifies for them only', () => {
    const emails = emailSpec()
      .given([queryRaised(), threadLinkIssued(1, 'gita@guest.test')])
      .when(messagePosted(staff, 'external', 10))
      .decide().emails;
    const guest = emails.find((e) => e.audience === 'guest')!;
    const replyTo = guest.headers['Reply-To']!;
    expect(scenarioReplyAddresses.verifyReplyAddress(replyTo, 'gita@guest.test')).toEqual({ ok: true, threadId });
    expect(scenarioReplyAddresses.verifyReplyAddress(replyTo, partnerAddress)).toMatchObject({ ok: false });
    expect(byTemplate(emails, 'staff_reply').headers['Reply-To']).not.toBe(replyTo); // the partner's is theirs
  });

  it('when no inbound domain is configured, then no email has a Reply-To and the threading is the same', () => {
    const withDomain = emailSpec()
      .given([queryRaised()])
      .when(messagePosted(staff, 'external', 10))
      .decide().emails;
    const without = emailSpec({ replyAddressOf: null })
      .given([queryRaised()])
      .when(messagePosted(staff, 'external', 10))
      .decide().emails;
    for (const [i, email] of without.entries()) {
      expect(email.headers).not.toHaveProperty('Reply-To');
      const { 'Reply-To': _, ...threading } = withDomain[i]!.headers;
      expect(email.headers).toEqual(threading);
    }
  });

  it('when a guest raises a query through an assignment link, then their ack carries their own reply address', () => {
    const { emails } = emailSpec()
      .given([assignmentLinkIssued(7, 'gita@guest.test')])
      .when(queryRaised(guestByLink(7)))
      .decide();
    const ack = byTemplate(emails, 'query_raised_ack');
    expect(scenarioReplyAddresses.verifyReplyAddress(ack.headers['Reply-To']!, 'gita@guest.test')).toEqual({
      ok: true,
      threadId,
    });
  });

  it('when an assignment link is emailed (about no thread), then it has a Message-ID only, and nothing is recorded', () => {
    const { emails, learnt } = emailSpec().given([]).when(assignmentLinkIssued(7, 'gita@guest.test')).decide();
    expect(emails[0]!.headers).toEqual({ 'Message-ID': `<email-${emails[0]!.id}@desk.test>` });
    expect(learnt.messageIds).toBeUndefined();
  });
});

describe('email headers: a batch and the history', () => {
  it('when one batch raises a thread and replies to it, then the reply refers to the emails decided before it in the batch', () => {
    const { emails, learnt } = decideBatch(
      noFacts(),
      [queryRaised(), messagePosted(staff, 'external', 5), threadResolved(9)].map(logged),
    );
    const [support, ack, reply, resolved] = emails;
    expect(reply!.headers['In-Reply-To']).toBe(ownId(support!));
    expect(resolved!.headers.References).toBe([support, ack, reply].map((e) => ownId(e!)).join(' '));
    expect(learnt.messageIds?.map((m) => m.email_id)).toEqual(emails.map((e) => e.id));
  });

  it('when events are history (skipped), then no Message-ID is recorded and the first email sent is the root', () => {
    const spec = emailSpec({ emailsFrom: { commit: 1n, prepare: 1n } }).given([queryRaised()]);
    expect(spec.facts().threadMessageIds.size).toBe(0);
    const [resolved] = spec.when(threadResolved(20)).decide().emails;
    expect(resolved!.headers).toEqual({
      'Message-ID': ownId(resolved!),
      'Reply-To': scenarioReplyAddresses.signReplyAddress(threadId, partnerAddress),
    });
  });
});

describe('threading header parts', () => {
  it('takes the Message-ID domain from the From address', () => {
    expect(messageIdDomain('Support desk <Desk@Example.COM>')).toBe('example.com');
    expect(messageIdDomain('support@desk.test')).toBe('desk.test');
    expect(messageIdDomain('no address')).toBe('support-desk');
  });

  it('keeps References whole when it fits, and the first and latest when it does not', () => {
    expect(referencesOf([])).toBe('');
    expect(referencesOf(['<a@x>', '<b@x>'])).toBe('<a@x> <b@x>');
    expect(referencesOf(['<a@x>', '<b@x>', '<c@x>', '<d@x>'], 17)).toBe('<a@x> <c@x> <d@x>');
  });
});
