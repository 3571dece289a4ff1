import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ReceivedEmail } from '../../support/fakeResend/fakeResendServer.js';
import { startEmailKit, type EmailKit } from './emailTestKit.js';

/**
 * The satisfaction survey's email (docs/satisfaction.md): one per offered survey, to the raiser
 * while they can still see the thread, with one working link per rating and one to comment; the
 * token is rebuilt as it is sent and never stored. Real desk, real worker, the real `resend` SDK
 * against the local Resend-compatible server.
 */

const RATE_URL = /http:\/\/127\.0\.0\.1:3000\/rate\/([A-Za-z0-9_-]{65})(\?rating=[a-z0-9]+|#comment)/g;

/** The survey links an email carries: each rating's, and the comment's. */
function surveyLinks(email: ReceivedEmail): { token: string; what: string }[] {
  return [...(email.text ?? '').matchAll(RATE_URL)].map((m) => ({ token: m[1]!, what: m[2]! }));
}

describe('satisfaction survey emails', () => {
  let kit: EmailKit;

  beforeAll(async () => {
    kit = await startEmailKit();
  });
  afterAll(async () => kit?.stop());
  beforeEach(() => kit.fake.resetFaults());

  const surveysTo = (recipient: string) =>
    kit.fake.delivered.filter((e) => e.to.includes(recipient) && e.subject.startsWith('How did we do?'));

  it('when a partner’s thread is resolved, then the partner gets one survey email whose links record their answer', async () => {
    const threadId = await kit.raise({ subject: 'Pallet count wrong' });
    await kit.transition(threadId, 'resolve');
    await kit.drain(kit.worker());
    const rows = (await kit.outbox({ threadId })).filter((r) => r.template === 'satisfaction_survey');
    expect(rows.map((r) => [r.recipient, r.audience, r.status])).toEqual([['partner@acme.test', 'partner', 'sent']]);
    const [email, ...more] = surveysTo('partner@acme.test');
    expect(more).toEqual([]);
    expect(email!.subject).toBe('How did we do? [A-1001] Pallet count wrong');
    const links = surveyLinks(email!);
    expect(links.map((l) => l.what)).toEqual(['?rating=good', '?rating=okay', '?rating=bad', '#comment']);
    const token = links[0]!.token;
    expect(new Set(links.map((l) => l.token))).toEqual(new Set([token]));
    expect(email!.html).toContain(`href="http://127.0.0.1:3000/rate/${token}?rating=good"`);
    // the outbox keeps a preview with the token elided; the log holds only its seed and hash
    expect(rows[0]!.text).toContain('/rate/…?rating=good');
    expect(JSON.stringify(rows)).not.toContain(token);
    const events = await kit.threadEvents(threadId);
    expect(JSON.stringify(events.map((e) => e.data))).not.toContain(token);

    // the link works: the page reads the survey, and the answer is recorded as the partner's
    const read = await kit.desk.anonymous.request<{ subject: string; rating: unknown }>(
      'GET',
      `/api/public/satisfaction/${token}`,
    );
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({ subject: 'Pallet count wrong', rating: null });
    const rated = await kit.desk.anonymous.request('PUT', `/api/public/satisfaction/${token}`, { rating: 'okay' });
    expect(rated.status).toBe(200);
    expect((await kit.threadEvents(threadId)).at(-1)).toMatchObject({
      type: 'SatisfactionRated',
      data: { rating: 'okay', by: { kind: 'partner', id: kit.partner.accountId } },
    });

    // a worker that reads the log again sends it no second time; a rating sends nothing
    await kit.desk.db.pool.query(`UPDATE email_checkpoints SET position = '-1--1'`);
    await kit.drain(kit.worker());
    expect(surveysTo('partner@acme.test')).toHaveLength(1);
    expect(kit.fake.deliveriesFor(rows[0]!.id)).toBe(1);
  });

  it('when the thread is reopened and resolved again, then a second survey email goes out with a new link', async () => {
    const threadId = await kit.raise({ subject: 'Second round' });
    await kit.transition(threadId, 'resolve');
    await kit.transition(threadId, 'reopen');
    await kit.transition(threadId, 'resolve');
    await kit.drain(kit.worker());
    const emails = surveysTo('partner@acme.test').filter((e) => e.subject.includes('Second round'));
    expect(emails).toHaveLength(2);
    const [first, second] = emails.map((e) => surveyLinks(e)[0]!.token);
    expect(first).not.toBe(second);
  });

  it('when a guest raised the thread, then their survey goes to the address of their link; a revoked link gets none', async () => {
    const issue = async (recipientEmail: string) => {
      const res = await kit.admin.request<{ linkId: string; token: string }>(
        'POST',
        '/api/support/assignments/asg-1001/guest-links',
        { recipientEmail },
      );
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      return res.body;
    };
    const kept = await issue('guest.kept@example.com');
    const revoked = await issue('guest.revoked@example.com');
    const keptThread = await kit.raise({ subject: 'Guest asks' }, kit.desk.guest(kept.token));
    const revokedThread = await kit.raise({ subject: 'Guest gone' }, kit.desk.guest(revoked.token));
    expect((await kit.admin.request('DELETE', `/api/support/guest-links/${revoked.linkId}`)).status).toBe(200);
    await kit.transition(keptThread, 'resolve');
    await kit.transition(revokedThread, 'resolve');
    await kit.drain(kit.worker());

    const [email, ...more] = surveysTo('guest.kept@example.com');
    expect(more).toEqual([]);
    const token = surveyLinks(email!)[0]!.token;
    expect(
      (await kit.desk.anonymous.request('PUT', `/api/public/satisfaction/${token}`, { rating: 'good' })).status,
    ).toBe(200);
    expect((await kit.threadEvents(keptThread)).at(-1)).toMatchObject({
      type: 'SatisfactionRated',
      data: { by: { kind: 'guest', id: kept.linkId } },
    });
    // the revoked link's guest cannot see the thread any more: the survey is offered, but not emailed
    expect((await kit.threadEvents(revokedThread)).map((e) => e.type)).toContain('SatisfactionSurveyOffered');
    expect(surveysTo('guest.revoked@example.com')).toEqual([]);
    expect((await kit.outbox({ threadId: revokedThread })).filter((r) => r.template === 'satisfaction_survey')).toEqual(
      [],
    );
  });

  it('when the partner has moved to another organisation, then they get no survey of the old one’s thread', async () => {
    const threadId = await kit.raise({ subject: 'Before the move' });
    await kit.drain(kit.worker());
    await kit.desk.db.pool.query(`UPDATE accounts SET partner_org_id = 'globex' WHERE id = $1`, [
      kit.partner.accountId,
    ]);
    try {
      await kit.transition(threadId, 'resolve');
      await kit.drain(kit.worker());
      expect(surveysTo('partner@acme.test').filter((e) => e.subject.includes('Before the move'))).toEqual([]);
      // the resolution itself is still told (the existing rule); only the survey is held back
      expect((await kit.outbox({ threadId })).map((r) => r.template)).not.toContain('satisfaction_survey');
    } finally {
      await kit.desk.db.pool.query(`UPDATE accounts SET partner_org_id = 'acme' WHERE id = $1`, [
        kit.partner.accountId,
      ]);
    }
  });
});
