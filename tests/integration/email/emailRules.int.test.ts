import { afterAll, beforeAll, beforeEach, describe, expect, it, onTestFinished } from 'vitest';
import { emailIdFor } from '../../../workers/email/outboxRows.js';
import { startEmailKit, type EmailKit } from './emailTestKit.js';

/**
 * Which events send which emails to whom, what the emails say, and the headers that thread
 * them — through the real command API, the real worker and the real `resend` SDK over HTTP.
 */
describe('email process manager: who gets what', () => {
  let kit: EmailKit;

  beforeAll(async () => {
    kit = await startEmailKit();
  });
  afterAll(async () => kit?.stop());
  beforeEach(() => kit.fake.resetFaults());

  it('when a partner raises a query, then the support address is notified and the partner acknowledged', async () => {
    const threadId = await kit.raise({ subject: 'Pallet count differs' });
    await kit.drain(kit.worker());
    const rows = await kit.outbox({ threadId });
    expect(rows.map((r) => [r.template, r.recipient, r.audience, r.status])).toEqual([
      ['query_raised_ack', 'partner@acme.test', 'partner', 'sent'],
      ['query_raised_support', 'support@example.com', 'support', 'sent'],
    ]);
    const [raised] = await kit.threadEvents(threadId);
    for (const row of rows) {
      expect(row.id).toBe(emailIdFor(raised!.id, row.template as 'query_raised_ack', row.recipient));
      expect(kit.fake.deliveriesFor(row.id)).toBe(1);
      expect(row.message_id).toBe(raised!.data.messageId);
    }
    const support = kit.fake.emailsFor(rows[1]!.id)[0]!;
    expect(support.from).toBe('Support desk <desk@example.com>');
    expect(support.subject).toBe('New query [A-1001] Pallet count differs');
    expect(support.html).toContain(`http://127.0.0.1:3000/admin/support?thread=${threadId}`);
    const ack = kit.fake.emailsFor(rows[0]!.id)[0]!;
    expect(ack.text).toContain(`http://127.0.0.1:3000/portal/threads/${threadId}`);
    expect(ack.html).not.toContain('/admin/support');
  });

  it('when staff reply externally, then the partner and every live thread guest get it; revoked and expired links do not', async () => {
    const threadId = await kit.raise();
    await kit.issueThreadLink(threadId, 'guest.live@example.com');
    const revoked = await kit.issueThreadLink(threadId, 'guest.revoked@example.com');
    expect((await kit.admin.request('DELETE', `/api/support/guest-links/${revoked.linkId}`)).status).toBe(200);
    await kit.issueThreadLink(threadId, 'guest.expiring@example.com', 60);
    kit.desk.clock.shift(120_000); // the 60-second link has expired when the reply is posted
    onTestFinished(() => void kit.desk.clock.shift(-120_000)); // the next test finds the desk's time as it was
    const messageId = await kit.post(threadId, 'We are on it.');
    await kit.drain(kit.worker());
    const replies = (await kit.outbox({ threadId })).filter((r) => r.template === 'staff_reply');
    expect(replies.map((r) => [r.recipient, r.audience, r.status]).sort()).toEqual([
      ['guest.live@example.com', 'guest', 'sent'],
      ['partner@acme.test', 'partner', 'sent'],
    ]);
    for (const row of replies) expect(row.message_id).toBe(messageId);
    // the guest's email carries their own link (docs/decisions/0005), not a sign-in page
    const guestEmail = kit.fake.emailsFor(replies.find((r) => r.audience === 'guest')!.id)[0]!;
    expect(guestEmail.text).toMatch(/\/t\/[A-Za-z0-9_-]{43}\n/);
    expect(guestEmail.text).not.toContain('/portal/threads/');
    expect(guestEmail.text).not.toContain('received earlier');
  });

  it('when staff add an internal note, then nobody is emailed; when the partner writes, then only staff are told', async () => {
    const threadId = await kit.raise();
    await kit.drain(kit.worker());
    const before = (await kit.outbox({ threadId })).length;
    const noteId = await kit.post(threadId, 'Internal: the carrier is Acme Freight, call them.', 'internal');
    const partnerMessageId = await kit.post(threadId, 'Any news?', 'external', kit.partner);
    await kit.drain(kit.worker());
    const rows = await kit.outbox({ threadId });
    // the unassigned thread's partner message goes to the support address (notifyTeamOfUnassigned), nobody else
    expect(rows.slice(before).map((r) => [r.template, r.audience, r.message_id])).toEqual([
      ['partner_wrote', 'support', partnerMessageId],
    ]);
    expect(rows.some((r) => r.message_id === noteId)).toBe(false);
    expect(kit.fake.delivered.some((e) => (e.text ?? '').includes('Acme Freight'))).toBe(false);
  });

  it('when the thread is resolved, then the partner is told', async () => {
    const threadId = await kit.raise();
    await kit.transition(threadId, 'resolve');
    await kit.drain(kit.worker());
    const resolved = (await kit.outbox({ threadId })).filter((r) => r.template === 'thread_resolved');
    expect(resolved.map((r) => [r.recipient, r.status, r.message_id])).toEqual([['partner@acme.test', 'sent', null]]);
    expect(kit.fake.emailsFor(resolved[0]!.id)[0]!.subject).toBe('Resolved: [A-1001] Missing delivery note');
  });

  it('when the support address is changed in the system config, then new queries notify the new address', async () => {
    const res = await kit.admin.request('PUT', '/api/support/config', {
      whatsappNumber: null,
      supportEmail: 'help@desk.example.com',
      portalBaseUrl: 'https://desk.example.com/',
      whatsappBubbleEnabled: false,
    });
    expect(res.status).toBe(200);
    const threadId = await kit.raise();
    await kit.drain(kit.worker());
    const support = (await kit.outbox({ threadId })).find((r) => r.template === 'query_raised_support')!;
    expect(support.recipient).toBe('help@desk.example.com');
    expect(support.html).toContain(`https://desk.example.com/admin/support?thread=${threadId}`);
  });

  it('when a guest with an assignment link raises a query, then the guest is acknowledged and gets the staff replies', async () => {
    const link = await kit.admin.request<{ token: string }>('POST', '/api/support/assignments/asg-1002/guest-links', {
      recipientEmail: 'guest.raiser@example.com',
    });
    expect(link.status).toBe(201);
    const threadId = await kit.raise({ assignmentId: 'asg-1002' }, kit.desk.guest(link.body.token));
    await kit.post(threadId, 'Thanks, we will check.');
    await kit.drain(kit.worker());
    const rows = await kit.outbox({ threadId });
    expect(rows.filter((r) => r.audience !== 'support').map((r) => [r.template, r.recipient, r.audience])).toEqual([
      ['query_raised_ack', 'guest.raiser@example.com', 'guest'],
      ['staff_reply', 'guest.raiser@example.com', 'guest'],
    ]);
  });

  it('when people write HTML and <script>, then every email carries it escaped in HTML and as plain text in text', async () => {
    const subject = 'Broken <b>invoice</b> & <script>alert("s")</script>';
    const body = 'Hello <script>alert(1)</script> <img src=x onerror=alert(2)> "quoted" & more';
    const threadId = await kit.raise({ subject, body });
    await kit.issueThreadLink(threadId, 'guest.escape@example.com');
    await kit.post(threadId, 'Reply with <script>steal(document.cookie)</script> & <a href="javascript:x">link</a>');
    await kit.transition(threadId, 'resolve');
    await kit.drain(kit.worker());
    const rows = await kit.outbox({ threadId });
    expect(rows.map((r) => r.template).sort()).toEqual([
      'guest_link_issued',
      'query_raised_ack',
      'query_raised_support',
      'satisfaction_survey',
      'staff_reply',
      'staff_reply',
      'thread_resolved',
    ]);
    for (const row of rows) {
      const [email] = kit.fake.emailsFor(row.id);
      expect(email, row.template).toBeDefined();
      const html = email!.html!;
      expect(html).not.toMatch(/<script|<img|<b>|javascript:x"/i);
      expect(html).toContain(
        'Broken &lt;b&gt;invoice&lt;/b&gt; &amp; &lt;script&gt;alert(&quot;s&quot;)&lt;/script&gt;',
      );
      // plain text is not HTML: the words arrive exactly as written
      expect(email!.text).toContain('Broken <b>invoice</b> & <script>alert("s")</script>');
      expect(email!.subject).toContain('Broken <b>invoice</b> & <script>alert("s")</script>');
      expect(email!.subject).not.toMatch(/[\r\n]/);
    }
    const ack = kit.fake.emailsFor(rows.find((r) => r.template === 'query_raised_ack')!.id)[0]!;
    expect(ack.html).toContain('Hello &lt;script&gt;alert(1)&lt;/script&gt; &lt;img src=x onerror=alert(2)&gt;');
    expect(ack.text).toContain('> Hello <script>alert(1)</script> <img src=x onerror=alert(2)> "quoted" & more');
    const reply = kit.fake.emailsFor(rows.find((r) => r.template === 'staff_reply')!.id)[0]!;
    expect(reply.html).toContain(
      '&lt;script&gt;steal(document.cookie)&lt;/script&gt; &amp; &lt;a href=&quot;javascript:x&quot;&gt;',
    );
  });

  it('when a subject holds line breaks, then the subject line stays one line', async () => {
    const threadId = await kit.raise({ subject: 'Two\r\nBcc: victim@example.com' });
    await kit.drain(kit.worker());
    for (const row of await kit.outbox({ threadId })) {
      expect(kit.fake.emailsFor(row.id)[0]!.subject).not.toMatch(/[\r\n]/);
    }
  });

  it('then Message-ID, In-Reply-To and References thread the conversation, and stay the same on every attempt', async () => {
    const threadId = await kit.raise();
    await kit.post(threadId, 'First answer');
    kit.fake.setFaults({ serverErrorRate: 0.5 });
    await kit.drain(kit.worker());
    const rows = await kit.outbox({ threadId });
    const row = (template: string) => rows.find((r) => r.template === template)!;
    const own = (template: string) => `<thread-${threadId}.${row(template).id}@example.com>`;
    // the first email about the thread (to support) is its root; no INBOUND_EMAIL_DOMAIN: no Reply-To
    const root = own('query_raised_support');
    const expected: Record<string, Record<string, string>> = {
      query_raised_support: { 'Message-ID': root },
      query_raised_ack: { 'Message-ID': own('query_raised_ack'), 'In-Reply-To': root, References: root },
      staff_reply: {
        'Message-ID': own('staff_reply'),
        'In-Reply-To': root,
        References: `${root} ${own('query_raised_ack')}`,
      },
    };
    expect(rows).toHaveLength(3);
    for (const row of rows) {
      expect(row.headers).toEqual(expected[row.template]);
      expect(kit.fake.emailsFor(row.id)[0]!.headers).toEqual(expected[row.template]);
      // every request for this email, failed or not, carried the very same payload
      const payloads = kit.fake.log.filter((l) => l.idempotencyKey === row.id).map((l) => JSON.stringify(l.payload));
      expect(new Set(payloads).size).toBe(1);
    }
  });

  it('when the process manager runs again over the same events, then no email is written twice', async () => {
    const threadId = await kit.raise();
    const first = kit.worker();
    await kit.drain(first);
    const count = (await kit.outbox({ threadId })).length;
    await kit.desk.db.pool.query(`UPDATE email_checkpoints SET position = '-1--1'`);
    await kit.drain(kit.worker());
    expect(await kit.outbox({ threadId })).toHaveLength(count);
    for (const row of await kit.outbox({ threadId })) expect(kit.fake.deliveriesFor(row.id)).toBe(1);
  });
});
