import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { paymentQuery, raiseQuery } from '../support/raiseQuery.js';
import { startTestDesk, type ApiClient, type TestDesk } from '../support/testDesk.js';

/**
 * The thread command API over real HTTP and Postgres: for each route the happy path, bad
 * input (400 naming the fields, nothing appended), refused roles, conflicts, idempotency.
 */
describe('thread commands over HTTP', () => {
  let desk: TestDesk;
  let admin: ApiClient;
  let agent: ApiClient & { accountId: string };
  let partner: ApiClient;
  let otherPartner: ApiClient;
  let auditor: ApiClient;
  let ops: ApiClient;

  const query = paymentQuery;

  const raise = (client: ApiClient = partner, body: Record<string, unknown> = query) => raiseQuery(client, body);

  /** Runs `act` and checks that it appended nothing to the log. */
  async function appendsNothing(act: () => Promise<unknown>) {
    const before = await desk.countEvents();
    await act();
    expect(await desk.countEvents()).toBe(before);
  }

  beforeAll(async () => {
    desk = await startTestDesk();
    [admin, agent, partner, otherPartner, auditor, ops] = await Promise.all([
      desk.signIn('admin@demo.test'),
      desk.signIn('agent@demo.test'),
      desk.signIn('partner@acme.test'),
      desk.signIn('partner@globex.test'),
      desk.signIn('auditor@demo.test'),
      desk.signIn('ops@demo.test'),
    ]);
  });
  afterAll(async () => desk?.stop());

  describe('POST /api/support/threads (raise a query)', () => {
    it('when a partner raises a query on their assignment, then the thread opens at revision 0 with ETag and position', async () => {
      const res = await partner.request('POST', '/api/support/threads', query);
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({ status: 'OPEN', revision: 0 });
      expect(res.body.position).toMatch(/^\d+-\d+$/);
      expect(res.headers.get('etag')).toBe('"0"');
      const [event] = await desk.eventStore.readStream(`thread-${String(res.body.threadId)}`);
      expect(event).toMatchObject({
        type: 'QueryRaised',
        data: { assignmentReference: 'A-1001', partnerOrgId: 'acme' },
      });
      expect(event!.metadata).toMatchObject({ actor: { type: 'user' }, schemaVersion: 3 });
    });

    it('when fields are missing or wrong, then 400 names each and nothing is appended', async () => {
      await appendsNothing(async () => {
        const res = await partner.request<{ errors: { path: string }[] }>('POST', '/api/support/threads', {
          assignmentId: 'asg-1001',
          queryType: 'GOSSIP',
          priority: 'NOW',
          subject: '',
        });
        expect(res.status).toBe(400);
        expect(res.headers.get('content-type')).toMatch(/application\/problem\+json/);
        const paths = res.body.errors.map((e) => e.path);
        expect(paths).toEqual(expect.arrayContaining(['body.queryType', 'body.priority', 'body.subject', 'body.body']));
      });
    });

    it('when the body is not JSON, too large, or of another type, then it is refused cleanly', async () => {
      await appendsNothing(async () => {
        const malformed = await partner.request('POST', '/api/support/threads', '{"subject": ');
        expect(malformed.status).toBe(400);
        const huge = await partner.request('POST', '/api/support/threads', { ...query, body: 'x'.repeat(100_000) });
        expect(huge.status).toBe(413);
        const form = await partner.request('POST', '/api/support/threads', 'subject=hi', {
          'content-type': 'application/x-www-form-urlencoded',
        });
        expect(form.status).toBe(415);
      });
    });

    it("when a partner raises on another organisation's assignment, then 404 and nothing is appended", async () => {
      await appendsNothing(async () => {
        const res = await otherPartner.request('POST', '/api/support/threads', query);
        expect(res.status).toBe(404);
      });
    });

    it('when anonymous, an auditor or ops raise a query, then 401 / 403', async () => {
      await appendsNothing(async () => {
        expect((await desk.anonymous.request('POST', '/api/support/threads', query)).status).toBe(401);
        expect((await auditor.request('POST', '/api/support/threads', query)).status).toBe(403);
        expect((await ops.request('POST', '/api/support/threads', query)).status).toBe(403);
      });
    });

    it('when the same Idempotency-Key is sent again, then the first answer comes back and one thread exists', async () => {
      const headers = { 'idempotency-key': `raise-${Date.now()}` };
      const first = await partner.request('POST', '/api/support/threads', query, headers);
      await appendsNothing(async () => {
        const again = await partner.request('POST', '/api/support/threads', query, headers);
        expect(again.status).toBe(201);
        expect(again.body).toEqual(first.body);
        expect(again.headers.get('idempotent-replayed')).toBe('true');
      });
      const reused = await partner.request('POST', '/api/support/threads', { ...query, subject: 'else' }, headers);
      expect(reused.status).toBe(422);
      expect(reused.body).toMatchObject({ code: 'idempotency_key_reused' });
    });

    it('when concurrent requests share an Idempotency-Key, then exactly one thread is appended', async () => {
      const before = await desk.countEvents();
      const headers = { 'idempotency-key': `race-${Date.now()}` };
      const answers = await Promise.all(
        Array.from({ length: 6 }, () => partner.request('POST', '/api/support/threads', query, headers)),
      );
      expect(new Set(answers.map((a) => a.status))).toEqual(new Set([201]));
      expect(new Set(answers.map((a) => a.body.threadId)).size).toBe(1);
      expect(await desk.countEvents()).toBe(before + 1);
    });
  });

  describe('POST /api/support/threads/:id/messages', () => {
    it('when staff reply, then PENDING; when the partner answers, then OPEN again', async () => {
      const { threadId } = await raise();
      const reply = await agent.request('POST', `/api/support/threads/${threadId}/messages`, {
        body: 'Refund issued.',
      });
      expect(reply.status).toBe(201);
      expect(reply.body).toMatchObject({ status: 'PENDING', revision: 1 });
      const answer = await partner.request('POST', `/api/support/threads/${threadId}/messages`, { body: 'Thanks!' });
      expect(answer.body).toMatchObject({ status: 'OPEN', revision: 2 });
    });

    it('when staff add an internal note, then the status stays; when a partner tries one, then 403 and nothing is appended', async () => {
      const { threadId } = await raise();
      const note = await agent.request('POST', `/api/support/threads/${threadId}/messages`, {
        body: 'Check the ledger first',
        visibility: 'internal',
      });
      expect(note.body).toMatchObject({ status: 'OPEN' });
      await appendsNothing(async () => {
        const res = await partner.request('POST', `/api/support/threads/${threadId}/messages`, {
          body: 'sneaky',
          visibility: 'internal',
        });
        expect(res.status).toBe(403);
      });
    });

    it("when another organisation's partner posts, then 404 as if the thread did not exist", async () => {
      const { threadId } = await raise();
      await appendsNothing(async () => {
        expect(
          (await otherPartner.request('POST', `/api/support/threads/${threadId}/messages`, { body: 'hi' })).status,
        ).toBe(404);
        expect(
          (
            await partner.request('POST', `/api/support/threads/00000000-0000-4000-8000-000000000000/messages`, {
              body: 'x',
            })
          ).status,
        ).toBe(404);
      });
    });

    it('when the body is empty or the thread id malformed, then 400 with the fields', async () => {
      const { threadId } = await raise();
      await appendsNothing(async () => {
        const empty = await partner.request<{ errors: { path: string }[] }>(
          'POST',
          `/api/support/threads/${threadId}/messages`,
          {
            body: '   ',
          },
        );
        expect(empty.status).toBe(400);
        expect(empty.body.errors.map((e) => e.path)).toContain('body.body');
        const badId = await partner.request<{ errors: { path: string }[] }>(
          'POST',
          '/api/support/threads/nope/messages',
          {
            body: 'x',
          },
        );
        expect(badId.status).toBe(400);
        expect(badId.body.errors.map((e) => e.path)).toContain('params.threadId');
      });
    });

    it('when the thread is closed, then messages are refused with 422', async () => {
      const { threadId } = await raise();
      expect((await agent.request('POST', `/api/support/threads/${threadId}/close`)).status).toBe(200);
      await appendsNothing(async () => {
        const res = await partner.request('POST', `/api/support/threads/${threadId}/messages`, { body: 'hello?' });
        expect(res.status).toBe(422);
        expect(res.body).toMatchObject({ code: 'thread_closed' });
      });
    });

    it('when If-Match carries the current revision, then it appends; when stale, then 412 and nothing is appended', async () => {
      const { threadId } = await raise();
      const ok = await agent.request(
        'POST',
        `/api/support/threads/${threadId}/messages`,
        { body: 'a' },
        { 'if-match': '"0"' },
      );
      expect(ok.status).toBe(201);
      await appendsNothing(async () => {
        const stale = await agent.request(
          'POST',
          `/api/support/threads/${threadId}/messages`,
          { body: 'b' },
          { 'if-match': '"0"' },
        );
        expect(stale.status).toBe(412);
        expect(stale.body).toMatchObject({ currentRevision: 1 });
        const garbage = await agent.request(
          'POST',
          `/api/support/threads/${threadId}/messages`,
          { body: 'b' },
          { 'if-match': 'yesterday' },
        );
        expect(garbage.status).toBe(400);
      });
    });

    it('when 50 replies race on one thread, then all land with contiguous revisions', async () => {
      const { threadId } = await raise();
      const answers = await Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          (i % 2 ? agent : partner).request('POST', `/api/support/threads/${threadId}/messages`, {
            body: `reply ${i}`,
          }),
        ),
      );
      expect(answers.filter((a) => a.status !== 201).map((a) => a.body)).toEqual([]);
      const events = await desk.eventStore.readStream(`thread-${threadId}`);
      expect(events.map((e) => e.revision)).toEqual(Array.from({ length: 51 }, (_, i) => i));
      const bodies = events.slice(1).map((e) => e.data['body']);
      expect(new Set(bodies).size).toBe(50);
    });
  });

  describe('staff levers: assign, priority, resolve, close, reopen', () => {
    it('when assigned to an agent, then the thread records it; assigning again changes nothing', async () => {
      const { threadId } = await raise();
      const res = await admin.request('POST', `/api/support/threads/${threadId}/assign`, {
        assigneeId: agent.accountId,
      });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ revision: 1 });
      await appendsNothing(async () => {
        const again = await admin.request('POST', `/api/support/threads/${threadId}/assign`, {
          assigneeId: agent.accountId,
        });
        expect(again.body).toMatchObject({ revision: 1 });
      });
    });

    it('when assigned to someone who is not staff, or by a partner, then refused and nothing appended', async () => {
      const { threadId } = await raise();
      await appendsNothing(async () => {
        const notStaff = await admin.request<{ errors: { path: string }[] }>(
          'POST',
          `/api/support/threads/${threadId}/assign`,
          {
            assigneeId: '00000000-0000-4000-8000-000000000000',
          },
        );
        expect(notStaff.status).toBe(400);
        expect(notStaff.body.errors[0]!.path).toBe('body.assigneeId');
        expect(
          (await partner.request('POST', `/api/support/threads/${threadId}/assign`, { assigneeId: null })).status,
        ).toBe(403);
      });
    });

    it('when the priority changes, then it is recorded; a bad priority is a 400', async () => {
      const { threadId } = await raise();
      expect(
        (await agent.request('POST', `/api/support/threads/${threadId}/priority`, { priority: 'URGENT' })).body,
      ).toMatchObject({ revision: 1 });
      expect(
        (await agent.request('POST', `/api/support/threads/${threadId}/priority`, { priority: 'SOON' })).status,
      ).toBe(400);
    });

    it('when resolved, closed and reopened in order, then each answers the new status; wrong moves are 422', async () => {
      const { threadId } = await raise();
      const post = (verb: string) => agent.request('POST', `/api/support/threads/${threadId}/${verb}`);
      await appendsNothing(async () => expect((await post('reopen')).status).toBe(422));
      expect((await post('resolve')).body).toMatchObject({ status: 'RESOLVED' });
      await appendsNothing(async () => {
        const again = await post('resolve');
        expect(again.status).toBe(422);
        expect(again.body).toMatchObject({ code: 'invalid_transition' });
      });
      expect((await post('close')).body).toMatchObject({ status: 'CLOSED' });
      expect((await post('close')).status).toBe(422);
      expect((await post('reopen')).body).toMatchObject({ status: 'OPEN' });
      expect((await partner.request('POST', `/api/support/threads/${threadId}/resolve`)).status).toBe(403);
      expect((await auditor.request('POST', `/api/support/threads/${threadId}/close`)).status).toBe(403);
    });

    it('when a resolved thread gets a partner message, then it reopens by itself', async () => {
      const { threadId } = await raise();
      await agent.request('POST', `/api/support/threads/${threadId}/resolve`);
      const res = await partner.request('POST', `/api/support/threads/${threadId}/messages`, { body: 'Not fixed' });
      expect(res.body).toMatchObject({ status: 'OPEN' });
    });

    it('when a lever is pulled with the same Idempotency-Key twice, then the first answer repeats', async () => {
      const { threadId } = await raise();
      const headers = { 'idempotency-key': `resolve-${threadId}` };
      const first = await agent.request('POST', `/api/support/threads/${threadId}/resolve`, undefined, headers);
      const again = await agent.request('POST', `/api/support/threads/${threadId}/resolve`, undefined, headers);
      expect(again.status).toBe(200);
      expect(again.body).toEqual(first.body);
    });
  });
});
