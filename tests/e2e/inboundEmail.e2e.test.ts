import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { formatPosition, type RecordedEvent } from '../../eventstore/port.js';
import type { EmailWorker } from '../../workers/email/emailWorker.js';
import { inboundDeliveryStats, type InboundWorker } from '../../workers/email/inbound/inboundWorker.js';
import { pendingWebhookDeliveries } from '../../workers/email/inbound/resendWebhookDeliveries.js';
import { replyAddresses } from '../../workers/email/replyAddress.js';
import { FakeResendServer, type InboundEmail } from '../support/fakeResend/fakeResendServer.js';
import type { FakeResendWebhookSender } from '../support/fakeResend/webhookSender.js';
import { startEmailDesk, TEST_INBOUND_DOMAIN, type EmailDesk } from '../support/emailDesk.js';
import { TEST_GUEST_LINK_SECRET, type ApiClient, type TestDesk } from '../support/testDesk.js';

/**
 * A reply by email, all the way: the partner's mail is stored by the fake Resend server, its
 * `email.received` webhook is signed as Resend signs it and recorded by the real route, and the
 * inbound worker fetches it with the real SDK's `emails.receiving.get`, matches it and posts it.
 */

const INBOUND = TEST_INBOUND_DOMAIN;
const DAY = 24 * 3600 * 1000;

describe('replies by email', () => {
  let kit: EmailDesk;
  let desk: TestDesk;
  let resend: FakeResendServer;
  let webhooks: FakeResendWebhookSender;
  let admin: ApiClient;
  let partner: ApiClient;
  let outbound: EmailWorker;
  let inbound: InboundWorker;
  const fromAddress = () => kit.fromAddress();
  const inboundWorker = (overrides: Record<string, unknown> = {}) => kit.inboundWorker(overrides);

  beforeAll(async () => {
    kit = await startEmailDesk();
    ({ desk, resend, webhooks, outbound } = kit);
    [admin, partner] = await Promise.all([desk.signIn('admin@demo.test'), desk.signIn('partner@acme.test')]);
    inbound = inboundWorker();
  });

  afterEach(() => {
    vi.useRealTimers();
    resend.resetFaults();
  });

  afterAll(async () => {
    await kit?.stop();
  });

  async function expectStatus<T>(promise: Promise<{ status: number; body: T }>, status: number): Promise<T> {
    const res = await promise;
    expect(res.status, JSON.stringify(res.body)).toBe(status);
    return res.body;
  }

  /** A thread the partner raised and support answered and resolved, its emails sent: the reply the partner got. */
  async function resolvedThread(subject: string) {
    const { threadId } = await expectStatus(
      partner.request<{ threadId: string }>('POST', '/api/support/threads', {
        assignmentId: 'asg-1001',
        queryType: 'DOCUMENTS',
        priority: 'MEDIUM',
        subject,
        body: 'The delivery note for pallet 7 is missing.',
      }),
      201,
    );
    await expectStatus(
      admin.request('POST', `/api/support/threads/${threadId}/messages`, {
        body: 'Attached now.',
        visibility: 'external',
      }),
      201,
    );
    await expectStatus(admin.request('POST', `/api/support/threads/${threadId}/resolve`, {}), 200);
    // the process manager reads only what every writer before it has committed: run it until the reply is out
    const replyOf = () =>
      resend.delivered.find(
        (e) =>
          e.to.includes('partner@acme.test') &&
          e.headers['Reply-To']?.includes(threadId) &&
          e.text?.includes('Attached now.'),
      );
    for (let round = 0; round < 200 && !replyOf(); round++) {
      await outbound.runOnce();
      if (!replyOf()) await new Promise((r) => setTimeout(r, 20));
    }
    const reply = replyOf();
    expect(reply).toBeDefined();
    return { threadId, replyTo: reply!.headers['Reply-To']!, messageId: reply!.headers['Message-ID']! };
  }

  /** The partner's mail arrives at Resend; its webhook is delivered to the desk. */
  const arrives = (email: InboundEmail) => kit.arrives(email);

  const messagesOf = async (threadId: string): Promise<RecordedEvent[]> =>
    (await desk.eventStore.readStream(`thread-${threadId}`)).filter((e) => e.type === 'MessagePosted');

  const deliveryRow = async (svixId: string) =>
    (
      await desk.db.pool.query<{ processed_at: Date | null; outcome: string | null; outcome_reason: string | null }>(
        'SELECT processed_at, outcome, outcome_reason FROM resend_webhook_deliveries WHERE svix_id = $1',
        [svixId],
      )
    ).rows[0];

  const held = async (messageId: string) =>
    (
      await desk.db.pool.query<{ reason: string; thread_id: string | null; sender: string }>(
        'SELECT reason, thread_id::text, sender FROM held_inbound_emails WHERE message_id = $1',
        [messageId],
      )
    ).rows;

  it('when a partner replies by email to a resolved thread, then it lands there as one message from that partner and reopens it', async () => {
    const { threadId, replyTo, messageId } = await resolvedThread('Pallet 7 delivery note');
    const { delivery } = await arrives({
      from: 'Pat Partner <partner@acme.test>',
      to: [replyTo],
      subject: 'Re: [A-1001] Pallet 7 delivery note',
      text: `Found it, thanks!\n\nOn Tue, Support desk <desk@example.com> wrote:\n> Attached now.\n`,
      headers: { 'In-Reply-To': messageId, References: messageId },
      messageId: '<reply-1@acme.test>',
    });
    // the webhook only recorded it: nothing is posted before the worker fetches it
    expect(await messagesOf(threadId)).toHaveLength(1);

    expect(await inbound.runOnce()).toMatchObject({ claimed: 1, posted: 1 });
    const messages = await messagesOf(threadId);
    expect(messages).toHaveLength(2);
    const posted = messages[1]!;
    const { rows: accounts } = await desk.db.pool.query<{ id: string }>(
      `SELECT id::text FROM accounts WHERE email = 'partner@acme.test'`,
    );
    expect(posted.data).toMatchObject({
      body: 'Found it, thanks!',
      visibility: 'external',
      by: { kind: 'partner', id: accounts[0]!.id, name: 'Pat Partner (Acme)' },
      statusBefore: 'RESOLVED',
      statusAfter: 'OPEN',
    });
    expect(posted.metadata.inboundEmail).toMatchObject({
      messageId: '<reply-1@acme.test>',
      matchedBy: 'reply_address',
      sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    expect(await deliveryRow(delivery.id)).toMatchObject({ outcome: 'posted', processed_at: expect.any(Date) });
    const { rows: ids } = await desk.db.pool.query(
      `SELECT 1 FROM email_thread_message_ids WHERE thread_id = $1 AND message_id = '<reply-1@acme.test>' AND direction = 'inbound'`,
      [threadId],
    );
    expect(ids).toHaveLength(1);
    // the thread reads open again
    const thread = await expectStatus(
      admin.request<{ thread: { status: string } }>(
        'GET',
        `/api/support/threads/${threadId}?waitFor=${formatPosition(posted.position)}`,
      ),
      200,
    );
    expect(thread.thread.status).toBe('OPEN');
  });

  it('when the same webhook is delivered three times, sent again under a new id and replayed a day later, then it makes one message', async () => {
    const { threadId, replyTo, messageId } = await resolvedThread('Customs papers');
    const id = resend.receive({
      from: 'partner@acme.test',
      to: [replyTo],
      subject: 'Re: Customs papers',
      text: 'Here they are.',
      headers: { References: messageId },
      messageId: '<reply-2@acme.test>',
    });
    const delivery = webhooks.delivery(resend.receivedEvent(id));
    const attempts = await webhooks.duplicates(delivery, 3, { headers: fromAddress() });
    expect(attempts.map((a) => a.status)).toEqual([200, 200, 200]);
    expect(await inbound.runOnce()).toMatchObject({ posted: 1 });
    // Resend sending the same email again, as a delivery of its own
    await webhooks.send(webhooks.delivery(resend.receivedEvent(id)), { headers: fromAddress() });
    expect(await inbound.runOnce()).toMatchObject({ claimed: 1, posted: 0, duplicate: 1 });
    // a replay a day later: the same svix-id, signed anew
    vi.useFakeTimers({ toFake: ['Date'], now: new Date() });
    vi.setSystemTime(Date.now() + DAY);
    expect((await webhooks.replay(delivery, { headers: fromAddress() })).answer).toEqual({
      received: true,
      duplicate: true,
    });
    expect(await inbound.runOnce()).toMatchObject({ claimed: 0 });
    vi.useRealTimers();

    // a worker that died after posting, before it recorded anything: done again, the same message id appends nothing
    await desk.db.pool.query(`DELETE FROM email_thread_message_ids WHERE message_id = '<reply-2@acme.test>'`);
    await desk.db.pool.query(
      'UPDATE resend_webhook_deliveries SET processed_at = NULL, outcome = NULL WHERE svix_id = $1',
      [delivery.id],
    );
    expect(await inbound.runOnce()).toMatchObject({ claimed: 1 });

    const messages = await messagesOf(threadId);
    expect(messages.map((m) => m.data.body)).toEqual(['Attached now.', 'Here they are.']);
    expect(resend.receivingRequestsFor(id)).toBe(3);
  });

  it("when a guest replies by email with their thread's reply address, then it is posted as that guest", async () => {
    const { threadId } = await resolvedThread('Guest answers');
    const link = await expectStatus(
      admin.request<{ linkId: string }>('POST', `/api/support/threads/${threadId}/guest-links`, {
        recipientEmail: 'gil@carrier.test',
      }),
      201,
    );
    // the email worker learns whom the link was emailed to
    for (let round = 0; round < 200 && !resend.delivered.some((e) => e.to.includes('gil@carrier.test')); round++) {
      await outbound.runOnce();
      await new Promise((r) => setTimeout(r, 20));
    }
    const signed = replyAddresses({ secrets: [TEST_GUEST_LINK_SECRET], domain: INBOUND });
    await arrives({
      from: 'Gil <gil@carrier.test>',
      to: [signed.signReplyAddress(threadId, 'gil@carrier.test')],
      subject: 'Re: Guest answers',
      text: 'The truck leaves at 9.',
      messageId: '<gil-1@carrier.test>',
    });
    expect(await inbound.runOnce()).toMatchObject({ claimed: 1, posted: 1 });
    const messages = await messagesOf(threadId);
    expect(messages.at(-1)!.data).toMatchObject({
      body: 'The truck leaves at 9.',
      by: { kind: 'guest', id: link.linkId, name: 'gil@carrier.test' },
      statusAfter: 'OPEN',
    });
  });

  it('when a reply address is forged, or someone outside the thread replies, then the mail is held, not posted', async () => {
    const { threadId, messageId } = await resolvedThread('Forged and foreign');
    const forged = await arrives({
      from: 'partner@acme.test',
      to: [`reply+${threadId}.aaaaaaaaaaaaaaaaaaaa@${INBOUND}`],
      subject: 'Re: Forged and foreign',
      text: 'Forged.',
      messageId: '<forged@acme.test>',
    });
    const foreign = await arrives({
      from: 'partner@globex.test',
      to: ['support@example.com'],
      subject: 'Re: Forged and foreign',
      text: 'Not my thread.',
      headers: { References: messageId },
      messageId: '<foreign@globex.test>',
    });
    expect(await inbound.runOnce()).toMatchObject({ claimed: 2, held: 2, posted: 0 });
    expect(await messagesOf(threadId)).toHaveLength(1);
    expect(await held('<forged@acme.test>')).toEqual([
      { reason: 'forged_reply_address', thread_id: threadId, sender: 'partner@acme.test' },
    ]);
    expect(await held('<foreign@globex.test>')).toEqual([
      { reason: 'not_a_participant', thread_id: threadId, sender: 'partner@globex.test' },
    ]);
    expect(await deliveryRow(forged.delivery.id)).toMatchObject({
      outcome: 'held',
      outcome_reason: 'forged_reply_address',
    });
    expect(await deliveryRow(foreign.delivery.id)).toMatchObject({
      outcome: 'held',
      outcome_reason: 'not_a_participant',
    });
  });

  it("when a partner's mail names another customer's assignment tag, then it is held, not posted in that customer's thread", async () => {
    const { threadId } = await resolvedThread('Dock 4 schedule');
    // Globex's partner writes afresh (no reply address, no References) with Acme's tag and topic
    const { delivery } = await arrives({
      from: 'Pia Partner <partner@globex.test>',
      to: ['support@example.com'],
      subject: 'Re: [A-1001] Dock 4 schedule',
      text: 'What about our slot?',
      messageId: '<tag-of-another@globex.test>',
    });
    expect(await inbound.runOnce()).toMatchObject({ claimed: 1, held: 1, posted: 0 });
    expect(await messagesOf(threadId)).toHaveLength(1);
    expect(await held('<tag-of-another@globex.test>')).toEqual([
      { reason: 'tag_of_another_organisation', thread_id: null, sender: 'partner@globex.test' },
    ]);
    expect(await deliveryRow(delivery.id)).toMatchObject({
      outcome: 'held',
      outcome_reason: 'tag_of_another_organisation',
    });
  });

  it('when Resend gives our emails its own Message-IDs, then replies still find their thread by the reply address and by References', async () => {
    resend.setFaults({ rewriteMessageIds: true });
    const { threadId, replyTo, messageId: rewritten } = await resolvedThread('Rewritten ids');
    expect(rewritten).toMatch(/@email\.resend\.test>$/);
    const sent = resend.delivered.find((e) => e.headers['Message-ID'] === rewritten)!;
    // what was sent is what arrived: our threading headers and the reply address, Message-ID aside
    expect(sent.headers['Reply-To']).toBe(replyTo);
    expect(sent.headers['References']).toMatch(new RegExp(`<thread-${threadId}\\.`));

    // a reply to the reply address: its In-Reply-To and References name only Resend's id
    await arrives({
      from: 'partner@acme.test',
      to: [replyTo],
      subject: 'Re: Rewritten ids',
      text: 'First answer.',
      headers: { 'In-Reply-To': rewritten, References: rewritten },
      messageId: '<rewritten-1@acme.test>',
    });
    // a reply whose Reply-To a gateway dropped (to our From): References still carry our own ids
    await arrives({
      from: 'partner@acme.test',
      to: ['desk@example.com'],
      subject: 'Re: Rewritten ids',
      text: 'Second answer.',
      headers: { 'In-Reply-To': rewritten, References: `${sent.headers['References']} ${rewritten}` },
      messageId: '<rewritten-2@acme.test>',
    });
    expect(await inbound.runOnce()).toMatchObject({ claimed: 2, posted: 2 });
    const messages = await messagesOf(threadId);
    expect(
      messages.map((m) => [
        m.data.body,
        m.metadata.inboundEmail && (m.metadata.inboundEmail as { matchedBy: string }).matchedBy,
      ]),
    ).toEqual([
      ['Attached now.', undefined],
      ['First answer.', 'reply_address'],
      ['Second answer.', 'references'],
    ]);
  });

  it('when an auto-reply comes back, then it makes nothing and is marked with why', async () => {
    const { threadId, replyTo } = await resolvedThread('Out of office');
    const { delivery } = await arrives({
      from: 'partner@acme.test',
      to: [replyTo],
      subject: 'Automatic reply: Out of office',
      text: 'I am away until Monday.',
      headers: { 'Auto-Submitted': 'auto-replied' },
      messageId: '<ooo@acme.test>',
    });
    expect(await inbound.runOnce()).toMatchObject({ claimed: 1, ignored: 1 });
    expect(await messagesOf(threadId)).toHaveLength(1);
    expect(await held('<ooo@acme.test>')).toEqual([]);
    expect(await deliveryRow(delivery.id)).toMatchObject({ outcome: 'ignored', outcome_reason: 'auto_submitted' });
  });

  it('when the receiving API keeps failing, then the delivery is retried and dead-lettered after the last attempt, and ops count it', async () => {
    const { replyTo } = await resolvedThread('Failing fetch');
    const before = await inboundDeliveryStats(desk.db.pool);
    const waitingBefore = await pendingWebhookDeliveries(desk.db.pool);
    const { id, delivery } = await arrives({
      from: 'partner@acme.test',
      to: [replyTo],
      subject: 'Re: Failing fetch',
      text: 'Hello',
    });
    resend.setFaults({ serverErrorRate: 1 });
    expect(await inboundWorker({ EMAIL_MAX_ATTEMPTS: 3 }).runOnce()).toMatchObject({
      claimed: 3,
      retrying: 2,
      dead: 1,
    });
    expect(resend.receivingRequestsFor(id)).toBe(3);
    const { rows } = await desk.db.pool.query<{ attempts: number; dead_at: Date | null; last_error: string }>(
      'SELECT attempts, dead_at, last_error FROM resend_webhook_deliveries WHERE svix_id = $1',
      [delivery.id],
    );
    expect(rows[0]).toMatchObject({
      attempts: 3,
      dead_at: expect.any(Date),
      last_error: expect.stringContaining('internal_server_error'),
    });
    expect(await inboundDeliveryStats(desk.db.pool)).toEqual({ ...before, dead: before.dead + 1 });
    // given up on: no longer counted as waiting
    expect(await pendingWebhookDeliveries(desk.db.pool)).toBe(waitingBefore);
  });
});
