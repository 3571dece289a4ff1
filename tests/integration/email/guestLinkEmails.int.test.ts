import { Writable } from 'node:stream';
import { afterAll, beforeAll, beforeEach, describe, expect, it, onTestFinished } from 'vitest';
import { handleCommand } from '../../../commands/commandHandler.js';
import { newGuestToken } from '../../../commands/guestLinks/guestToken.js';
import { guestLinkDecider, guestLinkStreamName } from '../../../domain/index.js';
import { createLogger } from '../../../platform/logger.js';
import type { ReceivedEmail } from '../../support/fakeResend/fakeResendServer.js';
import { startEmailKit, type EmailKit } from './emailTestKit.js';

/**
 * Emails that carry a guest link (docs/decisions/0005): the link is emailed to its recipient
 * once; later emails to a guest carry their working link; an ended link is never emailed; the
 * token reaches nothing but the recipient's email. Real desk, real worker, real `resend` SDK.
 */

const TOKEN_URL = /\/t\/([A-Za-z0-9_-]{43})(?:\?thread=([0-9a-f-]{36}))?/;

/** The guest link an email carries, as the recipient would click it. */
function linkIn(email: ReceivedEmail): { token: string; threadId: string | undefined } | undefined {
  const match = TOKEN_URL.exec(email.text ?? '');
  return match ? { token: match[1]!, threadId: match[2] } : undefined;
}

describe('guest link emails', () => {
  let kit: EmailKit;
  /** Every line the workers of this file logged. */
  let logs = '';
  const logger = createLogger('trace', 'email-test', {
    terminal: false,
    stream: new Writable({
      write(chunk: Buffer, _encoding, done) {
        logs += chunk.toString('utf8');
        done();
      },
    }),
  });
  /** Every raw token issued in this file: none may be in the log, the outbox or the logs. */
  const tokens = new Set<string>();

  beforeAll(async () => {
    kit = await startEmailKit();
  });
  afterAll(async () => kit?.stop());
  beforeEach(() => kit.fake.resetFaults());

  const emailsTo = (recipient: string) => kit.fake.delivered.filter((e) => e.to.includes(recipient));

  async function issue(threadId: string, recipientEmail: string | null, lifetimeSeconds?: number) {
    const res = await kit.admin.request<{ linkId: string; token: string; url: string }>(
      'POST',
      `/api/support/threads/${threadId}/guest-links`,
      { recipientEmail, ...(lifetimeSeconds ? { lifetimeSeconds } : {}) },
    );
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    tokens.add(res.body.token);
    return res.body;
  }

  async function revoke(linkId: string) {
    expect((await kit.admin.request('DELETE', `/api/support/guest-links/${linkId}`)).status).toBe(200);
  }

  /** What the guest sees when they follow the link. */
  async function open(token: string, threadId: string) {
    const res = await kit.desk
      .guest(token)
      .request<{ thread?: { threadId: string } }>('GET', `/api/support/threads/${threadId}`);
    return { status: res.status, threadId: res.body.thread?.threadId };
  }

  it('when a link is issued to an address, then that address gets one email with the link, which opens the thread', async () => {
    const threadId = await kit.raise({ subject: 'Customs papers' });
    const link = await issue(threadId, 'guest.issued@example.com');
    await kit.drain(kit.worker({ logger }));
    const rows = (await kit.outbox({ threadId })).filter((r) => r.template === 'guest_link_issued');
    expect(rows.map((r) => [r.recipient, r.audience, r.status])).toEqual([
      ['guest.issued@example.com', 'guest', 'sent'],
    ]);
    const [email, ...more] = emailsTo('guest.issued@example.com');
    expect(more).toEqual([]);
    expect(email!.subject).toBe('Your link to the conversation [A-1001] Customs papers');
    expect(email!.text).toContain(`${'http://127.0.0.1:3000'}/t/${link.token}`);
    expect(email!.html).toContain(`href="http://127.0.0.1:3000/t/${link.token}"`);
    expect(email!.text).toContain('Please do not forward this email.');
    expect(email!.text).not.toContain('received earlier');
    // the link the email carries is the one staff were shown, and it works
    expect(linkIn(email!)?.token).toBe(link.token);
    const opened = await open(linkIn(email!)!.token, threadId);
    expect(opened.status).toBe(200);
    expect(opened.threadId).toBe(threadId);
    // threaded into the conversation's email thread: a reply to its first email (to support)
    const support = (await kit.outbox({ threadId })).find((r) => r.template === 'query_raised_support')!;
    expect(email!.headers['In-Reply-To']).toBe(`<thread-${threadId}.${support.id}@example.com>`);
    // the outbox keeps a preview with the token elided, never the token
    expect(rows[0]!.text).toContain('/t/…');
    expect(rows[0]!.text).not.toContain(link.token);
  });

  it('when the worker restarts and reads the log again, then the link is still emailed once', async () => {
    const threadId = await kit.raise();
    await issue(threadId, 'guest.once@example.com');
    await kit.drain(kit.worker({ logger }));
    await kit.desk.db.pool.query(`UPDATE email_checkpoints SET position = '-1--1'`);
    await kit.drain(kit.worker({ logger }));
    const [row, ...others] = (await kit.outbox({ threadId })).filter((r) => r.recipient === 'guest.once@example.com');
    expect(others).toEqual([]);
    expect(kit.fake.deliveriesFor(row!.id)).toBe(1);
    expect(emailsTo('guest.once@example.com')).toHaveLength(1);
  });

  it('when a link has no recipient, then nobody is emailed', async () => {
    const threadId = await kit.raise();
    await issue(threadId, null);
    await kit.drain(kit.worker({ logger }));
    expect((await kit.outbox({ threadId })).filter((r) => r.audience === 'guest')).toEqual([]);
  });

  it('when staff reply, then the guest’s email carries their working link, which opens the thread', async () => {
    const threadId = await kit.raise();
    const link = await issue(threadId, 'guest.reply@example.com');
    await kit.post(threadId, 'Here is what we found.');
    await kit.drain(kit.worker({ logger }));
    const reply = emailsTo('guest.reply@example.com').find((e) => e.subject.startsWith('Re: '))!;
    expect(reply.text).toContain('Here is what we found.');
    expect(reply.text).toContain(`Reply in the conversation: http://127.0.0.1:3000/t/${link.token}\n`);
    expect(reply.text).not.toContain('/portal/threads/');
    expect(reply.text).not.toContain('received earlier');
    const opened = await open(linkIn(reply)!.token, threadId);
    expect(opened.status).toBe(200);
    expect(opened.threadId).toBe(threadId);
  });

  it('when a link is revoked before its emails go out, then no email carries it: they say it has ended', async () => {
    const threadId = await kit.raise();
    const link = await issue(threadId, 'guest.revoked@example.com');
    await kit.post(threadId, 'An answer written while the link worked.');
    await revoke(link.linkId);
    await kit.post(threadId, 'An answer written after the revocation.');
    // the worker was away for all of it: it reads issue, reply, revocation and reply in one go
    await kit.drain(kit.worker({ logger }));
    const emails = emailsTo('guest.revoked@example.com');
    // the issue email and the first reply (the guest could read it when it was written); not the second
    expect(emails.map((e) => e.subject.split(' ')[0]).sort()).toEqual(['Re:', 'Your']);
    for (const email of emails) {
      expect(JSON.stringify(email)).not.toContain(link.token);
      expect(linkIn(email)).toBeUndefined();
      expect(email.text).toContain('has ended');
      expect(email.text).toContain('ask support for a new link: support@example.com');
    }
    expect(emails.some((e) => (e.text ?? '').includes('after the revocation'))).toBe(false);
    // what staff see: delivered, with the link named by its id
    const outcomes = await kit.emailEvents(threadId);
    const guestOutcomes = outcomes.filter((e) => e.data.recipient === 'guest.revoked@example.com');
    expect(guestOutcomes.map((e) => [e.type, e.data.guestLinkId])).toEqual([
      ['EmailDelivered', link.linkId],
      ['EmailDelivered', link.linkId],
    ]);
    expect((await open(link.token, threadId)).status).toBe(401);
  });

  it('when a link expires before its email goes out, then the email carries no link', async () => {
    const threadId = await kit.raise();
    const link = await issue(threadId, 'guest.expired@example.com', 60);
    kit.desk.clock.shift(120_000);
    onTestFinished(() => void kit.desk.clock.shift(-120_000));
    await kit.drain(kit.worker({ logger, clock: kit.desk.clock.now }));
    const [email, ...more] = emailsTo('guest.expired@example.com');
    expect(more).toEqual([]);
    expect(email!.text).toContain('has ended');
    expect(JSON.stringify(email)).not.toContain(link.token);
  });

  it('when a guest raised a query with an assignment link, then the link and their emails open that thread', async () => {
    const issued = await kit.admin.request<{ linkId: string; token: string }>(
      'POST',
      '/api/support/assignments/asg-1002/guest-links',
      { recipientEmail: 'guest.assignment@example.com' },
    );
    expect(issued.status).toBe(201);
    tokens.add(issued.body.token);
    await kit.drain(kit.worker({ logger }));
    // the link's own email belongs to no thread: its outcome is on the link's email stream
    const [handout] = emailsTo('guest.assignment@example.com');
    expect(handout!.subject).toBe('Your link to the queries about assignment A-1002');
    expect(linkIn(handout!)).toEqual({ token: issued.body.token, threadId: undefined });
    const outcome = await kit.desk.eventStore.readStream(`guestLinkEmail-${issued.body.linkId}`);
    expect(outcome.map((e) => [e.type, e.data.threadId, e.data.guestLinkId])).toEqual([
      ['EmailDelivered', null, issued.body.linkId],
    ]);

    const threadId = await kit.raise({ assignmentId: 'asg-1002' }, kit.desk.guest(issued.body.token));
    await kit.post(threadId, 'Thanks, we will check.');
    await kit.drain(kit.worker({ logger }));
    const threadEmails = emailsTo('guest.assignment@example.com').filter((e) => e !== handout);
    expect(threadEmails.map((e) => e.subject.split(' ')[0]).sort()).toEqual(['Re:', 'We']);
    for (const email of threadEmails) {
      expect(linkIn(email)).toEqual({ token: issued.body.token, threadId });
      expect((await open(issued.body.token, threadId)).status).toBe(200);
    }
  });

  it('when a link was issued before links were emailed (a random token), then it still works, and emails say they cannot carry it', async () => {
    const threadId = await kit.raise();
    const legacy = newGuestToken();
    tokens.add(legacy.token);
    await handleCommand(
      kit.desk.eventStore,
      guestLinkDecider,
      guestLinkStreamName(legacy.tokenHash),
      {
        type: 'IssueGuestLink',
        data: {
          tokenHash: legacy.tokenHash,
          scope: { kind: 'thread', threadId },
          recipientEmail: 'guest.legacy@example.com',
          lifetimeSeconds: 3600,
        },
        metadata: { now: kit.desk.clock.now(), author: { kind: 'staff', id: 'x', name: 'Old release' } },
      },
      { metadata: { actor: { type: 'user', id: 'x' } } },
    );
    await kit.post(threadId, 'A reply for the old link.');
    await kit.drain(kit.worker({ logger }));
    expect((await open(legacy.token, threadId)).status).toBe(200);
    // no issue email (it was handed over by hand back then); the reply says what it can
    const [reply, ...more] = emailsTo('guest.legacy@example.com');
    expect(more).toEqual([]);
    expect(reply!.subject).toMatch(/^Re: /);
    expect(reply!.text).toContain('This email cannot carry your guest link');
    expect(reply!.text).not.toContain('received earlier');
    expect(linkIn(reply!)).toBeUndefined();
  });

  it('when the email worker has another secret than the API, then the email carries no wrong link and the worker says why', async () => {
    const threadId = await kit.raise();
    await issue(threadId, 'guest.othersecret@example.com');
    await kit.drain(kit.worker({ logger, guestLinkSecrets: ['another-secret-that-is-long-enough-000000'] }));
    const [email] = emailsTo('guest.othersecret@example.com');
    expect(linkIn(email!)).toBeUndefined();
    expect(email!.text).toContain('This email cannot carry your guest link');
    expect(logs).toContain('GUEST_LINK_SECRET differs');
  });

  it('when a partner is emailed, then the link goes to their thread in the portal', async () => {
    const threadId = await kit.raise();
    await kit.post(threadId, 'For the partner.');
    await kit.drain(kit.worker({ logger }));
    const reply = emailsTo('partner@acme.test').find((e) => (e.text ?? '').includes('For the partner.'))!;
    expect(reply.text).toContain(`Reply in the conversation: http://127.0.0.1:3000/portal/threads/${threadId}\n`);
    expect(reply.html).toContain(`href="http://127.0.0.1:3000/portal/threads/${threadId}"`);
    expect(linkIn(reply)).toBeUndefined();
  });

  it('then no raw token is in the event log, the outbox or the logs; only in its recipient’s emails', async () => {
    expect(tokens.size).toBeGreaterThan(5);
    expect(logs.length).toBeGreaterThan(0);
    const needles = [...tokens];
    const { rows } = await kit.desk.db.pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM es_events e
        WHERE EXISTS (SELECT 1 FROM unnest($1::text[]) AS t(needle)
                       WHERE strpos(row_to_json(e)::text, t.needle) > 0)`,
      [needles],
    );
    expect(rows[0]!.n).toBe(0);
    const { rows: outbox } = await kit.desk.db.pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM email_outbox o
        WHERE EXISTS (SELECT 1 FROM unnest($1::text[]) AS t(needle) WHERE strpos(row_to_json(o)::text, t.needle) > 0)`,
      [needles],
    );
    expect(outbox[0]!.n).toBe(0);
    for (const token of needles) expect(logs).not.toContain(token);
    // the scan finds what is there: the hashes are in the log, the tokens in their recipients' emails
    const { rows: hashes } = await kit.desk.db.pool.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM es_events WHERE event_type = 'GuestLinkIssued'",
    );
    expect(hashes[0]!.n).toBeGreaterThan(5);
    const carried = kit.fake.delivered.flatMap((e) => {
      const link = linkIn(e);
      return link ? [link.token] : [];
    });
    expect(carried.length).toBeGreaterThan(3);
    for (const token of carried) expect(tokens.has(token)).toBe(true);
  });
});
