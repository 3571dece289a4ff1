import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { plainWords, type ProblemCode } from '../../platform/http/plainWords.js';
import { expectPlainSentence } from '../support/plainSentence.js';
import { paymentQuery, raiseQuery } from '../support/raiseQuery.js';
import { startTestDesk, type Answer, type ApiClient, type TestDesk } from '../support/testDesk.js';

/**
 * Every refusal a person can meet in the web app, provoked over real HTTP: the answer keeps its
 * machine-readable `type` and `code`, and its `detail` is a sentence written for the person (no
 * thread ids, no status constants, no revision numbers); what changed nothing stays unchanged.
 */
describe('refusals a person can meet, in plain words', () => {
  let desk: TestDesk;
  let agent: ApiClient;
  let partner: ApiClient;
  let admin: ApiClient;

  const query = paymentQuery;

  const raise = async (): Promise<string> => (await raiseQuery(partner)).threadId;

  /** The answer is the refusal `code` with `status`, its detail the code's sentence, and nothing was appended. */
  async function refused(
    act: () => Promise<Answer>,
    status: number,
    code: ProblemCode,
    sentence: string = plainWords(code),
  ): Promise<Answer> {
    const before = await desk.countEvents();
    const answer = await act();
    expect(answer.status, JSON.stringify(answer.body)).toBe(status);
    expect(answer.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(answer.body).toMatchObject({ type: `https://support-desk.dev/problems/${code}`, code, detail: sentence });
    expectPlainSentence(answer.body.detail as string);
    expect(await desk.countEvents()).toBe(before);
    return answer;
  }

  beforeAll(async () => {
    desk = await startTestDesk();
    agent = await desk.signIn('agent@demo.test');
    partner = await desk.signIn('partner@acme.test');
    admin = await desk.signIn('admin@demo.test');
  });
  afterAll(async () => desk?.stop());

  it('posting to a closed thread says it is closed, without its id', async () => {
    const threadId = await raise();
    expect((await agent.request('POST', `/api/support/threads/${threadId}/close`, {})).status).toBe(200);
    for (const who of [agent, partner]) {
      const answer = await refused(
        () => who.request('POST', `/api/support/threads/${threadId}/messages`, { body: 'one more thing' }),
        422,
        'thread_closed',
      );
      expect(answer.body.detail).not.toContain(threadId);
    }
  });

  it('a status change that cannot happen says where the thread is', async () => {
    const threadId = await raise();
    await refused(
      () => agent.request('POST', `/api/support/threads/${threadId}/reopen`, {}),
      422,
      'invalid_transition',
      'This thread is already open.',
    );
    expect((await agent.request('POST', `/api/support/threads/${threadId}/resolve`, {})).status).toBe(200);
    const again = await refused(
      () => agent.request('POST', `/api/support/threads/${threadId}/resolve`, {}),
      422,
      'invalid_transition',
      'This thread is already resolved.',
    );
    expect(again.body).toMatchObject({ from: 'RESOLVED', to: 'RESOLVED' }); // the machine-readable facts stay
  });

  it('a change on a page that was out of date says someone else changed the thread', async () => {
    const threadId = await raise();
    const answer = await refused(
      () => agent.request('POST', `/api/support/threads/${threadId}/messages`, { body: 'hi' }, { 'if-match': '"7"' }),
      412,
      'stale_revision',
    );
    expect(answer.body.currentRevision).toBe(0);
  });

  it('what is not there, or not theirs, is said as such', async () => {
    const unknown = '00000000-0000-4000-8000-000000000000';
    await refused(
      () => partner.request('GET', `/api/support/threads/${unknown}`),
      404,
      'not_found',
      plainWords('thread_not_found'),
    );
    await refused(
      () => partner.request('POST', '/api/support/threads', { ...query, assignmentId: 'asg-9999' }),
      404,
      'not_found',
      'This assignment does not exist, or you do not have access to it.',
    );
    const threadId = await raise();
    await refused(
      () =>
        partner.request('POST', `/api/support/threads/${threadId}/messages`, { body: 'note', visibility: 'internal' }),
      403,
      'forbidden',
      'Only support staff can add internal notes.',
    );
  });

  it('signing in, a session that ended, a page out of date and a dead guest link', async () => {
    await refused(
      () =>
        desk.anonymous.request('POST', '/api/auth/sign-in', { email: 'agent@demo.test', password: 'wrong-password' }),
      401,
      'unauthenticated',
      'That email and password do not match an account.',
    );
    await refused(() => desk.anonymous.request('GET', '/api/support/inbox'), 401, 'unauthenticated');
    const threadId = await raise();
    await refused(
      () => agent.request('POST', `/api/support/threads/${threadId}/messages`, { body: 'hi' }, { 'x-csrf-token': 'x' }),
      403,
      'csrf',
    );
    await refused(
      () => desk.guest('not-a-real-link-token').request('GET', '/api/support/my/threads'),
      401,
      'invalid_link',
    );
  });

  it('bad input and a config that cannot work say what to do', async () => {
    const bad = await refused(
      () => partner.request('POST', '/api/support/threads', { ...query, subject: '' }),
      400,
      'invalid_input',
    );
    expect(bad.body.errors).toEqual([expect.objectContaining({ path: expect.stringContaining('subject') })]);
    await refused(
      () =>
        admin.request('PUT', '/api/support/config', {
          whatsappNumber: null,
          supportEmail: 'help@acme-support.test',
          portalBaseUrl: 'https://desk.example.com',
          whatsappBubbleEnabled: true,
        }),
      422,
      'whatsapp_number_required',
    );
  });
});
