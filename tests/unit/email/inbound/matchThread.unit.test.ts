import { describe, expect, it } from 'vitest';
import {
  matchThread,
  threadIdOfReplyAddress,
  type InboundOutcome,
} from '../../../../workers/email/inbound/matchThread.js';
import {
  acmeAssignment,
  addresses,
  alex,
  chris,
  closedThread,
  desk,
  globexAssignment,
  globexThread,
  matchContext,
  openThread,
  pat,
  receivedAt,
  receivedEmail,
  replyAddress,
  rootId,
  sentId,
  type DeskFacts,
} from './inboundSpec.js';
import type { ReceivedEmail } from '../../../../workers/email/inbound/inboundMessageHeaders.js';

const patAuthor = { kind: 'partner', ...pat } as const;
const when = (email: Partial<ReceivedEmail>, facts: DeskFacts = desk): Promise<InboundOutcome> =>
  matchThread(receivedEmail(email), matchContext(facts));

describe('matchThread: (a) a signed reply address', () => {
  it('given our email to Pat, when Pat replies to its reply address, then the message is posted in that thread', async () => {
    const outcome = await when({ to: [replyAddress(openThread, addresses.pat)] });
    expect(outcome).toEqual({
      kind: 'post',
      threadId: openThread.threadId,
      author: patAuthor,
      matchedBy: 'reply_address',
    });
  });

  it('when the reply address is in Cc with another address in To, then it still decides', async () => {
    const outcome = await when({
      to: ['someone@else.test'],
      cc: [`"Desk" <${replyAddress(openThread, addresses.pat)}>`],
    });
    expect(outcome).toMatchObject({ kind: 'post', threadId: openThread.threadId, matchedBy: 'reply_address' });
  });

  it('when the reply address comes back in another case of its domain, then it still matches', async () => {
    const address = replyAddress(openThread, addresses.pat).replace('inbound.desk.test', 'INBOUND.Desk.Test');
    expect(await when({ to: [address] })).toMatchObject({ kind: 'post', matchedBy: 'reply_address' });
  });

  it('when the signed reply address is of a thread that does not exist, then the mail is held', async () => {
    const facts = { ...desk, threads: desk.threads.filter((t) => t !== openThread) };
    const outcome = await when({ to: [replyAddress(openThread, addresses.pat)] }, facts);
    expect(outcome).toEqual({ kind: 'hold', reason: 'unknown_thread', threadId: openThread.threadId });
  });

  it('when two validly signed reply addresses of different threads are addressed, then the mail is held', async () => {
    const outcome = await when({
      to: [replyAddress(openThread, addresses.pat), replyAddress(closedThread, addresses.pat)],
    });
    expect(outcome).toEqual({ kind: 'hold', reason: 'conflicting_threads', threadId: null });
  });

  it('when the reply address wins over References of another thread, then the reply address decides', async () => {
    const outcome = await when({
      to: [replyAddress(openThread, addresses.pat)],
      headers: { 'In-Reply-To': sentId(closedThread, 1) },
    });
    expect(outcome).toMatchObject({ kind: 'post', threadId: openThread.threadId, matchedBy: 'reply_address' });
  });
});

describe('matchThread: a forged reply address', () => {
  const forged = `reply+${openThread.threadId}.0000000000deadbeef00@inbound.desk.test`;

  it('given a reply address whose signature is wrong, when nothing else leads to the thread, then the mail is held', async () => {
    const outcome = await when({ to: [forged], subject: `Re: [A-1001] ${openThread.subject}` });
    expect(outcome).toEqual({ kind: 'hold', reason: 'forged_reply_address', threadId: openThread.threadId });
  });

  it('when the address was signed for someone else and Gina of another organisation uses it, then it is held', async () => {
    const outcome = await when({ from: addresses.gina, to: [replyAddress(openThread, addresses.pat)] });
    expect(outcome).toEqual({ kind: 'hold', reason: 'forged_reply_address', threadId: openThread.threadId });
  });

  it('when Pat forwarded our email and colleague Chris answers it, with its References, then Chris posts: References carry it', async () => {
    const outcome = await when({
      from: `Chris <${addresses.chris}>`,
      to: [replyAddress(openThread, addresses.pat)],
      headers: { References: `${rootId(openThread)} ${sentId(openThread, 2)}` },
    });
    expect(outcome).toEqual({
      kind: 'post',
      threadId: openThread.threadId,
      author: { kind: 'partner', ...chris },
      matchedBy: 'references',
    });
  });

  it('when the forged address names one thread and the References another, then the mail is held', async () => {
    const outcome = await when({ to: [forged], headers: { References: sentId(closedThread, 1) } });
    expect(outcome).toEqual({ kind: 'hold', reason: 'conflicting_threads', threadId: openThread.threadId });
  });

  it('when the forged address cannot even be read, then References may still carry a participant in', async () => {
    const outcome = await when({
      to: ['reply+nonsense@inbound.desk.test'],
      headers: { 'In-Reply-To': sentId(openThread, 1) },
    });
    expect(outcome).toMatchObject({ kind: 'post', threadId: openThread.threadId, matchedBy: 'references' });
  });

  it('when the References name an unknown mail, then a forged address is held rather than matched by its subject tag', async () => {
    const outcome = await when({
      to: [forged],
      subject: `Re: [A-1001] ${openThread.subject}`,
      headers: { References: '<unknown@elsewhere.test>' },
    });
    expect(outcome).toMatchObject({ kind: 'hold', reason: 'forged_reply_address' });
  });

  it('reads the thread id of a reply address, and nothing of one without the shape', () => {
    expect(threadIdOfReplyAddress(`reply+${openThread.threadId}.abc`)).toBe(openThread.threadId);
    expect(threadIdOfReplyAddress(`REPLY+${openThread.threadId.toUpperCase()}.abc`)).toBe(openThread.threadId);
    expect(threadIdOfReplyAddress('reply+abc.def')).toBeNull();
    expect(threadIdOfReplyAddress(`reply+${openThread.threadId}`)).toBeNull();
  });
});

describe('matchThread: (b) References and In-Reply-To', () => {
  it('given a client that set In-Reply-To to a mail we never saw, when References holds our Message-ID, then the reply lands in the thread', async () => {
    const outcome = await when({
      headers: {
        'In-Reply-To': '<forwarded-copy@mail.acme.test>',
        References: `${rootId(openThread)}\r\n <forwarded-copy@mail.acme.test>`,
      },
    });
    expect(outcome).toEqual({
      kind: 'post',
      threadId: openThread.threadId,
      author: patAuthor,
      matchedBy: 'references',
    });
  });

  it('when there is no In-Reply-To at all, then References alone match', async () => {
    const outcome = await when({ headers: { references: `<a@x.test> ${sentId(openThread, 1)} <b@x.test>` } });
    expect(outcome).toMatchObject({ kind: 'post', threadId: openThread.threadId, matchedBy: 'references' });
  });

  it('when References name two threads, then the nearest ancestor (the latest) decides', async () => {
    const outcome = await when({ headers: { References: `${rootId(globexThread)} ${sentId(openThread, 2)}` } });
    expect(outcome).toMatchObject({ kind: 'post', threadId: openThread.threadId });
  });

  it('when the References match a thread of another organisation, then Pat is not let in: held', async () => {
    const outcome = await when({ headers: { 'In-Reply-To': sentId(globexThread, 1) } });
    expect(outcome).toEqual({ kind: 'hold', reason: 'not_a_participant', threadId: globexThread.threadId });
  });

  it('when References are very long, then the root is still looked up along with the latest ones', async () => {
    const others = Array.from({ length: 150 }, (_, i) => `<m${i}@mail.acme.test>`).join('\r\n ');
    const outcome = await when({ headers: { References: `${rootId(openThread)}\r\n ${others}` } });
    expect(outcome).toMatchObject({ kind: 'post', threadId: openThread.threadId, matchedBy: 'references' });
  });

  it('when the Message-ID matched is one we received for the thread (a partner message), then it matches too', async () => {
    const facts = {
      ...desk,
      messageIds: [...desk.messageIds, ['<CAF999@mail.acme.test>', openThread.threadId] as [string, string]],
    };
    const outcome = await when({ headers: { 'In-Reply-To': 'CAF999@mail.acme.test' } }, facts);
    expect(outcome).toMatchObject({ kind: 'post', threadId: openThread.threadId, matchedBy: 'references' });
  });
});

describe('matchThread: (c) the subject tag', () => {
  it('given no headers to go by, when Pat writes "AW: [A-1001] <the thread subject>", then it lands in that thread', async () => {
    const outcome = await when({ subject: `AW: Re: [A-1001] ${openThread.subject}` });
    expect(outcome).toEqual({
      kind: 'post',
      threadId: openThread.threadId,
      author: patAuthor,
      matchedBy: 'subject_tag',
    });
  });

  it('when Pat writes a new topic with the tag of an assignment of Acme, then a query is raised on it', async () => {
    const outcome = await when({ subject: '[A-1001] Another question' });
    expect(outcome).toEqual({ kind: 'raise', assignment: acmeAssignment, author: patAuthor });
  });

  it("when Pat's subject carries the tag of another customer's assignment, then the mail is held, never posted there", async () => {
    const outcome = await when({ subject: `Re: [A-2002] ${globexThread.subject}` });
    expect(outcome).toEqual({ kind: 'hold', reason: 'tag_of_another_organisation', threadId: null });
    expect(globexAssignment.partnerOrgId).not.toBe(pat.partnerOrgId);
  });

  it('when the subject tags two assignments, then the mail is held', async () => {
    expect(await when({ subject: '[A-1001] [A-2002] both' })).toMatchObject({
      kind: 'hold',
      reason: 'ambiguous_subject_tag',
    });
  });
});

describe('matchThread: who may write', () => {
  const guestLink = {
    linkId: 'link-1',
    threadId: openThread.threadId,
    recipient: 'gita@guest.test',
    name: 'Gita Guest',
    expiresAt: '2026-12-31T00:00:00.000Z',
    revoked: false,
  };

  it("given a guest link emailed to Gita, when Gita replies, then Gita posts as the link's guest", async () => {
    const facts = { ...desk, guestLinks: [guestLink] };
    const outcome = await when(
      { from: 'Gita <Gita@Guest.test>', headers: { 'In-Reply-To': sentId(openThread, 1) } },
      facts,
    );
    expect(outcome).toEqual({
      kind: 'post',
      threadId: openThread.threadId,
      author: { kind: 'guest', linkId: 'link-1', name: 'Gita Guest' },
      matchedBy: 'references',
    });
  });

  it("when Gita's link was revoked, or had expired when the mail arrived, then the mail is held", async () => {
    for (const link of [
      { ...guestLink, revoked: true },
      { ...guestLink, expiresAt: receivedAt },
    ]) {
      const outcome = await when(
        { from: 'gita@guest.test', headers: { 'In-Reply-To': sentId(openThread, 1) } },
        { ...desk, guestLinks: [link] },
      );
      expect(outcome).toEqual({ kind: 'hold', reason: 'not_a_participant', threadId: openThread.threadId });
    }
  });

  it('when a stranger replies with our References, then the mail is held', async () => {
    const outcome = await when({ from: 'mallory@evil.test', headers: { References: rootId(openThread) } });
    expect(outcome).toEqual({ kind: 'hold', reason: 'not_a_participant', threadId: openThread.threadId });
  });

  it('when nothing matches and the sender is unknown, then the mail is held', async () => {
    expect(await when({ from: 'mallory@evil.test', subject: '[A-1001] hi' })).toEqual({
      kind: 'hold',
      reason: 'unknown_sender',
      threadId: null,
    });
  });

  it('when nothing matches and a known partner names no assignment, then the mail is held', async () => {
    expect(await when({ subject: 'A question' })).toEqual({ kind: 'hold', reason: 'no_assignment', threadId: null });
    expect(await when({ subject: '[A-9999] unknown' })).toEqual({
      kind: 'hold',
      reason: 'no_assignment',
      threadId: null,
    });
  });

  it('when From cannot be read, then the mail is held', async () => {
    expect(await when({ from: 'undisclosed-recipients:;' })).toEqual({
      kind: 'hold',
      reason: 'no_sender',
      threadId: null,
    });
  });
});

describe('matchThread: a closed thread', () => {
  it('given a closed thread, when Pat replies to it, then a new thread follows it up (and Pat is told): no message in the closed one', async () => {
    const outcome = await when({ to: [replyAddress(closedThread, addresses.pat)] });
    expect(outcome).toEqual({
      kind: 'followUp',
      closedThreadId: closedThread.threadId,
      assignment: acmeAssignment,
      author: patAuthor,
      matchedBy: 'reply_address',
    });
  });

  it('when a stranger replies to a closed thread, then the mail is held, not followed up', async () => {
    const outcome = await when({ from: 'mallory@evil.test', headers: { 'In-Reply-To': sentId(closedThread, 1) } });
    expect(outcome).toEqual({ kind: 'hold', reason: 'not_a_participant', threadId: closedThread.threadId });
  });

  it('when the subject tag and topic name both a closed and an open thread, then the open one is taken', async () => {
    const reopened = { ...openThread, threadId: '44444444-4444-4444-8444-444444444444', subject: closedThread.subject };
    const outcome = await when(
      { subject: `Re: [A-1001] ${closedThread.subject}` },
      { ...desk, threads: [closedThread, reopened] },
    );
    expect(outcome).toMatchObject({ kind: 'post', threadId: reopened.threadId, matchedBy: 'subject_tag' });
  });
});

describe('matchThread: noise first', () => {
  it('given a signed reply address, when the mail is an auto-reply, then it is ignored, never posted', async () => {
    const outcome = await when({
      to: [replyAddress(openThread, addresses.pat)],
      headers: { 'Auto-Submitted': 'auto-replied' },
    });
    expect(outcome).toEqual({ kind: 'ignore', reason: 'auto_submitted' });
  });
});

describe('matchThread: an agent answers the email that told them a partner wrote', () => {
  const alexAuthor = { kind: 'staff', ...alex } as const;
  /** Alex's reply to the notification: its reply address signed for Alex, its References ours. */
  const alexReplies = (email: Partial<ReceivedEmail> = {}) =>
    when({
      from: `Alex Agent <${addresses.alex}>`,
      to: [replyAddress(openThread, addresses.alex)],
      subject: 'Re: [A-1001] Missing delivery note',
      headers: { 'In-Reply-To': sentId(openThread, 2), References: `${rootId(openThread)} ${sentId(openThread, 2)}` },
      ...email,
    });

  it('given the reply address signed for Alex, when Alex replies from that address, then it is posted as Alex, staff', async () => {
    expect(await alexReplies()).toEqual({
      kind: 'post',
      threadId: openThread.threadId,
      author: alexAuthor,
      matchedBy: 'reply_address',
    });
  });

  it("when Alex replies through a partner's reply address (signed for Pat), then it is held as unsigned", async () => {
    expect(await alexReplies({ to: [replyAddress(openThread, addresses.pat)] })).toEqual({
      kind: 'hold',
      reason: 'staff_reply_unsigned',
      threadId: openThread.threadId,
    });
  });

  it('when Alex writes with our References only (no reply address), then it is held as unsigned, naming the thread', async () => {
    expect(await alexReplies({ to: ['support@desk.test'] })).toEqual({
      kind: 'hold',
      reason: 'staff_reply_unsigned',
      threadId: openThread.threadId,
    });
  });

  it("when Alex writes with only the thread's subject tag, then it is held: a staff reply never comes in by the subject", async () => {
    expect(await alexReplies({ to: ['support@desk.test'], headers: {} })).toEqual({
      kind: 'hold',
      reason: 'staff_reply_unsigned',
      threadId: null,
    });
  });

  it("when someone else sends Alex's reply address (from another address), then it does not verify for them: held", async () => {
    const fromElsewhere = await alexReplies({ from: 'Alex at home <alex@home.test>', headers: {} });
    expect(fromElsewhere).toEqual({ kind: 'hold', reason: 'forged_reply_address', threadId: openThread.threadId });
    // a partner of the thread who got hold of it and quotes the thread's mail is their own partner message, never Alex's
    const fromPat = await alexReplies({ from: addresses.pat });
    expect(fromPat).toMatchObject({ kind: 'post', author: { kind: 'partner', accountId: pat.accountId } });
  });

  it("when Alex's address is no enabled staff account (disabled, or never one), then the mail is held like a stranger's", async () => {
    const outcome = await when(
      {
        from: addresses.alex,
        to: [replyAddress(openThread, addresses.alex)],
        headers: { References: sentId(openThread, 2) },
      },
      { ...desk, staff: [] },
    );
    expect(outcome).toEqual({ kind: 'hold', reason: 'not_a_participant', threadId: openThread.threadId });
  });

  it("when Alex's out-of-office answers the notification, then it is ignored: an agent's auto-reply never loops", async () => {
    expect(
      await alexReplies({ headers: { 'Auto-Submitted': 'auto-replied', References: sentId(openThread, 2) } }),
    ).toEqual({
      kind: 'ignore',
      reason: 'auto_submitted',
    });
    expect(await alexReplies({ headers: { 'X-Autoreply': 'yes' } })).toMatchObject({ kind: 'ignore' });
  });

  it('when the signed reply address names a thread that does not exist, then it is held', async () => {
    const facts = { ...desk, threads: desk.threads.filter((t) => t !== openThread) };
    expect(await when({ from: addresses.alex, to: [replyAddress(openThread, addresses.alex)] }, facts)).toEqual({
      kind: 'hold',
      reason: 'unknown_thread',
      threadId: openThread.threadId,
    });
  });
});
