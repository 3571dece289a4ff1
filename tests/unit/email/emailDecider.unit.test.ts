import { describe, expect, it } from 'vitest';
import type { Author } from '../../../domain/index.js';
import { decideBatch, mailedEventTypes, partnersToEmail, staffToEmail } from '../../../workers/email/emailDecider.js';
import { emailIdFor } from '../../../workers/email/outboxRows.js';
import {
  agent,
  agentAddress,
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
  threadAssigned,
  threadLinkIssued,
  threadResolved,
  toAgent,
  inboundDomain,
  scenarioReplyAddresses,
  supportAddress,
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

  it("when a partner's reply by email to a closed thread raised its follow-up, then the acknowledgement says a new conversation was opened", () => {
    const raised = queryRaised(partner, 0, threadId);
    const followUp = { ...raised, data: { ...raised.data, followUpOf: otherThreadId } };
    const [, ack] = emailSpec()
      .given([])
      .when(followUp)
      .thenEmails([toSupport('query_raised_support'), toPartner('query_raised_ack')]);
    expect(ack!.text).toContain('The conversation you replied to about assignment A-1042 was closed');
    expect(ack!.text).toContain('opened a new conversation, linked to the closed one');
    // a query of its own keeps its plain thanks
    const [, plain] = emailSpec()
      .given([])
      .when(queryRaised(partner))
      .thenEmails([toSupport('query_raised_support'), toPartner('query_raised_ack')]);
    expect(plain!.text).toContain('we received your query about assignment A-1042');
    expect(plain!.text).not.toContain('was closed');
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

  it('when staff add an internal note, then nobody is emailed', () => {
    emailSpec()
      .given([queryRaised()])
      .when(messagePosted(staff, 'internal', 10))
      .thenNoEmail();
  });

  it('when the partner writes, then no partner or guest is emailed: only staff are told (partner_wrote)', () => {
    emailSpec()
      .given([queryRaised(), threadLinkIssued(1, 'gita@guest.test')])
      .when(messagePosted(partner, 'external', 10))
      .thenEmails([toSupport('partner_wrote')]);
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

describe('decideEmails: agents are told when a partner or guest writes', () => {
  const assigned = [queryRaised(), threadAssigned(agent, 1)];

  it('when a partner writes in a thread assigned to an agent, then that agent is emailed what the partner wrote, and nobody else', () => {
    const when = emailSpec()
      .given(assigned)
      .when(messagePosted(partner, 'external', 5));
    const [email] = when.thenEmails([toAgent('partner_wrote')]);
    expect(email!.id).toBe(emailIdFor(when.record.id, 'partner_wrote', agentAddress));
    expect(email!.message_id).toBe(messagePosted(partner, 'external', 5).data.messageId);
    expect(email!.subject).toBe('Re: [A-1042] Missing delivery note');
    expect(email!.text).toContain('Pat Partner wrote:\n> message at 5');
    expect(email!.text).toContain('assigned to you');
    expect(email!.text).toContain('https://desk.test/admin/support?thread=');
  });

  it('when an agent is emailed, then it carries a reply address signed for their own address, its own Message-ID, and threads with the thread', () => {
    const [email] = emailSpec()
      .given(assigned)
      .when(messagePosted(partner, 'external', 5))
      .thenEmails([toAgent('partner_wrote')]);
    const replyTo = email!.headers['Reply-To']!;
    expect(replyTo).toMatch(new RegExp(`^reply\\+${threadId}\\.[a-z2-7]{20}@${inboundDomain.replace(/\./g, '\\.')}$`));
    expect(scenarioReplyAddresses.verifyReplyAddress(replyTo, agentAddress)).toEqual({ ok: true, threadId });
    expect(scenarioReplyAddresses.verifyReplyAddress(replyTo, partnerAddress).ok).toBe(false);
    expect(email!.headers['Message-ID']).toBe(`<thread-${threadId}.${email!.id}@desk.test>`);
    expect(email!.headers['In-Reply-To']).toBeDefined(); // the thread's root: the query's emails
  });

  it("when an agent is emailed, then its Message-ID is learnt as the thread's outbound id", () => {
    const { emails, learnt } = emailSpec()
      .given(assigned)
      .when(messagePosted(partner, 'external', 5))
      .decide();
    expect(learnt.messageIds).toEqual([
      expect.objectContaining({
        thread_id: threadId,
        message_id: emails[0]!.headers['Message-ID'],
        direction: 'outbound',
      }),
    ]);
  });

  it('when a guest of the thread writes, then the assignee is told that the guest wrote', () => {
    const guest: Author = { kind: 'guest', id: linkId(3), name: 'gita@guest.test' };
    const [email] = emailSpec()
      .given([...assigned, threadLinkIssued(3, 'gita@guest.test')])
      .when({ ...messagePosted(guest, 'external', 5) })
      .thenEmails([toAgent('partner_wrote')]);
    expect(email!.text).toContain('gita@guest.test (guest) wrote:');
  });

  it('when the agent turned these emails off, then nobody is emailed (the support address not in their place)', () => {
    emailSpec({ staffRecipients: new Map([[agent.id, { email: agentAddress, notify: false }]]) })
      .given(assigned)
      .when(messagePosted(partner, 'external', 5))
      .thenNoEmail();
  });

  it('when nobody is assigned, then the support address is told, with no reply address (only agents answer by email)', () => {
    const [email] = emailSpec()
      .given([queryRaised()])
      .when(messagePosted(partner, 'external', 5))
      .thenEmails([toSupport('partner_wrote')]);
    expect(email!.headers['Reply-To']).toBeUndefined();
    expect(email!.text).toContain('which nobody is assigned');
    expect(email!.text).not.toContain('Reply to this email');
  });

  it('when nobody is assigned and the system config turned team emails off, then nobody is emailed', () => {
    emailSpec()
      .given([systemConfigUpdated(supportAddress, 'https://desk.test', false), queryRaised()])
      .when(messagePosted(partner, 'external', 5))
      .thenNoEmail();
    // the switch, as learnt from the event, is kept for later batches
    const { learnt } = emailSpec()
      .given([])
      .when(systemConfigUpdated(supportAddress, 'https://desk.test', false))
      .decide();
    expect(learnt.notifyTeamOfUnassigned).toBe(false);
  });

  it('when the thread was unassigned again, then the support address is told instead of the former assignee', () => {
    emailSpec()
      .given([...assigned, threadAssigned(null, 3)])
      .when(messagePosted(partner, 'external', 5))
      .thenEmails([toSupport('partner_wrote')]);
  });

  it('when the assignee is no enabled admin or agent any more, then the thread counts as unassigned', () => {
    emailSpec({ staffRecipients: new Map() })
      .given(assigned)
      .when(messagePosted(partner, 'external', 5))
      .thenEmails([toSupport('partner_wrote')]);
  });

  it("when staff write (a reply, a note), then no staff member is told: an agent's own message never emails themselves", () => {
    emailSpec()
      .given(assigned)
      .when(messagePosted(agent, 'external', 5))
      .thenEmails([toPartner('staff_reply')]);
    emailSpec()
      .given(assigned)
      .when(messagePosted(agent, 'internal', 5))
      .thenNoEmail();
    emailSpec()
      .given(assigned)
      .when(messagePosted(staff, 'internal', 5))
      .thenNoEmail();
  });

  it('when a query is raised, then the support address gets query_raised_support once and no partner_wrote', () => {
    emailSpec()
      .given([])
      .when(queryRaised())
      .thenEmails([toSupport('query_raised_support'), toPartner('query_raised_ack')]);
  });

  it('when the same message is decided again (a replay or a rebuild), then the emails have the same ids', () => {
    const spec = emailSpec()
      .given(assigned)
      .when(messagePosted(partner, 'external', 5));
    expect(spec.decide().emails.map((e) => e.id)).toEqual(spec.decide().emails.map((e) => e.id));
  });

  it('when a thread is assigned, then the assignee is learnt (and nobody emailed); a thread never seen raised teaches nothing', () => {
    expect(mailedEventTypes.has('ThreadAssigned')).toBe(true);
    const { learnt, facts } = emailSpec().given([queryRaised()]).when(threadAssigned(agent, 1)).thenNoEmail();
    expect(learnt.assignees).toEqual([{ thread_id: threadId, assignee_id: agent.id }]);
    expect(facts.threads.get(threadId)?.assignee_id).toBe(agent.id);
    expect(emailSpec().given([]).when(threadAssigned(agent, 1)).thenNoEmail().learnt).toEqual({
      threads: [],
      links: [],
    });
  });

  it('when a batch raises, assigns twice and a partner writes, then the last assignee is learnt and emailed, and looked up', () => {
    const other: Author = { kind: 'staff', id: '11111111-2222-4333-8444-555555555555', name: 'Olga Other' };
    const events = [
      queryRaised(),
      threadAssigned(other, 1),
      threadAssigned(agent, 2),
      messagePosted(partner, 'external', 5),
    ];
    const { emails, learnt } = decideBatch(noFacts(), events.map(logged));
    expect(learnt.assignees).toEqual([{ thread_id: threadId, assignee_id: agent.id }]);
    expect(emails.map((e) => [e.template, e.recipient])).toEqual([
      ['query_raised_support', supportAddress],
      ['query_raised_ack', partnerAddress],
      ['partner_wrote', agentAddress],
    ]);
    expect([...staffToEmail(new Map(), events.map(logged))]).toEqual([agent.id]);
    const known = emailSpec().given(assigned).facts().threads;
    expect([...staffToEmail(known, [logged(messagePosted(partner, 'external', 5), 5)])]).toEqual([agent.id]);
    expect([...staffToEmail(known, [logged(messagePosted(agent, 'external', 5), 5)])]).toEqual([]);
  });
});
