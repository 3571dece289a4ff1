import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LIVE_PATH, type ThreadsMessage } from '../../read-api/live/index.js';
import { call, LiveClient, signInSession, type Session } from '../support/liveClient.js';
import { queryAbout, raiseQuery } from '../support/raiseQuery.js';
import { ok, startTestDesk, type TestDesk } from '../support/testDesk.js';

const JWT_SECRET = 'a-host-platform-secret-of-32-chars!!';

interface Summary {
  threadId: string;
  raisedAt: string;
  lastActivityAt: string;
}
interface Page {
  items: Summary[];
  nextCursor: string | null;
}
type Reader = Pick<Session, 'request'>;

/**
 * What partners and guests may see of the desk, and nothing more: they order and page by the
 * activity they may see (never by an internal note or an assignment), a guest link reads only
 * the organisation it was issued for, and every list filter applies to every kind of reader.
 * Each test makes its own assignment, so no test sees another's threads.
 */
describe('partners and guests see their own scope, and only what happened in it', () => {
  let desk: TestDesk;
  let wsUrl: string;
  let agent: Session;
  let acme: Session;
  let globex: Session;
  let host: Reader;
  let assignments = 0;
  const clients: LiveClient[] = [];

  /** A fresh assignment of the host platform, owned by `org`. */
  async function assignment(org: 'acme' | 'globex'): Promise<string> {
    const id = `asg-scope-${++assignments}`;
    await ok(host.request('PUT', `/api/host/assignments/${id}`, { reference: id, title: id, partnerOrgId: org }));
    return id;
  }

  async function moveAssignment(id: string, org: 'acme' | 'globex'): Promise<void> {
    await ok(host.request('PUT', `/api/host/assignments/${id}`, { reference: id, title: id, partnerOrgId: org }), 200);
  }

  async function raise(who: Reader, assignmentId: string, subject: string, body = `${subject}: details`) {
    return raiseQuery(who, queryAbout(subject, body, { assignmentId, queryType: 'DOCUMENTS', priority: 'MEDIUM' }));
  }

  const post = (who: Reader, threadId: string, body: string, visibility: 'external' | 'internal' = 'external') =>
    ok(who.request<{ position: string }>('POST', `/api/support/threads/${threadId}/messages`, { body, visibility }));

  const assignToAgent = (threadId: string) =>
    ok(
      agent.request<{ position: string }>('POST', `/api/support/threads/${threadId}/assign`, {
        assigneeId: agent.accountId,
      }),
      200,
    );

  async function guestOf(path: string): Promise<Reader & { token: string }> {
    const { token } = await ok(agent.request<{ token: string }>('POST', path, {}));
    return {
      token,
      request: (method, url, body) => call(desk.base, method, url, body, { 'x-guest-token': token }),
    };
  }

  const list = (who: Reader, query: string, position: string) =>
    ok(who.request<Page>('GET', `/api/support/my/threads?${query}&waitFor=${position}`), 200);

  const decodeCursor = (cursor: string) => {
    const [at, id] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
    return { at, id };
  };

  const connect = async (options: Parameters<typeof LiveClient.connect>[1]) => {
    const c = await LiveClient.connect(wsUrl, options);
    clients.push(c);
    return c;
  };

  /**
   * The first pushed view of a thread, from a frame at or after `from`; with `body`, the first
   * that carries that message (a socket may still receive the thread's earlier changes first).
   */
  const pushedOf = async (client: LiveClient, threadId: string, options: { from?: number; body?: string } = {}) => {
    const match = (t: ThreadsMessage['threads'][number]) =>
      t.thread.threadId === threadId && (options.body === undefined || t.messages.some((m) => m.body === options.body));
    const frame = await client.waitFor<ThreadsMessage>(
      (f) => f.type === 'threads' && f.threads.some(match),
      10_000,
      options.from ?? 0,
    );
    return frame.threads.find(match)!;
  };

  /** Event times move on by a second between steps: orders never hang on two events in one millisecond. */
  const later = () => desk.clock.shift(1000);

  beforeAll(async () => {
    desk = await startTestDesk({ JWT_SECRET });
    wsUrl = `${desk.base.replace(/^http/, 'ws')}${LIVE_PATH}`;
    [agent, acme, globex] = await Promise.all([
      signInSession(desk.base, 'agent@demo.test'),
      signInSession(desk.base, 'partner@acme.test'),
      signInSession(desk.base, 'partner@globex.test'),
    ]);
    const jwt = await new SignJWT({ role: 'host' })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('host-platform')
      .setIssuedAt()
      .setExpirationTime('1h')
      .sign(new TextEncoder().encode(JWT_SECRET));
    host = desk.bearer(jwt) as Reader;
  });

  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await desk?.stop();
  });

  describe('order and paging by visible activity', () => {
    it('when staff add an internal note to the older thread and assign it, then partners and guests keep their order, and their cursor carries no staff-only time', async () => {
      const asg = await assignment('acme');
      const older = await raise(acme, asg, 'Older query');
      later();
      const newer = await raise(acme, asg, 'Newer query');
      later();
      await post(agent, older.threadId, 'Margin on this one is thin', 'internal');
      later();
      const { position } = await assignToAgent(older.threadId);
      const guest = await guestOf(`/api/support/assignments/${asg}/guest-links`);

      // staff see the note and the assignment as activity
      const inbox = await ok(
        agent.request<Page>('GET', `/api/support/inbox?assignmentId=${asg}&waitFor=${position}`),
        200,
      );
      expect(inbox.items.map((t) => t.threadId)).toEqual([older.threadId, newer.threadId]);

      for (const reader of [acme, guest]) {
        const first = await list(reader, `assignmentId=${asg}&limit=1`, position);
        expect(first.items.map((t) => t.threadId)).toEqual([newer.threadId]);
        expect(first.items[0]!.lastActivityAt).toBe(first.items[0]!.raisedAt);
        // the cursor is the last item's visible activity, nothing else
        expect(decodeCursor(first.nextCursor!)).toEqual({ at: first.items[0]!.lastActivityAt, id: newer.threadId });
        const second = await list(reader, `assignmentId=${asg}&limit=1&cursor=${first.nextCursor}`, position);
        expect(second.items.map((t) => t.threadId)).toEqual([older.threadId]);
        expect(second.items[0]!.lastActivityAt).toBe(second.items[0]!.raisedAt);
        expect(second.nextCursor).toBeNull();
      }
    });

    it('when staff resolve the older thread, then it moves up for partners and guests, shown with the time of the resolution', async () => {
      const asg = await assignment('acme');
      const older = await raise(acme, asg, 'Older query');
      later();
      const newer = await raise(acme, asg, 'Newer query');
      later();
      const { position } = await ok(
        agent.request<{ position: string }>('POST', `/api/support/threads/${older.threadId}/resolve`),
        200,
      );
      const guest = await guestOf(`/api/support/assignments/${asg}/guest-links`);
      const staffView = await ok(
        agent.request<{ thread: { resolvedAt: string } }>(
          'GET',
          `/api/support/threads/${older.threadId}?waitFor=${position}`,
        ),
        200,
      );

      for (const reader of [acme, guest]) {
        const page = await list(reader, `assignmentId=${asg}`, position);
        expect(page.items.map((t) => t.threadId)).toEqual([older.threadId, newer.threadId]);
        expect(page.items[0]!.lastActivityAt).toBe(staffView.thread.resolvedAt);
      }
    });

    it('when staff only add a note to a thread and assign it, then partner and guest sockets receive nothing of it; a visible change later carries its own time', async () => {
      const asg = await assignment('acme');
      const quiet = await raise(acme, asg, 'Quiet query');
      later();
      const busy = await raise(acme, asg, 'Busy query');
      const guest = await guestOf(`/api/support/assignments/${asg}/guest-links`);
      const staffSocket = await connect({ cookie: agent.cookie });
      const partnerSocket = await connect({ cookie: acme.cookie });
      const guestSocket = await connect({ guestToken: guest.token });
      const publicSockets = [partnerSocket, guestSocket];
      // a visible change first: whatever the sockets still receive of the raises comes before it
      await post(agent, busy.threadId, 'Looking into both');
      for (const socket of publicSockets) await pushedOf(socket, busy.threadId, { body: 'Looking into both' });
      const start = publicSockets.map((s) => s.raw.length);

      later();
      await post(agent, quiet.threadId, 'Call the depot before replying', 'internal');
      later();
      await assignToAgent(quiet.threadId);
      later();
      await post(agent, busy.threadId, 'We are on it');

      // staff see the staff-only changes go by (the projector may fold both into one change)
      await staffSocket.waitFor(
        (f) =>
          f.type === 'threads' &&
          f.threads.some(
            (t) =>
              t.thread.threadId === quiet.threadId &&
              'assigneeId' in t.thread &&
              t.thread.assigneeId === agent.accountId,
          ),
      );
      for (const [i, socket] of publicSockets.entries()) {
        const reply = await pushedOf(socket, busy.threadId, { body: 'We are on it' });
        expect(reply.messages.map((m) => m.body)).toEqual(['We are on it']);
        // changes arrive in order: had the note or the assignment been pushed, it would be here by now
        expect(socket.raw.slice(start[i]).some((frame) => frame.includes(quiet.threadId))).toBe(false);
      }

      const marks = publicSockets.map((s) => s.frames.length);
      later();
      const { position } = await ok(
        agent.request<{ position: string }>('POST', `/api/support/threads/${quiet.threadId}/priority`, {
          priority: 'HIGH',
        }),
        200,
      );
      const page = await list(acme, `assignmentId=${asg}`, position);
      expect(page.items.map((t) => t.threadId)).toEqual([quiet.threadId, busy.threadId]);
      for (const [i, socket] of publicSockets.entries()) {
        const pushed = await pushedOf(socket, quiet.threadId, { from: marks[i] });
        expect(pushed.thread.lastActivityAt).toBe(page.items[0]!.lastActivityAt);
        expect(pushed.messages).toEqual([]);
        expect(Date.parse(pushed.thread.lastActivityAt)).toBeGreaterThan(Date.parse(page.items[1]!.lastActivityAt));
      }
    });
  });

  describe('an assignment link is bound to the organisation it was issued for', () => {
    it('when its assignment moves to another organisation, then the link reads, lists and raises only in the organisation it was issued for', async () => {
      const asg = await assignment('acme');
      const ours = await raise(acme, asg, 'Acme pallet count');
      const guest = await guestOf(`/api/support/assignments/${asg}/guest-links`);
      await ok(guest.request('GET', `/api/support/threads/${ours.threadId}?waitFor=${ours.position}`), 200);

      await moveAssignment(asg, 'globex');
      const theirs = await raise(globex, asg, 'Globex invoice dispute', 'Globex confidential: the invoice is wrong');
      await ok(globex.request('GET', `/api/support/threads/${theirs.threadId}?waitFor=${theirs.position}`), 200);

      // the new organisation's thread on the same assignment: not there for the link
      expect((await guest.request('GET', `/api/support/threads/${theirs.threadId}`)).status).toBe(404);
      const listed = await list(guest, 'status=ALL', theirs.position);
      expect(listed.items.map((t) => t.threadId)).toEqual([ours.threadId]);
      expect((await list(guest, 'q=invoice', theirs.position)).items).toEqual([]);
      expect(
        (await guest.request('POST', `/api/support/threads/${theirs.threadId}/messages`, { body: 'hi' })).status,
      ).toBe(404);
      // no new query lands in the other organisation, and nothing is appended
      const events = await desk.countEvents();
      const raised = await guest.request(
        'POST',
        '/api/support/threads',
        queryAbout('From the old link', 'Where does this land?', { assignmentId: asg }),
      );
      expect(raised.status).toBe(404);
      expect(await desk.countEvents()).toBe(events);
      // nor is the assignment itself the link's any more
      expect((await ok(guest.request<{ items: unknown[] }>('GET', '/api/support/assignments'), 200)).items).toEqual([]);
      expect((await guest.request('GET', `/api/support/assignments/${asg}`)).status).toBe(404);

      // what it granted at issue it still grants
      await ok(guest.request('GET', `/api/support/threads/${ours.threadId}`), 200);
      await post(guest, ours.threadId, 'Still counting');

      // moved back, the assignment is the link's again
      await moveAssignment(asg, 'acme');
      expect(
        (await ok(guest.request<{ items: unknown[] }>('GET', '/api/support/assignments'), 200)).items,
      ).toHaveLength(1);
    });

    it('when its assignment moves to another organisation, then the link’s socket receives none of that organisation’s threads and may not be present in them', async () => {
      const asg = await assignment('acme');
      const ours = await raise(acme, asg, 'Acme seal broken');
      const guest = await guestOf(`/api/support/assignments/${asg}/guest-links`);
      await moveAssignment(asg, 'globex');
      const socket = await connect({ guestToken: guest.token });

      const theirs = await raise(globex, asg, 'Globex customs form', 'Globex confidential: customs');
      await post(globex, theirs.threadId, 'Globex confidential: second page');
      await post(agent, ours.threadId, 'Acme: a new seal is on its way');

      const reply = await pushedOf(socket, ours.threadId, { body: 'Acme: a new seal is on its way' });
      expect(reply.messages.map((m) => m.body)).toEqual(['Acme: a new seal is on its way']);
      expect(socket.raw.some((frame) => frame.includes(theirs.threadId) || frame.includes('Globex'))).toBe(false);

      const mark = socket.frames.length;
      socket.send({ type: 'viewing', threadId: theirs.threadId });
      const refused = await socket.waitFor((f) => f.type === 'error', 10_000, mark);
      expect(refused).toMatchObject({ error: { code: 'not_found' } });
    });
  });

  describe('every filter applies to a one-thread guest link', () => {
    it('when a guest with a thread link searches or filters its threads, then q and status are applied, over external messages only', async () => {
      const asg = await assignment('acme');
      const { threadId } = await raise(acme, asg, 'Pallet label smudged', 'Label 4 is unreadable');
      const { position } = await post(agent, threadId, 'Zebra crossing behind the depot', 'internal');
      const guest = await guestOf(`/api/support/threads/${threadId}/guest-links`);
      const ids = async (query: string) => (await list(guest, query, position)).items.map((t) => t.threadId);

      expect(await ids('q=pallet')).toEqual([threadId]);
      expect(await ids('q=unreadable')).toEqual([threadId]);
      expect(await ids('q=forklift')).toEqual([]);
      expect(await ids('q=zebra')).toEqual([]); // an internal note is not searched for guests
      expect(await ids('status=OPEN')).toEqual([threadId]);
      expect(await ids('status=CLOSED')).toEqual([]);
      expect(await ids(`assignmentId=${asg}`)).toEqual([threadId]);
      expect(await ids('assignmentId=asg-1001')).toEqual([]);
    });
  });
});
