import { describe, expect, it } from 'vitest';
import type { Author } from '../../../domain/index.js';
import { decideBatch, partnersToEmail } from '../../../workers/email/emailDecider.js';
import { emailIdFor } from '../../../workers/email/outboxRows.js';
import {
  assignmentLinkIssued,
  emailSpec,
  guestLinkRevoked,
  iso,
  linkId,
  logged,
  messagePosted,
  noFacts,
  otherThreadId,
  partner,
  partnerAddress,
  queryRaised,
  staff,
  systemConfigUpdated,
  toGuest,
  toPartner,
  toSupport,
  threadId,
  threadLinkIssued,
  threadResolved,
} from './emailSpec.js';

const guestByLink = (n: number): Author => ({ kind: 'guest', id: linkId(n), name: 'Gita Guest' });

describe('decideEmails: a query raised', () => {
  it('when a partner raises a query, then support is notified and the partner acknowledged, and the thread is learnt', () => {
    const when = emailSpec().given([]).when(queryRaised(partner));
    const emails = when.thenEmails([toSupport('query_raised_support'), toPartner('query_raised_ack')]);
    for (const email of emails) {
      expect(email.id).toBe(emailIdFor(when.record.id, email.template, email.recipient));
      expect(email).toMatchObject({ event_id: when.record.id, message_id: queryRaised().data.messageId });
      expect(email.sender).toBe('Support desk <desk@desk.test>');
    }
    expect(emails[0]!.subject).toBe('New query [A-1042] Missing delivery note');
    expect(when.decide().learnt.threads.map((t) => [t.thread_id, t.raised_by_kind, t.raised_by_id])).toEqual([
      [threadId, 'partner', partner.id],
    ]);
  });

  it('when the partner has no address (unknown or disabled account), then only support is notified', () => {
    emailSpec({ partnerEmails: new Map() })
      .given([])
      .when(queryRaised(partner))
      .thenEmails([toSupport('query_raised_support')]);
  });

  it('when the same thread is raised again (a replayed event), then nobody is emailed and nothing is learnt', () => {
    const { learnt } = emailSpec().given([queryRaised()]).when(queryRaised(partner, 5)).thenNoEmail();
    expect(learnt).toEqual({ threads: [], links: [] });
  });

  it('when the support address was changed in the system config, then a new query notifies the new address', () => {
    const when = emailSpec()
      .given([systemConfigUpdated('help@desk.test')])
      .when(queryRaised());
    expect(when.decide().emails.map((e) => e.recipient)).toEqual(['help@desk.test', partnerAddress]);
  });

  it('when the system config changes, then the new settings are learnt and nobody is emailed', () => {
    const { learnt, facts } = emailSpec()
      .given([])
      .when(systemConfigUpdated('help@desk.test', 'https://portal.test'))
      .thenNoEmail();
    const settings = { supportEmail: 'help@desk.test', portalBaseUrl: 'https://portal.test' };
    expect(learnt.settings).toEqual(settings);
    expect(facts.settings).toEqual(settings);
  });

  it('when a guest raises a query with an assignment link, then the guest is acknowledged through that link', () => {
    emailSpec()
      .given([assignmentLinkIssued(7, 'gita@guest.test')])
      .when(queryRaised(guestByLink(7)))
      .thenEmails([toSupport('query_raised_support'), toGuest('query_raised_ack', 'gita@guest.test', 7)]);
  });
});

describe('decideEmails: replies and resolutions', () => {
  it('when staff reply externally, then the partner and every working thread guest get it; revoked and expired links do not', () => {
    emailSpec()
      .given([
        queryRaised(),
        threadLinkIssued(1, 'live@guest.test'),
        threadLinkIssued(2, 'revoked@guest.test'),
        guestLinkRevoked(2, 3),
        threadLinkIssued(3, 'expiring@guest.test', { expiresAtMinute: 5 }),
      ])
      .when(messagePosted(staff, 'external', 10))
      .thenEmails([toPartner('staff_reply'), toGuest('staff_reply', 'live@guest.test', 1)]);
  });

  it('when a guest holds several links, then one email goes out, with the link that works longest', () => {
    emailSpec()
      .given([
        queryRaised(),
        threadLinkIssued(1, 'gita@guest.test', { expiresAtMinute: 100 }),
        threadLinkIssued(2, 'Gita@Guest.test', { expiresAtMinute: 200 }),
      ])
      .when(messagePosted(staff, 'external', 10))
      .thenEmails([toPartner('staff_reply'), toGuest('staff_reply', 'Gita@Guest.test', 2)]);
  });

  it('when a guest email is written, then it stores a preview without the token, and what to render it from when sent', () => {
    const [guest] = emailSpec()
      .given([queryRaised(), threadLinkIssued(1, 'gita@guest.test')])
      .when(messagePosted(staff, 'external', 10))
      .decide()
      .emails.filter((e) => e.audience === 'guest');
    expect(guest!.text).toContain('https://desk.test/t/…');
    expect(guest!.guest_render).toMatchObject({
      content: { template: 'staff_reply', messageId: messagePosted(staff, 'external', 10).data.messageId },
      settings: { portalBaseUrl: 'https://desk.test' },
    });
  });

  it.each<[string, Author, 'external' | 'internal']>([
    ['staff add an internal note', staff, 'internal'],
    ['the partner writes', partner, 'external'],
  ])('when %s, then nobody is emailed', (_, author, visibility) => {
    emailSpec()
      .given([queryRaised()])
      .when(messagePosted(author, visibility, 10))
      .thenNoEmail();
  });

  it('when staff reply on a thread this worker never saw raised, then nobody is emailed', () => {
    emailSpec()
      .given([])
      .when(messagePosted(staff, 'external', 10))
      .thenNoEmail();
  });

  it('when the thread is resolved, then the partner is told, under an id that follows from the event', () => {
    const when = emailSpec().given([queryRaised()]).when(threadResolved(20));
    const [email] = when.thenEmails([toPartner('thread_resolved')]);
    expect(email!.message_id).toBeNull();
    expect(email!.id).toBe(emailIdFor(when.record.id, 'thread_resolved', partnerAddress));
  });

  it('when a guest raised the thread and their link was revoked, then the resolution emails nobody', () => {
    emailSpec()
      .given([assignmentLinkIssued(7, 'gita@guest.test'), queryRaised(guestByLink(7)), guestLinkRevoked(7, 10)])
      .when(threadResolved(20))
      .thenNoEmail();
  });
});

describe('decideEmails: guest links', () => {
  it('when a thread link is issued to an address, then that address gets the link, once, and the link is learnt', () => {
    const when = emailSpec().given([queryRaised()]).when(threadLinkIssued(1, 'gita@guest.test'));
    when.thenEmails([toGuest('guest_link_issued', 'gita@guest.test', 1)]);
    expect(when.decide().learnt.links.map((l) => [l.link_id, l.recipient_email, l.revoked_at])).toEqual([
      [linkId(1), 'gita@guest.test', null],
    ]);
  });

  it('when an assignment link is issued, then its email names the assignment by its reference and no thread', () => {
    const [email] = emailSpec({ assignmentReferences: new Map([['asg-1042', 'A-1042']]) })
      .given([])
      .when(assignmentLinkIssued(7, 'gita@guest.test'))
      .thenEmails([toGuest('guest_link_issued', 'gita@guest.test', 7, null)]);
    expect(email!.guest_render?.content).toMatchObject({ about: { kind: 'assignment', reference: 'A-1042' } });
  });

  it.each([
    ['has no recipient', threadLinkIssued(1, null)],
    ['has no seed (a random token nothing can rebuild)', threadLinkIssued(1, 'gita@guest.test', { seeded: false })],
    ['opens a thread this worker never saw raised', threadLinkIssued(1, 'gita@guest.test', { thread: otherThreadId })],
  ])('when a link %s, then nobody is emailed but the link is learnt', (_, issued) => {
    const { learnt, facts } = emailSpec().given([queryRaised()]).when(issued).thenNoEmail();
    expect(learnt.links.map((l) => l.link_id)).toEqual([linkId(1)]);
    expect(facts.links.has(linkId(1))).toBe(true);
  });

  it('when a link is revoked, then it is learnt as revoked; revoked again, nothing changes', () => {
    const spec = emailSpec().given([queryRaised(), threadLinkIssued(1, 'gita@guest.test')]);
    expect(spec.when(guestLinkRevoked(1, 5)).thenNoEmail().learnt.links).toMatchObject([
      { link_id: linkId(1), revoked_at: iso(5) },
    ]);
    const again = emailSpec().given([queryRaised(), threadLinkIssued(1, 'gita@guest.test'), guestLinkRevoked(1, 5)]);
    expect(again.when(guestLinkRevoked(1, 9)).thenNoEmail().learnt).toEqual({ threads: [], links: [] });
  });
});

describe('decideEmails: history', () => {
  it('when an event is at or before where emails start (history skipped), then it teaches its facts and sends nothing', () => {
    const { learnt } = emailSpec({ emailsFrom: { commit: 1n, prepare: 1n } })
      .given([])
      .when(queryRaised())
      .thenNoEmail();
    expect(learnt.threads.map((t) => t.thread_id)).toEqual([threadId]);
  });

  it('when an event comes after the history, then the facts the history taught serve its emails', () => {
    emailSpec({ emailsFrom: { commit: 1n, prepare: 1n } })
      .given([queryRaised()])
      .when(threadResolved(20))
      .thenEmails([toPartner('thread_resolved')]);
  });
});

describe('decideBatch and partnersToEmail', () => {
  it('when a batch issues and revokes a link and raises a thread, then each is learnt once, as it ended', () => {
    const events = [queryRaised(), threadLinkIssued(1, 'gita@guest.test'), guestLinkRevoked(1, 5), threadResolved(6)];
    const { emails, learnt } = decideBatch(noFacts(), events.map(logged));
    expect(learnt.threads.map((t) => t.thread_id)).toEqual([threadId]);
    expect(learnt.links).toMatchObject([{ link_id: linkId(1), revoked_at: iso(5) }]);
    expect(emails.map((e) => e.template)).toEqual([
      'query_raised_support',
      'query_raised_ack',
      'guest_link_issued',
      'thread_resolved',
    ]);
  });

  it('when a batch raises a thread and replies to it, then its partner is the one account to look up; notes need none', () => {
    const raised = [queryRaised(), messagePosted(staff, 'external', 5)].map(logged);
    expect([...partnersToEmail(new Map(), raised)]).toEqual([partner.id]);
    const onlyNotes = [messagePosted(staff, 'internal', 5), messagePosted(partner, 'external', 6)].map(logged);
    const known = emailSpec().given([queryRaised()]).facts().threads;
    expect([...partnersToEmail(known, onlyNotes)]).toEqual([]);
    expect([...partnersToEmail(known, [logged(threadResolved(9), 9)])]).toEqual([partner.id]);
  });
});
