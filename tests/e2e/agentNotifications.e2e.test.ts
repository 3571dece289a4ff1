import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { comparePositions, parsePosition, type RecordedEvent } from '../../eventstore/port.js';
import type { EmailWorker } from '../../workers/email/emailWorker.js';
import type { InboundWorker } from '../../workers/email/inbound/inboundWorker.js';
import { replyAddresses } from '../../workers/email/replyAddress.js';
import { FakeResendServer, type InboundEmail, type ReceivedEmail } from '../support/fakeResend/fakeResendServer.js';
import { startEmailDesk, TEST_INBOUND_DOMAIN, type EmailDesk } from '../support/emailDesk.js';
import { TEST_GUEST_LINK_SECRET, type ApiClient, type TestDesk } from '../support/testDesk.js';

/**
 * Agents are told, all the way through the real SDK and the fake Resend server: a partner's or
 * guest's message emails the thread's assignee (or the support address for an unassigned thread,
 * when the system config says so), with a reply address signed for the agent; the agent's reply
 * by email to that address becomes their staff reply, which is emailed to the partner.
 */

const INBOUND = TEST_INBOUND_DOMAIN;
const SUPPORT = 'support@example.com';
const signed = replyAddresses({ secrets: [TEST_GUEST_LINK_SECRET], domain: INBOUND });

describe('agents are told when a partner or guest writes', () => {
  let kit: EmailDesk;
  let desk: TestDesk;
  let resend: FakeResendServer;
  let admin: ApiClient;
  let agent: ApiClient;
  let partner: ApiClient;
  let outbound: EmailWorker;
  let inbound: InboundWorker;
  let agentId: string;
  let adminId: string;

  beforeAll(async () => {
    kit = await startEmailDesk();
    ({ desk, resend, outbound } = kit);
    [admin, agent, partner] = await Promise.all([
      desk.signIn('admin@demo.test'),
      desk.signIn('agent@demo.test'),
      desk.signIn('partner@acme.test'),
    ]);
    const { rows } = await desk.db.pool.query<{ id: string; email: string }>(
      `SELECT id::text, email FROM accounts WHERE email IN ('agent@demo.test', 'admin@demo.test', 'partner@acme.test')`,
    );
    const idOf = (email: string) => rows.find((r) => r.email === email)!.id;
    [agentId, adminId] = [idOf('agent@demo.test'), idOf('admin@demo.test')];
    inbound = kit.inboundWorker();
  });

  afterAll(async () => {
    await kit?.stop();
  });

  async function expectStatus<T>(promise: Promise<{ status: number; body: T }>, status: number): Promise<T> {
    const res = await promise;
    expect(res.status, JSON.stringify(res.body)).toBe(status);
    return res.body;
  }

  const messagesOf = async (threadId: string): Promise<RecordedEvent[]> =>
    (await desk.eventStore.readStream(`thread-${threadId}`)).filter((e) => e.type === 'MessagePosted');

  /** Runs the email worker until the process manager has read `record` and every email due is sent. */
  async function emailedUpTo(record: RecordedEvent): Promise<void> {
    for (let round = 0; round < 200; round++) {
      await outbound.runOnce();
      if (comparePositions(parsePosition(await outbound.processManager.position()), record.position) >= 0) {
        await outbound.runOnce();
        return;
      }
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error('the email process manager never reached the event');
  }

  /** The emails sent about this message of the thread (the body is what was written). */
  const sentAbout = (threadId: string, body: string) =>
    resend.delivered.filter((e) => e.headers['Message-ID']?.includes(threadId) && e.text?.includes(body));

  async function raised(subject: string): Promise<string> {
    const { threadId } = await expectStatus(
      partner.request<{ threadId: string }>('POST', '/api/support/threads', {
        assignmentId: 'asg-1001',
        queryType: 'DOCUMENTS',
        priority: 'MEDIUM',
        subject,
        body: `First: ${subject}`,
      }),
      201,
    );
    return threadId;
  }

  async function assign(threadId: string, assigneeId: string | null) {
    await expectStatus(admin.request('POST', `/api/support/threads/${threadId}/assign`, { assigneeId }), 200);
  }

  /** `who` writes an external message; answers the MessagePosted after the email worker has read it. */
  async function writes(who: ApiClient, threadId: string, body: string): Promise<RecordedEvent> {
    await expectStatus(
      who.request('POST', `/api/support/threads/${threadId}/messages`, { body, visibility: 'external' }),
      201,
    );
    const posted = (await messagesOf(threadId)).find((m) => m.data.body === body)!;
    await emailedUpTo(posted);
    return posted;
  }

  async function setTeamNotifications(on: boolean) {
    const res = await admin.request<{ revision: number; supportEmail: string; portalBaseUrl: string }>(
      'GET',
      '/api/support/config',
    );
    const current = res.body as unknown as Record<string, unknown> & { revision: number };
    const { revision: _r, position: _p, ...values } = current;
    await expectStatus(
      admin.request(
        'PUT',
        '/api/support/config',
        { ...values, notifyTeamOfUnassigned: on },
        { 'if-match': `"${current.revision}"` },
      ),
      200,
    );
  }

  /** An email arrives at Resend and its webhook reaches the desk; the inbound worker takes it. */
  async function arrives(email: InboundEmail) {
    await kit.arrives(email);
    return inbound.runOnce();
  }

  const held = async (messageId: string) =>
    (
      await desk.db.pool.query<{ reason: string; thread_id: string | null }>(
        'SELECT reason, thread_id::text FROM held_inbound_emails WHERE message_id = $1',
        [messageId],
      )
    ).rows;

  it('when a partner writes on the portal in a thread assigned to an agent, then the agent is emailed with a reply address signed for them and its own Message-ID, recorded for the thread', async () => {
    const threadId = await raised('Pallet 12 labels');
    await assign(threadId, agentId);
    await writes(partner, threadId, 'The labels are smudged.');
    const about = sentAbout(threadId, 'The labels are smudged.');
    expect(about.map((e) => e.to)).toEqual([['agent@demo.test']]);
    const [email] = about as [ReceivedEmail];
    expect(email.subject).toBe('Re: [A-1001] Pallet 12 labels');
    expect(signed.verifyReplyAddress(email.headers['Reply-To']!, 'agent@demo.test')).toEqual({ ok: true, threadId });
    expect(signed.verifyReplyAddress(email.headers['Reply-To']!, 'partner@acme.test').ok).toBe(false);
    expect(email.headers['Message-ID']).toMatch(new RegExp(`^<thread-${threadId}\\.[0-9a-f]{64}@example\\.com>$`));
    expect(email.headers.References).toContain(`<thread-${threadId}.`);
    const { rows } = await desk.db.pool.query(
      `SELECT 1 FROM email_thread_message_ids WHERE thread_id = $1 AND message_id = $2 AND direction = 'outbound'`,
      [threadId, email.headers['Message-ID']],
    );
    expect(rows).toHaveLength(1);
    // the email says only what the partner wrote
    expect(email.text).toContain('> The labels are smudged.');
    // and the support address, which heard of the query when it was raised, is not told again
    expect(
      resend.delivered
        .filter((e) => e.to.includes(SUPPORT) && e.headers['Message-ID']?.includes(threadId))
        .map((e) => e.subject),
    ).toEqual(['New query [A-1001] Pallet 12 labels']);

    // a rebuild of the worker's view, or a replay: the same outbox ids, nothing sent twice
    const sentBefore = resend.delivered.length;
    await desk.db.pool.query(`UPDATE email_checkpoints SET position = '-1--1' WHERE name = 'email'`);
    await emailedUpTo((await messagesOf(threadId)).at(-1)!);
    expect(resend.delivered.length).toBe(sentBefore);
  });

  it('when an internal note is added, then nobody is emailed, and an agent writing never emails themselves', async () => {
    const threadId = await raised('Note only');
    await assign(threadId, agentId);
    await expectStatus(
      agent.request('POST', `/api/support/threads/${threadId}/messages`, {
        body: 'Secret note',
        visibility: 'internal',
      }),
      201,
    );
    await writes(agent, threadId, 'We are on it.');
    expect(resend.delivered.filter((e) => e.text?.includes('Secret note'))).toEqual([]);
    expect(sentAbout(threadId, 'We are on it.').map((e) => e.to)).toEqual([['partner@acme.test']]);
  });

  it('when a partner writes in an unassigned thread, then the support address is emailed only while the system config says so', async () => {
    const threadId = await raised('Nobody yet');
    await writes(partner, threadId, 'Anyone there?');
    expect(sentAbout(threadId, 'Anyone there?').map((e) => e.to)).toEqual([[SUPPORT]]);
    expect(sentAbout(threadId, 'Anyone there?')[0]!.headers['Reply-To']).toBeUndefined();

    await setTeamNotifications(false);
    try {
      await writes(partner, threadId, 'Hello again?');
      expect(sentAbout(threadId, 'Hello again?')).toEqual([]);
    } finally {
      await setTeamNotifications(true);
    }
  });

  it('when the assignee turned these emails off in their settings, then they get nothing (and the support address not in their place)', async () => {
    expect(await expectStatus(admin.request('GET', '/api/me/preferences'), 200)).toEqual({
      notifyOnPartnerMessages: true,
    });
    expect(
      await expectStatus(admin.request('PUT', '/api/me/preferences', { notifyOnPartnerMessages: false }), 200),
    ).toEqual({ notifyOnPartnerMessages: false });
    try {
      expect(await expectStatus(admin.request('GET', '/api/me/preferences'), 200)).toEqual({
        notifyOnPartnerMessages: false,
      });
      const threadId = await raised('Muted admin');
      await assign(threadId, adminId);
      await writes(partner, threadId, 'Is this muted?');
      expect(sentAbout(threadId, 'Is this muted?')).toEqual([]);
    } finally {
      await expectStatus(admin.request('PUT', '/api/me/preferences', { notifyOnPartnerMessages: true }), 200);
    }
  });

  it('when the preferences are sent wrong, or by a partner, then they are refused with a problem and nothing changes', async () => {
    const bad = await agent.request<{ status: number; errors?: unknown }>('PUT', '/api/me/preferences', {
      notifyOnPartnerMessages: 'no',
    });
    expect(bad.status).toBe(400);
    expect(bad.headers.get('content-type')).toContain('application/problem+json');
    expect(
      (await agent.request('PUT', '/api/me/preferences', { notifyOnPartnerMessages: true, extra: 1 })).status,
    ).toBe(400);
    expect((await partner.request('GET', '/api/me/preferences')).status).toBe(403);
    expect((await partner.request('PUT', '/api/me/preferences', { notifyOnPartnerMessages: false })).status).toBe(403);
    // auditors and ops answer no threads: they have no such settings
    for (const email of ['auditor@demo.test', 'ops@demo.test']) {
      const other = await desk.signIn(email);
      expect((await other.request('GET', '/api/me/preferences')).status).toBe(403);
      expect((await other.request('PUT', '/api/me/preferences', { notifyOnPartnerMessages: false })).status).toBe(403);
    }
    expect((await desk.anonymous.request('GET', '/api/me/preferences')).status).toBe(401);
    expect(await expectStatus(agent.request('GET', '/api/me/preferences'), 200)).toEqual({
      notifyOnPartnerMessages: true,
    });
  });

  it('when a guest writes on the guest page, then the assignee is told that the guest wrote', async () => {
    const threadId = await raised('Guest on the line');
    await assign(threadId, agentId);
    const link = await expectStatus(
      admin.request<{ token: string }>('POST', `/api/support/threads/${threadId}/guest-links`, {
        recipientEmail: 'gil@carrier.test',
      }),
      201,
    );
    await writes(desk.guest(link.token), threadId, 'The truck is late.');
    const about = sentAbout(threadId, 'The truck is late.');
    expect(about.map((e) => e.to)).toEqual([['agent@demo.test']]);
    expect(about[0]!.text).toContain('gil@carrier.test (guest) wrote:');
  });

  it('when the agent replies by email to the notification, then it is their external staff reply and the partner is emailed it', async () => {
    const threadId = await raised('Reply by mail');
    await assign(threadId, agentId);
    await writes(partner, threadId, 'Where is my invoice?');
    const [notice] = sentAbout(threadId, 'Where is my invoice?') as [ReceivedEmail];
    expect(notice.to).toEqual(['agent@demo.test']);

    expect(
      await arrives({
        from: 'Alex Agent <agent@demo.test>',
        to: [notice.headers['Reply-To']!],
        subject: 'Re: [A-1001] Reply by mail',
        text: 'It is in the portal now.\n\nOn Tue, Support desk <desk@example.com> wrote:\n> Where is my invoice?\n',
        headers: { 'In-Reply-To': notice.headers['Message-ID']!, References: notice.headers['Message-ID']! },
        messageId: '<alex-1@demo.test>',
      }),
    ).toMatchObject({ claimed: 1, posted: 1 });
    const posted = (await messagesOf(threadId)).at(-1)!;
    expect(posted.data).toMatchObject({
      body: 'It is in the portal now.',
      visibility: 'external',
      by: { kind: 'staff', id: agentId, name: 'Alex Agent' },
    });
    expect(posted.metadata).toMatchObject({ actor: { type: 'user', id: agentId } });
    expect(posted.metadata.inboundEmail).toMatchObject({ matchedBy: 'reply_address', messageId: '<alex-1@demo.test>' });

    await emailedUpTo(posted);
    const reply = sentAbout(threadId, 'It is in the portal now.');
    expect(reply.map((e) => e.to)).toEqual([['partner@acme.test']]);
    expect(signed.verifyReplyAddress(reply[0]!.headers['Reply-To']!, 'partner@acme.test')).toEqual({
      ok: true,
      threadId,
    });
    // the agent's own reply tells nobody on the staff side
    expect(
      resend.delivered.filter((e) => e.to.includes('agent@demo.test') && e.text?.includes('It is in the portal now.')),
    ).toEqual([]);
  });

  it("when the same reply comes from another address, without the reply address, or through a partner's one, then it is held", async () => {
    const threadId = await raised('Held staff replies');
    await assign(threadId, agentId);
    await writes(partner, threadId, 'Please confirm.');
    const [notice] = sentAbout(threadId, 'Please confirm.') as [ReceivedEmail];
    const references = { 'In-Reply-To': notice.headers['Message-ID']!, References: notice.headers['Message-ID']! };
    const before = (await messagesOf(threadId)).length;

    // another address (the agent's home mail) with the agent's reply address: it is not signed for it
    expect(
      await arrives({
        from: 'alex@home.test',
        to: [notice.headers['Reply-To']!],
        subject: 'Re: Held staff replies',
        text: 'Confirmed.',
        headers: references,
        messageId: '<alex-home@home.test>',
      }),
    ).toMatchObject({ held: 1 });
    expect(await held('<alex-home@home.test>')).toEqual([{ reason: 'not_a_participant', thread_id: threadId }]);

    // the agent's own address, answering by References only (to the support address)
    expect(
      await arrives({
        from: 'agent@demo.test',
        to: [SUPPORT],
        subject: 'Re: [A-1001] Held staff replies',
        text: 'Confirmed.',
        headers: references,
        messageId: '<alex-unsigned@demo.test>',
      }),
    ).toMatchObject({ held: 1 });
    expect(await held('<alex-unsigned@demo.test>')).toEqual([{ reason: 'staff_reply_unsigned', thread_id: threadId }]);

    // the agent's own address, with the reply address the partner was sent
    expect(
      await arrives({
        from: 'agent@demo.test',
        to: [signed.signReplyAddress(threadId, 'partner@acme.test')],
        subject: 'Re: Held staff replies',
        text: 'Confirmed.',
        messageId: '<alex-partners@demo.test>',
      }),
    ).toMatchObject({ held: 1 });
    expect(await held('<alex-partners@demo.test>')).toEqual([{ reason: 'staff_reply_unsigned', thread_id: threadId }]);

    expect(await messagesOf(threadId)).toHaveLength(before);
  });

  it("when the agent's out-of-office answers the notification, then it is ignored: no message, no email, no loop", async () => {
    const threadId = await raised('Away');
    await assign(threadId, agentId);
    await writes(partner, threadId, 'Are you there?');
    const [notice] = sentAbout(threadId, 'Are you there?') as [ReceivedEmail];
    const before = resend.delivered.length;
    expect(
      await arrives({
        from: 'agent@demo.test',
        to: [notice.headers['Reply-To']!],
        subject: 'Automatic reply: Re: [A-1001] Away',
        text: 'I am away until Monday.',
        headers: { 'Auto-Submitted': 'auto-replied', 'In-Reply-To': notice.headers['Message-ID']! },
        messageId: '<alex-ooo@demo.test>',
      }),
    ).toMatchObject({ ignored: 1, posted: 0 });
    const last = (await desk.eventStore.readStream(`thread-${threadId}`)).at(-1)!;
    await emailedUpTo(last);
    expect(resend.delivered.length).toBe(before);
  });
});
