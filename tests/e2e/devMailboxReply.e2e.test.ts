import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatPosition, type RecordedEvent } from '../../eventstore/port.js';
import { DEV_INBOUND_EMAIL_DOMAIN, emailConfigSchema } from '../../workers/email/emailConfig.js';
import { EmailWorker } from '../../workers/email/emailWorker.js';
import type { InboundWorker } from '../../workers/email/inbound/inboundWorker.js';
import { inboundWorkerFromConfig } from '../../workers/email/inbound/inboundWorkerFromConfig.js';
import { startTestDesk, TEST_GUEST_LINK_SECRET, type ApiClient, type TestDesk } from '../support/testDesk.js';

/**
 * Without RESEND_API_KEY the whole loop still runs: the emails go to the development mailbox with
 * signed reply addresses at the mailbox's own domain, and "Reply as the recipient" is received
 * the way Resend's `email.received` is, through the same inbound worker and the same rules.
 */

interface MailboxEmail {
  id: string;
  from: string;
  to: string;
  subject: string;
  text: string;
  headers: Record<string, string>;
}

describe('the development mailbox: reply as the recipient', () => {
  let desk: TestDesk;
  let admin: ApiClient;
  let ops: ApiClient;
  let partner: ApiClient;
  let outbound: EmailWorker;
  let inbound: InboundWorker;
  const config = emailConfigSchema.parse({ EMAIL_FROM: 'Support desk <desk@example.com>', EMAIL_POLL_MS: 20 });

  beforeAll(async () => {
    desk = await startTestDesk();
    [admin, ops, partner] = await Promise.all([
      desk.signIn('admin@demo.test'),
      desk.signIn('ops@demo.test'),
      desk.signIn('partner@acme.test'),
    ]);
    outbound = new EmailWorker({
      pool: desk.db.pool,
      eventStore: desk.eventStore,
      config,
      guestLinkSecrets: [TEST_GUEST_LINK_SECRET],
    });
    inbound = inboundWorkerFromConfig({
      pool: desk.db.pool,
      eventStore: desk.eventStore,
      config,
      guestLinkSecrets: [TEST_GUEST_LINK_SECRET],
      tuning: { backoff: { baseMs: 0, capMs: 0 } },
    });
  });

  afterAll(async () => {
    await desk?.stop();
  });

  async function expectStatus<T>(promise: Promise<{ status: number; body: T }>, status: number): Promise<T> {
    const res = await promise;
    expect(res.status, JSON.stringify(res.body)).toBe(status);
    return res.body;
  }

  /** A thread the partner raised and support answered: the answer as it reached the development mailbox. */
  async function answeredThread(subject: string): Promise<{ threadId: string; email: MailboxEmail }> {
    const { threadId } = await expectStatus(
      partner.request<{ threadId: string }>('POST', '/api/support/threads', {
        assignmentId: 'asg-1001',
        queryType: 'DOCUMENTS',
        priority: 'MEDIUM',
        subject,
        body: 'Where is the delivery note?',
      }),
      201,
    );
    await expectStatus(
      admin.request('POST', `/api/support/threads/${threadId}/messages`, {
        body: 'It is on its way.',
        visibility: 'external',
      }),
      201,
    );
    const answerOf = async () =>
      (
        await expectStatus(ops.request<{ emails: MailboxEmail[] }>('GET', '/api/ops/mailbox?limit=100'), 200)
      ).emails.find(
        (e) =>
          e.to === 'partner@acme.test' &&
          e.headers['Reply-To']?.includes(threadId) &&
          e.text.includes('It is on its way.'),
      );
    let email = await answerOf();
    // the process manager reads only what every writer before it has committed: run it until the answer is out
    for (let round = 0; round < 200 && !email; round++) {
      await outbound.runOnce();
      email = await answerOf();
      if (!email) await new Promise((r) => setTimeout(r, 20));
    }
    expect(email).toBeDefined();
    return { threadId, email: email! };
  }

  const messagesOf = async (threadId: string): Promise<RecordedEvent[]> =>
    (await desk.eventStore.readStream(`thread-${threadId}`)).filter((e) => e.type === 'MessagePosted');

  it('when the recipient of an answer replies from the development mailbox, then the reply lands in its thread as their message, quoted history cut off', async () => {
    const { threadId, email } = await answeredThread('Mailbox reply loop');
    expect(email.headers['Reply-To']).toMatch(
      new RegExp(`^reply\\+${threadId}\\.[a-z2-7]+@${DEV_INBOUND_EMAIL_DOMAIN}$`),
    );

    const received = await expectStatus(
      ops.request<{ emailId: string; deliveryId: string; from: string; to: string }>(
        'POST',
        `/api/ops/mailbox/${email.id}/reply`,
        { text: 'Thanks, it arrived this morning.' },
      ),
      202,
    );
    expect(received).toMatchObject({ from: 'partner@acme.test', to: email.headers['Reply-To'] });
    // recorded as a delivery: nothing is posted before the worker takes it
    expect(await messagesOf(threadId)).toHaveLength(1);

    expect(await inbound.runOnce()).toMatchObject({ posted: 1 });
    const messages = await messagesOf(threadId);
    expect(messages).toHaveLength(2);
    expect(messages[1]!.data).toMatchObject({
      body: 'Thanks, it arrived this morning.',
      visibility: 'external',
      by: { kind: 'partner' },
    });
    expect(messages[1]!.metadata.inboundEmail).toMatchObject({
      matchedBy: 'reply_address',
      resendEmailId: received.emailId,
    });
    // the thread view marks it as a reply by email and keeps the whole text for "show quoted"
    const view = await expectStatus(
      admin.request<{ messages: { body: string; via: string; fullText: string | null }[] }>(
        'GET',
        `/api/support/threads/${threadId}?waitFor=${formatPosition(messages[1]!.position)}`,
      ),
      200,
    );
    expect(view.messages.map((m) => m.via)).toEqual(['web', 'web', 'email']);
    expect(view.messages[2]).toMatchObject({ body: 'Thanks, it arrived this morning.' });
    expect(view.messages[2]!.fullText).toMatch(/^Thanks, it arrived this morning\.\n\nOn .+ wrote:\n> /);
    expect(view.messages[2]!.fullText).toContain('> It is on its way.');
    expect(view.messages[1]!.fullText).toBeNull();
    const seenByPartner = await expectStatus(
      partner.request<{ messages: { via: string; fullText: string | null }[] }>(
        'GET',
        `/api/support/threads/${threadId}?waitFor=${formatPosition(messages[1]!.position)}`,
      ),
      200,
    );
    expect(seenByPartner.messages.at(-1)).toMatchObject({
      via: 'email',
      fullText: expect.stringContaining('> It is on'),
    });
    // the same reply fetched again (a redelivery) makes nothing more
    await desk.db.pool.query(
      `UPDATE resend_webhook_deliveries SET processed_at = NULL, outcome = NULL WHERE svix_id = $1`,
      [received.deliveryId],
    );
    expect(await inbound.runOnce()).toMatchObject({ posted: 0, duplicate: 1 });
    expect(await messagesOf(threadId)).toHaveLength(2);
  });

  it('when the reply address of a mailbox email was tampered with, then the reply is held, not posted', async () => {
    const { threadId, email } = await answeredThread('Tampered reply address');
    // someone edits the signature of the address the reply goes to
    const forged = email.headers['Reply-To']!.replace(/\.([a-z2-7])([a-z2-7]+)@/, (_m, first: string, rest: string) => {
      return `.${first === 'a' ? 'b' : 'a'}${rest}@`;
    });
    await desk.db.pool.query(
      `UPDATE dev_mailbox SET headers = jsonb_set(headers, '{Reply-To}', to_jsonb($2::text)) - 'In-Reply-To' - 'References' - 'Message-ID' WHERE id = $1`,
      [email.id, forged],
    );
    await expectStatus(ops.request('POST', `/api/ops/mailbox/${email.id}/reply`, { text: 'Let me in.' }), 202);
    expect(await inbound.runOnce()).toMatchObject({ posted: 0, held: 1 });
    expect(await messagesOf(threadId)).toHaveLength(1);
    const { rows } = await desk.db.pool.query<{ reason: string }>(
      `SELECT reason FROM held_inbound_emails WHERE thread_id = $1`,
      [threadId],
    );
    expect(rows.map((r) => r.reason)).toEqual(['forged_reply_address']);
  });

  it('when the reply is empty, from a partner, or about an email that does not exist, then it is refused and nothing is recorded', async () => {
    const { email } = await answeredThread('Refused mailbox replies');
    const before = await desk.db.pool.query('SELECT count(*)::int AS n FROM resend_webhook_deliveries');
    const empty = await ops.request<{ errors?: { path: string }[] }>('POST', `/api/ops/mailbox/${email.id}/reply`, {
      text: '   ',
    });
    expect(empty.status).toBe(400);
    expect(JSON.stringify(empty.body)).toContain('text');
    expect((await partner.request('POST', `/api/ops/mailbox/${email.id}/reply`, { text: 'Hi' })).status).toBe(403);
    expect((await ops.request('POST', '/api/ops/mailbox/999999999/reply', { text: 'Hi' })).status).toBe(404);
    expect((await ops.request('POST', '/api/ops/mailbox/not-a-number/reply', { text: 'Hi' })).status).toBe(400);
    const after = await desk.db.pool.query('SELECT count(*)::int AS n FROM resend_webhook_deliveries');
    expect(after.rows[0]).toEqual(before.rows[0]);
  });
});
