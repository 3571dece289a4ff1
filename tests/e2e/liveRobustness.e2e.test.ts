import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { PresenceMessage } from '../../read-api/live/index.js';
import { PRESENCE_CHANNEL } from '../../read-api/live/index.js';
import {
  LiveClient,
  signInSession,
  startLiveProcess,
  until,
  wait,
  type LiveProcess,
  type Session,
} from '../support/liveClient.js';
import { queryAbout, raiseQuery } from '../support/raiseQuery.js';
import { startTestDesk, type TestDesk } from '../support/testDesk.js';

/** Slow consumers, dead sockets and presence across processes. */
describe('live push: robustness and presence', () => {
  let desk: TestDesk;
  let agent: Session;
  let admin: Session;
  let partner: Session;
  let threadId: string;
  const open: LiveClient[] = [];
  const processes: LiveProcess[] = [];

  const start = async (limits: Parameters<typeof startLiveProcess>[1] = {}) => {
    const p = await startLiveProcess(desk.db.url, limits);
    processes.push(p);
    return p;
  };
  const connect = async (p: LiveProcess, options: Parameters<typeof LiveClient.connect>[1]) => {
    const c = await LiveClient.connect(p.wsUrl, options);
    open.push(c);
    return c;
  };

  beforeAll(async () => {
    desk = await startTestDesk();
    agent = await signInSession(desk.base, 'agent@demo.test');
    admin = await signInSession(desk.base, 'admin@demo.test');
    partner = await signInSession(desk.base, 'partner@acme.test');
    threadId = (await raiseQuery(partner, queryAbout('Robustness', 'start'))).threadId;
  });

  // each test's processes go when it ends (the test Postgres's connections are shared by every file)
  afterEach(async () => {
    await Promise.all(open.splice(0).map((c) => c.close()));
    for (const p of processes.splice(0)) await p.stop();
  });

  afterAll(async () => desk?.stop());

  it('when a client stops reading, then it is cut off (4008) once its buffer passes the bound, and the others keep receiving', async () => {
    const p = await start({ limits: { maxBufferedBytes: 256 * 1024 } });
    const healthy = await connect(p, { cookie: admin.cookie });
    const slow = await connect(p, { cookie: agent.cookie });
    const socket = (slow.ws as unknown as { _socket: { pause(): void; resume(): void } })._socket;
    socket.pause();

    const big = 'x'.repeat(9000);
    let sent = 0;
    const writers = Array.from({ length: 16 }, async (_, w) => {
      // one thread per writer: concurrent writes to one thread would conflict
      const raised = await raiseQuery(partner, queryAbout(`Slow consumer load ${w}`, 'load'));
      while (p.hub.stats().slowConsumersCut === 0 && sent < 1500) {
        sent++;
        const res = await admin.request('POST', `/api/support/threads/${raised.threadId}/messages`, {
          body: `${big} ${w}-${sent}`,
          visibility: 'internal',
        });
        expect(res.status).toBe(201);
      }
    });
    await Promise.all(writers);
    expect(p.hub.stats().slowConsumersCut).toBe(1);
    await until(() => p.hub.clientCount() === 1, 5000, 'the slow client to be dropped');

    // the healthy client received every message, and keeps receiving
    await until(
      () =>
        healthy.threadUpdates().reduce((n, u) => n + u.messages.filter((m) => m.body.startsWith(big)).length, 0) ===
        sent,
      20_000,
      'every message at the healthy client',
    );
    await admin.request('POST', `/api/support/threads/${threadId}/messages`, { body: 'after the cut' });
    await healthy.waitFor(
      (f) => f.type === 'threads' && f.threads.some((t) => t.messages.some((m) => m.body === 'after the cut')),
    );

    socket.resume();
    const closed = await slow.closedPromise;
    expect([4008, 1006]).toContain(closed.code); // 1006 when the close frame was stuck behind the unread bytes
  }, 180_000); // the kernel's socket buffers (several MB on loopback) fill before ours grows

  it('when a socket stops answering pings, then it is terminated, while a live one stays', async () => {
    const p = await start({ limits: { heartbeatMs: 200 } });
    const alive = await connect(p, { cookie: agent.cookie });
    const deaf = new WebSocket(p.wsUrl, { headers: { cookie: agent.cookie }, autoPong: false });
    await new Promise((resolve, reject) => {
      deaf.once('open', resolve);
      deaf.once('error', reject);
    });
    await until(() => p.hub.clientCount() === 2, 2000, 'both connected');
    const code = await new Promise<number>((resolve) => deaf.once('close', (c) => resolve(c)));
    expect(code).toBe(1006);
    await wait(500);
    expect(alive.closed).toBeUndefined();
    expect(p.hub.clientCount()).toBe(1);
  });

  describe('presence', () => {
    const presenceLimits = { limits: { viewingTtlMs: 1500, typingTtlMs: 700, presenceSweepMs: 100 } };
    const viewersOf = (c: LiveClient, from: number, match: (f: PresenceMessage) => boolean) =>
      c.waitFor<PresenceMessage>(
        (f) => f.type === 'presence' && f.threadId === threadId && match(f as PresenceMessage),
        10_000,
        from,
      );

    it('when staff view and type on one process, then staff on another see it, partners never; it expires by itself', async () => {
      const p1 = await start(presenceLimits);
      const p2 = await start(presenceLimits);
      const viewer = await connect(p1, { cookie: agent.cookie });
      const watcher = await connect(p2, { cookie: admin.cookie });
      const partnerClient = await connect(p2, { cookie: partner.cookie });

      viewer.send({ type: 'viewing', threadId });
      const seen = await viewersOf(watcher, 0, (f) => f.viewers.length === 1);
      expect(seen.viewers).toEqual([{ kind: 'staff', id: agent.accountId, name: 'Alex Agent', typing: false }]);

      let mark = watcher.frames.length;
      viewer.send({ type: 'typing', threadId });
      await viewersOf(watcher, mark, (f) => f.viewers.some((v) => v.typing));
      mark = watcher.frames.length;
      // no more typing messages: typing ends by itself, viewing after its TTL
      await viewersOf(watcher, mark, (f) => f.viewers.length === 1 && !f.viewers[0]!.typing);
      await viewersOf(watcher, mark, (f) => f.viewers.length === 0);

      // a partner viewing their thread is shown to staff; the partner is told nothing, since nobody of
      // support types there now (what partners and guests are told: livePresence.e2e.test.ts)
      partnerClient.send({ type: 'viewing', threadId });
      mark = viewer.frames.length;
      const withPartner = await viewersOf(viewer, mark, (f) => f.viewers.some((v) => v.kind === 'partner'));
      expect(withPartner.viewers).toContainEqual(
        expect.objectContaining({ kind: 'partner', name: 'Pat Partner (Acme)' }),
      );
      partnerClient.send({ type: 'left', threadId });
      await viewersOf(viewer, viewer.frames.length, (f) => f.viewers.length === 0);
      await wait(200);
      expect(partnerClient.frames.some((f) => f.type === 'presence')).toBe(false);
    });

    it('when a viewer disconnects, its presence ends at once everywhere; a process that vanishes has its entries expire', async () => {
      // a viewing entry that outlives the test (ten minutes, the most a notice may carry): only the
      // disconnect can end it, not its TTL
      const longLived = { limits: { ...presenceLimits.limits, viewingTtlMs: 600_000 } };
      const p1 = await start(longLived);
      const p2 = await start(longLived);
      const viewer = await connect(p1, { cookie: agent.cookie });
      const watcher = await connect(p2, { cookie: admin.cookie });
      viewer.send({ type: 'viewing', threadId });
      await viewersOf(watcher, 0, (f) => f.viewers.length === 1);
      let mark = watcher.frames.length;
      viewer.kill();
      await viewersOf(watcher, mark, (f) => f.viewers.length === 0);

      // a process that crashed said nothing: what it announced goes after its TTL
      mark = watcher.frames.length;
      await desk.db.pool.query('SELECT pg_notify($1, $2)', [
        PRESENCE_CHANNEL,
        JSON.stringify({
          op: 'set',
          o: 'crashed-process',
          c: 'conn-1',
          t: threadId,
          w: { kind: 'staff', id: 'ghost', name: 'Ghost Agent' },
          vt: 800,
          yt: 0,
        }),
      ]);
      await viewersOf(watcher, mark, (f) => f.viewers.some((v) => v.name === 'Ghost Agent'));
      await viewersOf(watcher, mark, (f) => f.viewers.length === 0);
    });

    it('when a process starts late, then it learns who is already viewing', async () => {
      const p1 = await start(presenceLimits);
      const viewer = await connect(p1, { cookie: agent.cookie });
      viewer.send({ type: 'viewing', threadId });
      const keepAlive = setInterval(() => viewer.send({ type: 'viewing', threadId }), 400);
      try {
        await wait(200);
        const late = await start(presenceLimits);
        const watcher = await connect(late, { cookie: admin.cookie });
        const frame = await viewersOf(watcher, 0, (f) => f.viewers.length === 1);
        expect(frame.viewers[0]).toMatchObject({ name: 'Alex Agent' });
      } finally {
        clearInterval(keepAlive);
      }
    });

    it('when a client is present in too many threads, then too_many_threads', async () => {
      const p = await start({ limits: { maxPresenceThreadsPerClient: 2 } });
      const c = await connect(p, { cookie: agent.cookie });
      for (const id of [crypto.randomUUID(), crypto.randomUUID(), crypto.randomUUID()])
        c.send({ type: 'viewing', threadId: id });
      expect(await c.waitFor((f) => f.type === 'error')).toMatchObject({ error: { code: 'too_many_threads' } });
    });
  });
});
