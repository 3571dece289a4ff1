import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { formatPosition, type RecordedEvent } from '../../eventstore/port.js';
import type { InboundWorker } from '../../workers/email/inbound/inboundWorker.js';
import { replyAddresses } from '../../workers/email/replyAddress.js';
import { FakeResendServer, type InboundEmail } from '../support/fakeResend/fakeResendServer.js';
import type { FakeResendWebhookSender } from '../support/fakeResend/webhookSender.js';
import { queryAbout, raiseQuery } from '../support/raiseQuery.js';
import { startEmailDesk, TEST_INBOUND_DOMAIN, type EmailDesk } from '../support/emailDesk.js';
import { ok, TEST_GUEST_LINK_SECRET, type ApiClient, type TestDesk } from '../support/testDesk.js';

/**
 * What the inbound worker makes of mail that matches no open thread, and what staff do with the
 * mail it holds: through the real webhook route, the real SDK's `emails.receiving.get` against the
 * fake Resend server, and the real API.
 */

const INBOUND = TEST_INBOUND_DOMAIN;
const DAY = 24 * 3600 * 1000;

interface HeldItem {
  id: string;
  messageId: string;
  reason: string;
  reasonText: string;
  sender: string;
  subject: string;
  snippet: string;
  threadId: string | null;
}

interface LinkedThread {
  threadId: string;
  subject: string;
  status: string;
}

interface ThreadAnswer {
  thread: { threadId: string; status: string; subject: string; assignmentId: string };
  messages: { body: string; visibility: string; author: { kind: string; name: string } }[];
  followUpOf: LinkedThread | null;
  continuedIn: LinkedThread[];
}

describe('queries and follow-ups from email, and held mail for staff', () => {
  let kit: EmailDesk;
  let desk: TestDesk;
  let resend: FakeResendServer;
  let webhooks: FakeResendWebhookSender;
  let admin: ApiClient;
  let agent: ApiClient;
  let partner: ApiClient;
  let auditor: ApiClient;
  let ops: ApiClient;
  let inbound: InboundWorker;
  const fromAddress = () => kit.fromAddress();
  const inboundWorker = (overrides: Record<string, unknown> = {}) => kit.inboundWorker(overrides);

  beforeAll(async () => {
    kit = await startEmailDesk();
    ({ desk, resend, webhooks } = kit);
    [admin, agent, partner, auditor, ops] = await Promise.all([
      desk.signIn('admin@demo.test'),
      desk.signIn('agent@demo.test'),
      desk.signIn('partner@acme.test'),
      desk.signIn('auditor@demo.test'),
      desk.signIn('ops@demo.test'),
    ]);
    inbound = inboundWorker();
  });

  afterEach(() => {
    vi.useRealTimers();
    resend.resetFaults();
  });

  afterAll(async () => {
    await kit?.stop();
  });

  const sentUntil = <T>(found: () => T | undefined): Promise<T> => kit.sentUntil(found);
  /** The mail arrives at Resend; its webhook is delivered to the desk (once unless said). */
  const arrives = (email: InboundEmail, copies = 1) => kit.arrives(email, copies);

  const streamOf = (threadId: string): Promise<RecordedEvent[]> => desk.eventStore.readStream(`thread-${threadId}`);

  async function threadsRaisedFrom(messageId: string): Promise<RecordedEvent[]> {
    const { rows } = await desk.db.pool.query<{ thread_id: string }>(
      `SELECT thread_id::text FROM email_thread_message_ids WHERE message_id = $1 AND direction = 'inbound'`,
      [messageId],
    );
    const streams = await Promise.all(rows.map((r) => streamOf(r.thread_id)));
    return streams.flat().filter((e) => e.type === 'QueryRaised');
  }

  const threadAs = (who: ApiClient, threadId: string, position: string) =>
    ok(who.request<ThreadAnswer>('GET', `/api/support/threads/${threadId}?waitFor=${position}`), 200);

  const heldList = async (who: ApiClient = agent) =>
    ok(who.request<{ open: number; items: HeldItem[] }>('GET', '/api/inbound/held'), 200);

  async function heldOf(messageId: string): Promise<HeldItem> {
    const item = (await heldList()).items.find((i) => i.messageId === messageId);
    if (!item) throw new Error(`${messageId} is not among the held mail`);
    return item;
  }

  it('when a known partner writes with an assignment tag and no thread of that topic, then a query is raised as them, once, however often it is delivered or replayed', async () => {
    const { id, delivery } = await arrives(
      {
        from: 'Pat Partner <partner@acme.test>',
        to: ['support@example.com'],
        subject: 'Fwd: Re: [A-1002] Pallet labels are wrong',
        text: 'The labels on pallets 3 and 4 name the wrong consignee.\n\n-- \nPat',
        messageId: '<new-query-1@acme.test>',
      },
      3,
    );
    expect(await inbound.runOnce()).toMatchObject({ claimed: 1, raised: 1, held: 0 });

    const [raised, ...more] = await threadsRaisedFrom('<new-query-1@acme.test>');
    expect(more).toEqual([]);
    const { rows: accounts } = await desk.db.pool.query<{ id: string }>(
      `SELECT id::text FROM accounts WHERE email = 'partner@acme.test'`,
    );
    expect(raised!.data).toMatchObject({
      assignmentId: 'asg-1002',
      assignmentReference: 'A-1002',
      partnerOrgId: 'acme',
      subject: 'Pallet labels are wrong',
      body: 'The labels on pallets 3 and 4 name the wrong consignee.',
      queryType: 'OTHER',
      priority: 'MEDIUM',
      followUpOf: null,
      by: { kind: 'partner', id: accounts[0]!.id },
    });
    expect(raised!.metadata.inboundEmail).toMatchObject({
      messageId: '<new-query-1@acme.test>',
      matchedBy: 'subject_tag',
      sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
    });

    // the same email sent again under a new delivery id, then the first delivery replayed a day later
    await webhooks.send(webhooks.delivery(resend.receivedEvent(id)), { headers: fromAddress() });
    expect(await inbound.runOnce()).toMatchObject({ claimed: 1, raised: 0, duplicate: 1 });
    vi.useFakeTimers({ toFake: ['Date'], now: new Date() });
    vi.setSystemTime(Date.now() + DAY);
    expect((await webhooks.replay(delivery, { headers: fromAddress() })).answer).toEqual({
      received: true,
      duplicate: true,
    });
    vi.useRealTimers();
    expect(await inbound.runOnce()).toMatchObject({ claimed: 0 });

    // a worker that died after raising, before it recorded anything: run again, nothing more is raised
    await desk.db.pool.query(`DELETE FROM email_thread_message_ids WHERE message_id = '<new-query-1@acme.test>'`);
    await desk.db.pool.query(
      'UPDATE resend_webhook_deliveries SET processed_at = NULL, outcome = NULL WHERE svix_id = $1',
      [delivery.id],
    );
    expect(await inbound.runOnce()).toMatchObject({ claimed: 1, raised: 1 });
    const stream = await streamOf(raised!.data.threadId as string);
    expect(stream.map((e) => e.type)).toEqual(['QueryRaised']);
    // the partner sees it in the portal
    const thread = await threadAs(partner, raised!.data.threadId as string, formatPosition(raised!.position));
    expect(thread.thread).toMatchObject({ subject: 'Pallet labels are wrong', status: 'OPEN' });
  });

  it('when a partner replies by email to a closed thread, then a follow-up linked to it is raised and they are told a new conversation was opened', async () => {
    const closed = await raiseQuery(partner, queryAbout('Seal numbers', 'Which seal numbers were used?'));
    await ok(
      admin.request('POST', `/api/support/threads/${closed.threadId}/messages`, {
        body: 'Seals 1180 and 1181.',
        visibility: 'external',
      }),
    );
    await ok(admin.request('POST', `/api/support/threads/${closed.threadId}/close`, {}), 200);
    const reply = await sentUntil(() =>
      resend.delivered.find(
        (e) => e.to.includes('partner@acme.test') && e.headers['Reply-To']?.includes(closed.threadId),
      ),
    );
    const { delivery } = await arrives({
      from: 'partner@acme.test',
      to: [reply.headers['Reply-To']!],
      subject: 'Re: [A-1001] Seal numbers',
      text: 'One more: seal 1182 was on the second truck.',
      headers: { 'In-Reply-To': reply.headers['Message-ID']!, References: reply.headers['Message-ID']! },
      messageId: '<after-close@acme.test>',
    });
    expect(await inbound.runOnce()).toMatchObject({ claimed: 1, raised: 1, posted: 0 });
    const { rows } = await desk.db.pool.query(
      'SELECT outcome, outcome_reason FROM resend_webhook_deliveries WHERE svix_id = $1',
      [delivery.id],
    );
    expect(rows[0]).toEqual({ outcome: 'raised', outcome_reason: 'follow_up' });

    // the closed thread took nothing
    expect((await streamOf(closed.threadId)).filter((e) => e.type === 'MessagePosted')).toHaveLength(1);
    const [followUp] = await threadsRaisedFrom('<after-close@acme.test>');
    expect(followUp!.data).toMatchObject({
      followUpOf: closed.threadId,
      assignmentId: 'asg-1001',
      subject: 'Seal numbers',
      body: 'One more: seal 1182 was on the second truck.',
    });
    expect(followUp!.metadata.inboundEmail).toMatchObject({ matchedBy: 'reply_address' });
    const followUpId = followUp!.data.threadId as string;

    // both histories show the link, to staff and to the partner
    const position = formatPosition(followUp!.position);
    for (const who of [admin, partner]) {
      const newer = await threadAs(who, followUpId, position);
      expect(newer.followUpOf).toEqual({ threadId: closed.threadId, subject: 'Seal numbers', status: 'CLOSED' });
      const older = await threadAs(who, closed.threadId, position);
      expect(older.continuedIn).toEqual([{ threadId: followUpId, subject: 'Seal numbers', status: 'OPEN' }]);
      expect(older.followUpOf).toBeNull();
    }

    // the sender is told, by email, that their reply opened a new conversation
    const notice = await sentUntil(() =>
      resend.delivered.find((e) => e.to.includes('partner@acme.test') && e.headers['Reply-To']?.includes(followUpId)),
    );
    expect(notice.text).toContain('The conversation you replied to about assignment A-1001 was closed');
    expect(notice.text).toContain('opened a new conversation, linked to the closed one');
    expect(notice.text).toContain('One more: seal 1182 was on the second truck.');
  });

  it('when a guest replies by email to a closed thread, then the mail is held as thread_closed', async () => {
    const closed = await raiseQuery(partner, queryAbout('Gate times', 'When does the gate open?'));
    await ok(
      admin.request('POST', `/api/support/threads/${closed.threadId}/guest-links`, {
        recipientEmail: 'gus@carrier.test',
      }),
    );
    await sentUntil(() => resend.delivered.find((e) => e.to.includes('gus@carrier.test')));
    await ok(admin.request('POST', `/api/support/threads/${closed.threadId}/close`, {}), 200);
    const signed = replyAddresses({ secrets: [TEST_GUEST_LINK_SECRET], domain: INBOUND });
    await arrives({
      from: 'gus@carrier.test',
      to: [signed.signReplyAddress(closed.threadId, 'gus@carrier.test')],
      subject: 'Re: Gate times',
      text: 'We arrive at six.',
      messageId: '<guest-after-close@carrier.test>',
    });
    expect(await inbound.runOnce()).toMatchObject({ claimed: 1, held: 1, raised: 0 });
    expect(await heldOf('<guest-after-close@carrier.test>')).toMatchObject({
      reason: 'thread_closed',
      threadId: closed.threadId,
      sender: 'gus@carrier.test',
    });
  });

  it('when staff assign held mail to a thread, then a participant’s becomes their message and a stranger’s an internal note, once', async () => {
    const open = await raiseQuery(partner, queryAbout('Invoice copy', 'Please send a copy of invoice 77.'));
    await arrives({
      from: 'Someone <someone@elsewhere.test>',
      to: ['support@example.com'],
      subject: 'About invoice 77',
      text: 'I am the accountant; invoice 77 is wrong.',
      html: '<p>I am the accountant; <script>alert(1)</script>invoice 77 is wrong.</p>',
      messageId: '<stranger-1@elsewhere.test>',
    });
    await arrives({
      from: 'partner@acme.test',
      to: ['support@example.com'],
      subject: 'No tag here',
      text: 'Here is the purchase order number: PO-5511.',
      messageId: '<untagged-1@acme.test>',
    });
    expect(await inbound.runOnce()).toMatchObject({ claimed: 2, held: 2 });

    const list = await heldList();
    const stranger = list.items.find((i) => i.messageId === '<stranger-1@elsewhere.test>')!;
    const untagged = list.items.find((i) => i.messageId === '<untagged-1@acme.test>')!;
    expect(list.open).toBeGreaterThanOrEqual(2);
    expect(stranger).toMatchObject({
      reason: 'unknown_sender',
      reasonText: 'Nothing matched, and the sender is nobody the desk knows.',
      sender: 'someone@elsewhere.test',
      subject: 'About invoice 77',
      snippet: 'I am the accountant; invoice 77 is wrong.',
    });
    expect(untagged.reason).toBe('no_assignment');
    // newest first
    const received = list.items.map((i) => (i as HeldItem & { receivedAt: string }).receivedAt);
    expect(received).toEqual([...received].sort().reverse());

    const detail = await ok(
      agent.request<{ reply: string; fullText: string; to: string[] }>('GET', `/api/inbound/held/${stranger.id}`),
      200,
    );
    expect(detail).toMatchObject({ reply: 'I am the accountant; invoice 77 is wrong.', to: ['support@example.com'] });
    expect(JSON.stringify(detail)).not.toContain('<script');
    // also by its Message-ID
    await ok(agent.request('GET', `/api/inbound/held/${encodeURIComponent('<stranger-1@elsewhere.test>')}`), 200);

    // the stranger's words reach the thread as an internal note naming them
    const note = await ok(
      agent.request<{ resolvedAs: string; threadId: string; position: string }>(
        'POST',
        `/api/inbound/held/${stranger.id}/assign`,
        { threadId: open.threadId },
      ),
      200,
    );
    expect(note).toMatchObject({ resolvedAs: 'internal_note', threadId: open.threadId });
    const again = await agent.request<{ code: string; resolution: string }>(
      'POST',
      `/api/inbound/held/${stranger.id}/assign`,
      { threadId: open.threadId },
    );
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ resolution: 'assigned' });

    // the partner's own mail becomes their message
    const own = await ok(
      admin.request<{ resolvedAs: string; position: string }>('POST', `/api/inbound/held/${untagged.id}/assign`, {
        threadId: open.threadId,
      }),
      200,
    );
    expect(own.resolvedAs).toBe('participant_message');

    const posted = (await streamOf(open.threadId)).filter((e) => e.type === 'MessagePosted');
    expect(posted.map((e) => [e.data.visibility, (e.data.by as { kind: string }).kind, e.data.body])).toEqual([
      ['internal', 'staff', 'Email from someone@elsewhere.test:\n\nI am the accountant; invoice 77 is wrong.'],
      ['external', 'partner', 'Here is the purchase order number: PO-5511.'],
    ]);
    expect(posted[0]!.metadata.inboundEmail).toMatchObject({
      messageId: '<stranger-1@elsewhere.test>',
      matchedBy: 'staff',
    });
    // the partner never sees the stranger's note
    const seen = await threadAs(partner, open.threadId, own.position);
    expect(seen.messages.map((m) => m.body)).toEqual([
      'Please send a copy of invoice 77.',
      'Here is the purchase order number: PO-5511.',
    ]);
    // resolved rows leave the open list; who and when are recorded
    const after = await heldList();
    expect(after.items.map((i) => i.messageId)).not.toContain('<stranger-1@elsewhere.test>');
    const { rows } = await desk.db.pool.query(
      `SELECT resolution, resolved_as, resolved_by, resolved_by_name, resolved_at IS NOT NULL AS at
         FROM held_inbound_emails WHERE message_id = '<stranger-1@elsewhere.test>'`,
    );
    expect(rows[0]).toEqual({
      resolution: 'assigned',
      resolved_as: 'internal_note',
      resolved_by: (agent as ApiClient & { accountId: string }).accountId,
      resolved_by_name: 'Alex Agent',
      at: true,
    });
  });

  it('when staff assign held mail to an assignment, then a partner’s raises a query as them and a stranger’s is refused', async () => {
    await arrives({
      from: 'partner@acme.test',
      to: ['support@example.com'],
      subject: 'Re: Container count',
      text: 'We count 12 containers, not 11.',
      messageId: '<untagged-2@acme.test>',
    });
    await arrives({
      from: 'nobody@elsewhere.test',
      to: ['support@example.com'],
      subject: 'Container count',
      text: 'Also 12 here.',
      messageId: '<stranger-2@elsewhere.test>',
    });
    expect(await inbound.runOnce()).toMatchObject({ claimed: 2, held: 2 });
    const partnerMail = await heldOf('<untagged-2@acme.test>');
    const strangerMail = await heldOf('<stranger-2@elsewhere.test>');

    const refused = await agent.request<{ status: number; errors: { path: string }[] }>(
      'POST',
      `/api/inbound/held/${strangerMail.id}/assign`,
      { assignmentId: 'asg-1002' },
    );
    expect(refused.status).toBe(422);
    expect(refused.body.errors.map((e) => e.path)).toEqual(['assignmentId']);
    // another organisation's assignment is refused too
    const foreign = await agent.request('POST', `/api/inbound/held/${partnerMail.id}/assign`, {
      assignmentId: 'asg-2001',
    });
    expect(foreign.status).toBe(422);

    const raised = await ok(
      agent.request<{ resolvedAs: string; threadId: string; position: string }>(
        'POST',
        `/api/inbound/held/${partnerMail.id}/assign`,
        { assignmentId: 'asg-1002' },
      ),
      200,
    );
    expect(raised.resolvedAs).toBe('query_raised');
    const [event, ...rest] = await streamOf(raised.threadId);
    expect(rest).toEqual([]);
    expect(event!.data).toMatchObject({
      assignmentId: 'asg-1002',
      subject: 'Container count',
      body: 'We count 12 containers, not 11.',
      by: { kind: 'partner', name: 'Pat Partner (Acme)' },
    });
    const thread = await threadAs(partner, raised.threadId, raised.position);
    expect(thread.thread.subject).toBe('Container count');
    const again = await agent.request('POST', `/api/inbound/held/${partnerMail.id}/assign`, {
      assignmentId: 'asg-1002',
    });
    expect(again.status).toBe(409);
  });

  it('when staff discard held mail, then it leaves the list with why, and a second discard is refused', async () => {
    await arrives({
      from: 'spam@elsewhere.test',
      to: ['support@example.com'],
      subject: 'Cheap watches',
      text: 'Buy now.',
      messageId: '<spam-1@elsewhere.test>',
    });
    expect(await inbound.runOnce()).toMatchObject({ held: 1 });
    const spam = await heldOf('<spam-1@elsewhere.test>');
    const before = (await heldList()).open;

    const bad = await agent.request<{ errors: { path: string }[] }>('POST', `/api/inbound/held/${spam.id}/discard`, {});
    expect(bad.status).toBe(400);
    expect(bad.headers.get('content-type')).toContain('application/problem+json');
    expect(bad.body.errors.map((e) => e.path)).toEqual(['body.reason']);
    const neither = await agent.request<{ errors: { path: string }[] }>(
      'POST',
      `/api/inbound/held/${spam.id}/assign`,
      {},
    );
    expect(neither.status).toBe(400);
    expect(neither.body.errors.map((e) => e.path).sort()).toEqual(['body.assignmentId', 'body.threadId']);
    const badId = await agent.request<{ errors: { path: string }[] }>('GET', '/api/inbound/held/not-an-id');
    expect(badId.status).toBe(400);
    expect(badId.body.errors.map((e) => e.path)).toEqual(['params.heldId']);

    await ok(agent.request('POST', `/api/inbound/held/${spam.id}/discard`, { reason: 'Advertising' }), 200);
    expect((await heldList()).open).toBe(before - 1);
    const twice = await agent.request('POST', `/api/inbound/held/${spam.id}/discard`, { reason: 'Advertising' });
    expect(twice.status).toBe(409);
    const detail = await ok(
      agent.request<{ resolution: string; discardReason: string; resolvedBy: string }>(
        'GET',
        `/api/inbound/held/${spam.id}`,
      ),
      200,
    );
    expect(detail).toMatchObject({ resolution: 'discarded', discardReason: 'Advertising', resolvedBy: 'Alex Agent' });
    expect((await agent.request('GET', `/api/inbound/held/${'0'.repeat(64)}`)).status).toBe(404);
  });

  it('when a partner, an auditor or ops asks for held mail, then they are refused', async () => {
    const someId = '0'.repeat(64);
    for (const who of [partner, auditor, ops]) {
      expect((await who.request('GET', '/api/inbound/held')).status).toBe(403);
      expect((await who.request('GET', `/api/inbound/held/${someId}`)).status).toBe(403);
      expect((await who.request('POST', `/api/inbound/held/${someId}/discard`, { reason: 'x' })).status).toBe(403);
      expect((await who.request('POST', `/api/inbound/held/${someId}/assign`, { threadId: someId })).status).toBe(403);
    }
    expect((await desk.anonymous.request('GET', '/api/inbound/held')).status).toBe(401);
    expect((await partner.request('GET', '/api/ops/inbound/dead')).status).toBe(403);
    expect((await agent.request('GET', '/api/ops/inbound/dead')).status).toBe(403);
  });

  it('when a dead-lettered inbound delivery is retried by ops, then the worker takes it again and it is processed', async () => {
    const { delivery } = await arrives({
      from: 'partner@acme.test',
      to: ['support@example.com'],
      subject: '[A-1002] Fetch failed first',
      text: 'Can you see this one?',
      messageId: '<dead-then-retried@acme.test>',
    });
    resend.setFaults({ serverErrorRate: 1 });
    expect(await inboundWorker({ EMAIL_MAX_ATTEMPTS: 1 }).runOnce()).toMatchObject({ claimed: 1, dead: 1 });
    resend.resetFaults();
    // dead: the worker leaves it alone
    expect(await inbound.runOnce()).toMatchObject({ claimed: 0 });

    const dead = await ok(
      ops.request<{ dead: number; items: { svixId: string; type: string; attempts: number; lastError: string }[] }>(
        'GET',
        '/api/ops/inbound/dead',
      ),
      200,
    );
    expect(dead.items.find((d) => d.svixId === delivery.id)).toMatchObject({
      type: 'email.received',
      attempts: 1,
      lastError: expect.stringContaining('internal_server_error'),
    });
    expect((await partner.request('POST', `/api/ops/inbound/dead/${delivery.id}/retry`)).status).toBe(403);
    await ok(admin.request('POST', `/api/ops/inbound/dead/${delivery.id}/retry`), 200);
    expect((await ops.request('POST', `/api/ops/inbound/dead/${delivery.id}/retry`)).status).toBe(409);
    expect((await ops.request('POST', '/api/ops/inbound/dead/msg_unknown/retry')).status).toBe(404);

    expect(await inbound.runOnce()).toMatchObject({ claimed: 1, raised: 1 });
    const [raised] = await threadsRaisedFrom('<dead-then-retried@acme.test>');
    expect(raised!.data).toMatchObject({ subject: 'Fetch failed first', assignmentId: 'asg-1002' });
    const after = await ok(ops.request<{ items: { svixId: string }[] }>('GET', '/api/ops/inbound/dead'), 200);
    expect(after.items.map((d) => d.svixId)).not.toContain(delivery.id);
  });
});
