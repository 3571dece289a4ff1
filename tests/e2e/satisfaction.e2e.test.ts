import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SurveyTokens } from '../../commands/satisfaction/satisfactionToken.js';
import { raiseQuery } from '../support/raiseQuery.js';
import { ok, startTestDesk, TEST_GUEST_LINK_SECRET, type ApiClient, type TestDesk } from '../support/testDesk.js';

/*
 * The satisfaction survey over the real API: a resolution offers the partner a survey, whose link
 * (rebuilt here from the event and the guest link secret, as the email worker does) opens a
 * public page that records an answer with PUT and never on GET.
 */

const DAY_MS = 24 * 60 * 60 * 1000;
const tokens = new SurveyTokens([TEST_GUEST_LINK_SECRET]);

interface Offered {
  surveyId: string;
  tokenSeed: string;
  tokenHash: string;
  scale: string;
  expiresAt: string;
  recipient: { kind: string; id: string; name: string };
}

interface PublicSurvey {
  subject: string;
  scale: string;
  ratings: unknown[];
  rating: unknown;
  comment: string | null;
  expiresAt: string;
  open: boolean;
}

describe('satisfaction survey', () => {
  let desk: TestDesk;
  let admin: ApiClient & { accountId: string };
  let partner: ApiClient & { accountId: string };
  let otherPartner: ApiClient;
  let agent: ApiClient;

  beforeAll(async () => {
    desk = await startTestDesk();
    admin = await desk.signIn('admin@demo.test');
    agent = await desk.signIn('agent@demo.test');
    partner = await desk.signIn('partner@acme.test');
    otherPartner = await desk.signIn('partner@globex.test');
  });
  afterAll(async () => desk?.stop());

  /** The surveys a thread's log records, in order. */
  async function offers(threadId: string): Promise<Offered[]> {
    const events = await desk.eventStore.readStream(`thread-${threadId}`);
    return events.filter((e) => e.type === 'SatisfactionSurveyOffered').map((e) => e.data as unknown as Offered);
  }

  /** The link's token, as the email worker rebuilds it from the latest survey's event. */
  async function tokenOf(threadId: string): Promise<string> {
    const survey = (await offers(threadId)).at(-1);
    if (!survey) throw new Error(`thread ${threadId} has no survey`);
    const token = tokens.rebuild(threadId, survey.tokenSeed, survey.tokenHash);
    if (!token) throw new Error('the test secret did not make this survey');
    return token;
  }

  async function resolvedThread(subject = 'Invoice paid twice'): Promise<string> {
    const { threadId } = await raiseQuery(partner, {
      assignmentId: 'asg-1001',
      queryType: 'PAYMENT',
      priority: 'HIGH',
      subject,
      body: 'Charged twice.',
    });
    await ok(admin.request('POST', `/api/support/threads/${threadId}/resolve`), 200);
    return threadId;
  }

  const survey = (token: string) => `/api/public/satisfaction/${token}`;

  it('when a partner’s thread is resolved, then the partner is offered a survey: seed and hash in the event, never the token', async () => {
    const threadId = await resolvedThread();
    const events = await desk.eventStore.readStream(`thread-${threadId}`);
    expect(events.map((e) => e.type)).toEqual(['QueryRaised', 'ThreadResolved', 'SatisfactionSurveyOffered']);
    const [offered] = await offers(threadId);
    expect(offered).toMatchObject({
      scale: 'three',
      recipient: { kind: 'partner', id: partner.accountId },
    });
    expect(Date.parse(offered!.expiresAt) - Date.parse(String(events[1]!.data.occurredAt))).toBe(14 * DAY_MS);
    const token = await tokenOf(threadId);
    expect(JSON.stringify(events.map((e) => e.data))).not.toContain(token);
    expect(JSON.stringify(events.map((e) => e.data))).not.toContain(token.slice(22));
  });

  it('when the link is opened anonymously, then GET shows the survey and records nothing; PUT records the answer as the partner', async () => {
    const threadId = await resolvedThread('Delivery note missing');
    const token = await tokenOf(threadId);
    const before = await desk.countEvents();
    const read = await desk.anonymous.request<PublicSurvey>('GET', survey(token));
    expect(read.status).toBe(200);
    expect(read.headers.get('cache-control')).toBe('no-store');
    expect(read.body).toMatchObject({
      subject: 'Delivery note missing',
      scale: 'three',
      ratings: ['good', 'okay', 'bad'],
      rating: null,
      comment: null,
      open: true,
    });
    expect(await desk.countEvents()).toBe(before); // mail scanners open links: GET changes nothing

    const rated = await desk.anonymous.request<PublicSurvey>('PUT', survey(token), {
      rating: 'good',
      comment: '  Quick and clear.  ',
    });
    expect(rated.status).toBe(200);
    expect(rated.body).toMatchObject({ rating: 'good', comment: 'Quick and clear.', open: true });
    const last = (await desk.eventStore.readStream(`thread-${threadId}`)).at(-1)!;
    expect(last.type).toBe('SatisfactionRated');
    // the read model's revision (the ETag staff send back) stays the stream's
    const answer = rated.body as unknown as { revision: number; position: string };
    expect(answer.revision).toBe(last.revision);
    const staffView = await admin.request<{ thread: { revision: number } }>(
      'GET',
      `/api/support/threads/${threadId}?waitFor=${answer.position}`,
    );
    expect(staffView.body.thread.revision).toBe(last.revision);
    expect(last.data).toMatchObject({
      rating: 'good',
      comment: 'Quick and clear.',
      by: { kind: 'partner', id: partner.accountId, name: expect.any(String) },
    });
    expect(JSON.stringify(last.metadata)).not.toContain(token);

    // the same answer again (a page reloaded) appends nothing
    const count = await desk.countEvents();
    expect((await desk.anonymous.request('PUT', survey(token), { rating: 'good' })).status).toBe(200);
    expect(await desk.countEvents()).toBe(count);
  });

  it('when the answer is changed within the expiry, then the latest counts; an omitted comment stays; after the expiry it is refused', async () => {
    const threadId = await resolvedThread('Wrong rate applied');
    const token = await tokenOf(threadId);
    await ok(desk.anonymous.request('PUT', survey(token), { rating: 'bad', comment: 'Slow answer' }), 200);
    const changed = await desk.anonymous.request<PublicSurvey>('PUT', survey(token), { rating: 'okay' });
    expect(changed.body).toMatchObject({ rating: 'okay', comment: 'Slow answer' });
    const rated = (await desk.eventStore.readStream(`thread-${threadId}`)).filter(
      (e) => e.type === 'SatisfactionRated',
    );
    expect(rated.map((e) => e.data.rating)).toEqual(['bad', 'okay']);

    desk.clock.shift(14 * DAY_MS + 1000);
    try {
      const before = await desk.countEvents();
      const late = await desk.anonymous.request<{ code: string; detail: string }>('PUT', survey(token), {
        rating: 'good',
      });
      expect(late.status).toBe(422);
      expect(late.body.code).toBe('survey_expired');
      expect(late.body.detail).toBe('This survey has closed, so it takes no more answers. Thank you all the same.');
      expect(await desk.countEvents()).toBe(before);
      const read = await desk.anonymous.request<PublicSurvey>('GET', survey(token));
      expect(read.body).toMatchObject({ open: false, rating: 'okay', comment: 'Slow answer' });
    } finally {
      desk.clock.shift(-(14 * DAY_MS + 1000));
    }
  });

  it('when a token is wrong, malformed or of another scale’s rating, then it is refused and nothing is appended', async () => {
    const threadId = await resolvedThread('Access to the portal');
    const token = await tokenOf(threadId);
    const before = await desk.countEvents();
    // the right thread, a wrong secret part: the same answer as no survey at all
    const forged = `${token.slice(0, 22)}${'A'.repeat(43)}`;
    for (const wrong of [forged, 'not-a-token', token.slice(0, 64), `${token}x`]) {
      for (const method of ['GET', 'PUT'] as const) {
        const res = await desk.anonymous.request<{ code: string }>(
          method,
          survey(wrong),
          method === 'PUT' ? { rating: 'good' } : undefined,
        );
        expect(res.status, `${method} ${wrong}`).toBe(404);
        expect(res.body.code).toBe('survey_not_found');
      }
    }
    const offScale = await desk.anonymous.request<{ issues?: unknown; errors?: { path: string; message: string }[] }>(
      'PUT',
      survey(token),
      { rating: 4 },
    );
    expect(offScale.status).toBe(422);
    expect(offScale.body.errors).toEqual([{ path: 'rating', message: 'must be one of good, okay, bad' }]);
    const unknown = await desk.anonymous.request<{ errors: { path: string }[] }>('PUT', survey(token), {
      rating: 'great',
      comment: 'x'.repeat(2001),
    });
    expect(unknown.status).toBe(400);
    expect(unknown.body.errors.map((e) => e.path).sort()).toEqual(['body.comment', 'body.rating']);
    expect(await desk.countEvents()).toBe(before);
  });

  it('when staff open the thread, then they see the rating and comment; partners, of this organisation or another, do not', async () => {
    const threadId = await resolvedThread('Schedule moved');
    const token = await tokenOf(threadId);
    await ok(desk.anonymous.request('PUT', survey(token), { rating: 'bad', comment: 'Took a week' }), 200);
    for (const staff of [admin, agent]) {
      const res = await staff.request<{ surveys: Record<string, unknown>[] }>(
        'GET',
        `/api/support/threads/${threadId}/satisfaction`,
      );
      expect(res.status).toBe(200);
      expect(res.body.surveys).toEqual([
        expect.objectContaining({
          rating: 'bad',
          comment: 'Took a week',
          scale: 'three',
          open: true,
          answers: 1,
          recipient: expect.objectContaining({ kind: 'partner', id: partner.accountId }),
        }),
      ]);
      expect(JSON.stringify(res.body)).not.toContain('tokenSeed');
    }
    expect((await partner.request('GET', `/api/support/threads/${threadId}/satisfaction`)).status).toBe(403);
    expect((await otherPartner.request('GET', `/api/support/threads/${threadId}/satisfaction`)).status).toBe(403);
    expect((await otherPartner.request('GET', `/api/support/threads/${threadId}`)).status).toBe(404);
    expect((await desk.anonymous.request('GET', `/api/support/threads/${threadId}/satisfaction`)).status).toBe(401);
    // and the audit history holds the answer as a thread event
    const history = await admin.request<{ events: { type: string }[] }>(
      'GET',
      `/api/audit/threads/${threadId}/history`,
    );
    expect(history.body.events.map((e) => e.type)).toContain('SatisfactionRated');
  });

  it('when a thread is reopened and resolved again, then it asks again; the admin’s scale, lifetime and switch apply', async () => {
    const threadId = await resolvedThread('Documents expired');
    const config = await ok<Record<string, unknown>>(admin.request('GET', '/api/support/config'), 200);
    expect(config).toMatchObject({
      satisfactionSurveyEnabled: true,
      satisfactionScale: 'three',
      satisfactionLinkDays: 14,
    });
    const { revision: _r, position: _p, ...values } = config;
    await ok(
      admin.request('PUT', '/api/support/config', { ...values, satisfactionScale: 'five', satisfactionLinkDays: 3 }),
      200,
    );
    try {
      await ok(admin.request('POST', `/api/support/threads/${threadId}/reopen`), 200);
      await ok(admin.request('POST', `/api/support/threads/${threadId}/resolve`), 200);
      const [first, second] = await offers(threadId);
      expect(first?.scale).toBe('three');
      expect(second).toMatchObject({ scale: 'five' });
      const token = await tokenOf(threadId);
      const read = await desk.anonymous.request<PublicSurvey>('GET', survey(token));
      expect(read.body.ratings).toEqual([5, 4, 3, 2, 1]);
      expect(Date.parse(read.body.expiresAt) - Date.parse(String(second!.expiresAt))).toBe(0);
      await ok(desk.anonymous.request('PUT', survey(token), { rating: 4 }), 200);
      const staffView = await admin.request<{ surveys: { rating: unknown; scale: string }[] }>(
        'GET',
        `/api/support/threads/${threadId}/satisfaction`,
      );
      expect(staffView.body.surveys.map((s) => [s.scale, s.rating])).toEqual([
        ['five', 4],
        ['three', null],
      ]);

      // switched off: a resolution asks nobody
      await ok(admin.request('PUT', '/api/support/config', { ...values, satisfactionSurveyEnabled: false }), 200);
      await ok(admin.request('POST', `/api/support/threads/${threadId}/reopen`), 200);
      await ok(admin.request('POST', `/api/support/threads/${threadId}/resolve`), 200);
      expect(await offers(threadId)).toHaveLength(2);
    } finally {
      await ok(admin.request('PUT', '/api/support/config', values), 200);
    }
  });

  it('when a bad lifetime or scale is saved, then 400 names the fields and nothing changes', async () => {
    const config = await ok<Record<string, unknown>>(admin.request('GET', '/api/support/config'), 200);
    const { revision: _r, position: _p, ...values } = config;
    const before = await desk.countEvents();
    const res = await admin.request<{ errors: { path: string }[] }>('PUT', '/api/support/config', {
      ...values,
      satisfactionScale: 'ten',
      satisfactionLinkDays: 0,
    });
    expect(res.status).toBe(400);
    expect(res.body.errors.map((e) => e.path).sort()).toEqual(['body.satisfactionLinkDays', 'body.satisfactionScale']);
    expect(await desk.countEvents()).toBe(before);
  });

  it('the ratings are counted by value in /metrics', async () => {
    const metrics = await (await fetch(`${desk.base}/metrics`)).text();
    expect(metrics).toMatch(/^support_desk_satisfaction_ratings_total\{rating="good"\} 1$/m);
    expect(metrics).toMatch(/^support_desk_satisfaction_ratings_total\{rating="4"\} 1$/m);
  });

  it('when one address tries token after token, then it meets the guest tokens’ limit (429) and nothing is read', async () => {
    // fixed windows on the desk's clock: start a fresh one so that the count is this test's
    desk.clock.toWindowStart(60);
    const guess = (n: number) => survey(`${'A'.repeat(22)}${String(n).padStart(43, 'B')}`);
    const answers: number[] = [];
    for (let n = 0; n < 120; n++) answers.push((await desk.anonymous.request('GET', guess(n))).status);
    expect(answers.every((status) => status === 404)).toBe(true);
    const limited = await desk.anonymous.request<{ code: string }>('PUT', guess(120), { rating: 'good' });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
  });
});
