import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { replyAddresses } from '../../../workers/email/replyAddress.js';
import { TEST_GUEST_LINK_SECRET } from '../../support/testDesk.js';
import { startEmailKit, type EmailKit, type OutboxRecord } from './emailTestKit.js';

/**
 * The headers that let replies be matched to their thread, as they arrive at the provider:
 * through the real command API, the real worker and the real `resend` SDK over HTTP to the fake
 * Resend server. With INBOUND_EMAIL_DOMAIN set, every email to a partner or guest about a thread
 * carries a signed Reply-To; every email its own Message-ID; later ones reply to the thread's first.
 */

const INBOUND = 'reply.desk.test';
const verifier = replyAddresses({ secrets: [TEST_GUEST_LINK_SECRET], domain: INBOUND });

describe('reply headers on outgoing email', () => {
  let kit: EmailKit;

  beforeAll(async () => {
    kit = await startEmailKit();
  });
  afterAll(async () => kit?.stop());
  beforeEach(() => kit.fake.resetFaults());

  const replyWorker = () => kit.worker({ config: { INBOUND_EMAIL_DOMAIN: INBOUND } });
  const delivered = (row: OutboxRecord) => {
    const [email, ...more] = kit.fake.emailsFor(row.id);
    expect(more).toEqual([]);
    return email!;
  };

  async function recordedIds(threadId: string) {
    const { rows } = await kit.desk.db.pool.query<{ message_id: string; direction: string; email_id: string }>(
      `SELECT message_id, direction, email_id FROM email_thread_message_ids WHERE thread_id = $1 ORDER BY at, seq`,
      [threadId],
    );
    return rows;
  }

  it("when a partner's thread is answered, then each email carries a signed Reply-To, its own Message-ID, and the second replies to the first", async () => {
    const threadId = await kit.raise({ subject: 'Pallet count differs' });
    await kit.post(threadId, 'We are checking the count.');
    await kit.drain(replyWorker());
    const rows = await kit.outbox({ threadId });
    const row = (template: string) => rows.find((r) => r.template === template)!;
    const support = delivered(row('query_raised_support'));
    const ack = delivered(row('query_raised_ack'));
    const reply = delivered(row('staff_reply'));

    // what arrived is what the rows hold
    for (const r of rows) expect(delivered(r).headers).toEqual(r.headers);

    // each its own Message-ID, at our From domain, named after its row
    for (const r of rows) expect(delivered(r).headers['Message-ID']).toBe(`<thread-${threadId}.${r.id}@example.com>`);
    expect(new Set([support, ack, reply].map((e) => e.headers['Message-ID'])).size).toBe(3);

    // the partner's emails carry a reply address that verifies for the partner, and only for them
    for (const email of [ack, reply]) {
      expect(email.to).toEqual(['partner@acme.test']);
      const replyTo = email.headers['Reply-To']!;
      expect(replyTo).toMatch(new RegExp(`^reply\\+${threadId}\\.[a-z2-7]{20}@${INBOUND.replace(/\./g, '\\.')}$`));
      expect(verifier.verifyReplyAddress(replyTo, 'partner@acme.test')).toEqual({ ok: true, threadId });
      expect(verifier.verifyReplyAddress(replyTo, 'someone@else.test')).toMatchObject({ ok: false });
    }
    // the support address does not reply by email (yet)
    expect(support.headers).not.toHaveProperty('Reply-To');

    // the first email we sent about the thread is its root: the later ones reply to it and refer to it
    const root = support.headers['Message-ID']!;
    expect(support.headers).not.toHaveProperty('In-Reply-To');
    expect(ack.headers['In-Reply-To']).toBe(root);
    expect(reply.headers['In-Reply-To']).toBe(root);
    expect(reply.headers.References).toBe(`${root} ${ack.headers['Message-ID']}`);

    // each Message-ID sent is recorded for the thread, in the order sent, so a reply can be matched by References
    expect(await recordedIds(threadId)).toEqual(
      [support, ack, reply].map((e) => ({
        message_id: e.headers['Message-ID'],
        direction: 'outbound',
        email_id: e.idempotencyKey,
      })),
    );
  });

  it('when a later email is written in another batch, then it refers to the Message-IDs recorded before', async () => {
    const threadId = await kit.raise();
    const worker = replyWorker();
    await kit.drain(worker);
    await kit.transition(threadId, 'resolve');
    await kit.drain(worker);
    const rows = await kit.outbox({ threadId });
    const row = (template: string) => rows.find((r) => r.template === template)!;
    const root = delivered(row('query_raised_support')).headers['Message-ID']!;
    const resolved = delivered(row('thread_resolved'));
    expect(resolved.headers['In-Reply-To']).toBe(root);
    expect(resolved.headers.References).toBe(`${root} ${delivered(row('query_raised_ack')).headers['Message-ID']}`);
    expect(verifier.verifyReplyAddress(resolved.headers['Reply-To']!, 'partner@acme.test')).toEqual({
      ok: true,
      threadId,
    });
  });

  it('when sends fail and are retried, then every attempt carries the same headers, byte for byte, and one email goes out', async () => {
    const threadId = await kit.raise();
    await kit.post(threadId, 'First answer');
    await kit.post(threadId, 'Second answer');
    const worker = replyWorker();
    await kit.decideAll(worker);
    // the first attempt of each email is sent, but its answer is lost: each is sent again, same key
    kit.fake.setFaults({ dropAfterSendRate: 1 });
    expect(await worker.sender.sendDue()).toMatchObject({ claimed: 4, retrying: 4 });
    kit.fake.setFaults({ dropAfterSendRate: 0, serverErrorRate: 0.3 });
    await kit.drain(worker);
    const rows = await kit.outbox({ threadId });
    expect(rows).toHaveLength(4);
    for (const row of rows) {
      const requests = kit.fake.log.filter((l) => l.idempotencyKey === row.id);
      expect(requests.length).toBeGreaterThanOrEqual(2);
      // the provider answers a repeat only when it is the very same request (else invalid_idempotent_request)
      expect(new Set(requests.map((l) => JSON.stringify(l.payload))).size).toBe(1);
      // the request carries the row's headers, Reply-To in Resend's own `reply_to` field
      const { 'Reply-To': replyTo, ...threading } = row.headers;
      expect((requests[0]!.payload as { headers: unknown }).headers).toEqual(threading);
      expect((requests[0]!.payload as { reply_to?: unknown }).reply_to).toEqual(replyTo);
      expect(kit.fake.deliveriesFor(row.id)).toBe(1);
      expect(row.status).toBe('sent');
    }
  });

  it('when a guest is emailed about the thread, then their Reply-To is signed for their own address', async () => {
    const threadId = await kit.raise();
    await kit.issueThreadLink(threadId, 'guest.reply@example.com');
    await kit.post(threadId, 'An answer for everyone');
    await kit.drain(replyWorker());
    const guestRows = (await kit.outbox({ threadId })).filter((r) => r.audience === 'guest');
    expect(guestRows.map((r) => r.template).sort()).toEqual(['guest_link_issued', 'staff_reply']);
    for (const row of guestRows) {
      const email = delivered(row);
      expect(email.headers).toEqual(row.headers);
      expect(verifier.verifyReplyAddress(email.headers['Reply-To']!, 'guest.reply@example.com')).toEqual({
        ok: true,
        threadId,
      });
      expect(verifier.verifyReplyAddress(email.headers['Reply-To']!, 'partner@acme.test')).toMatchObject({ ok: false });
    }
  });

  it('when INBOUND_EMAIL_DOMAIN is not set, then no email carries a Reply-To', async () => {
    const threadId = await kit.raise();
    await kit.drain(kit.worker());
    const rows = await kit.outbox({ threadId });
    expect(rows).toHaveLength(2);
    for (const row of rows) {
      expect(delivered(row).headers).not.toHaveProperty('Reply-To');
      expect(delivered(row).headers['Message-ID']).toBe(`<thread-${threadId}.${row.id}@example.com>`);
    }
  });

  it('when INBOUND_EMAIL_DOMAIN is set but the worker has no secret to sign with, then it refuses to start', () => {
    expect(() => kit.worker({ config: { INBOUND_EMAIL_DOMAIN: INBOUND }, guestLinkSecrets: [] })).toThrow(
      /INBOUND_EMAIL_DOMAIN/,
    );
  });
});
