import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parsePosition } from '../../eventstore/port.js';
import type { ThreadsMessage } from '../../read-api/live/index.js';
import {
  LiveClient,
  signInSession,
  startLiveProcess,
  until,
  type LiveProcess,
  type Session,
} from '../support/liveClient.js';
import { queryAbout, raiseQuery } from '../support/raiseQuery.js';
import { startTestDesk, type TestDesk } from '../support/testDesk.js';

/**
 * The live push over real sockets and a real Postgres, with two API processes on one database
 * (each its own pool, desk, HTTP server, hub and LISTEN connection; no sticky balancing).
 */
describe('live push: delivery across API processes', () => {
  let desk: TestDesk;
  let a: LiveProcess;
  let b: LiveProcess;
  let agent: Session;
  let partner: Session;
  const open: LiveClient[] = [];

  const connect = async (p: LiveProcess, session: Session, after?: string) => {
    const client = await LiveClient.connect(p.wsUrl, { cookie: session.cookie, ...(after ? { after } : {}) });
    open.push(client);
    return client;
  };

  /** The position of the last command's answer: what "projected" waits for. */
  let lastPosition = '-1--1';

  async function raise(subject: string, body = `${subject}: details`): Promise<string> {
    const raised = await raiseQuery(partner, queryAbout(subject, body, { priority: 'MEDIUM' }));
    lastPosition = raised.position;
    return raised.threadId;
  }

  async function reply(threadId: string, body: string, visibility: 'external' | 'internal' = 'external') {
    const res = await agent.request<{ position: string }>('POST', `/api/support/threads/${threadId}/messages`, {
      body,
      visibility,
    });
    expect(res.status).toBe(201);
    lastPosition = res.body.position;
  }

  const bodies = (client: LiveClient) => client.threadUpdates().flatMap((u) => u.messages.map((m) => m.body));

  async function logHead(): Promise<bigint> {
    const { rows } = await desk.db.pool.query<{ id: string }>(
      'SELECT coalesce(max(id), 0)::text AS id FROM projection_change_log',
    );
    return BigInt(rows[0]!.id);
  }

  /** Waits until the projector has logged every command answered so far; answers the change log's head. */
  async function projected(): Promise<bigint> {
    await until(() => desk.desk.engine.reached(parsePosition(lastPosition), ['threads']), 10_000, 'the projector');
    return logHead();
  }

  beforeAll(async () => {
    desk = await startTestDesk();
    a = await startLiveProcess(desk.db.url);
    b = await startLiveProcess(desk.db.url);
    agent = await signInSession(a.base, 'agent@demo.test');
    partner = await signInSession(a.base, 'partner@acme.test');
  });

  afterAll(async () => {
    await Promise.all(open.map((c) => c.close()));
    await a?.stop();
    await b?.stop();
    await desk?.stop();
  });

  it('when a command is sent to process A, then clients of process B (and of A) receive the push', async () => {
    const onB = await connect(b, agent);
    const onA = await connect(a, agent);
    const threadId = await raise('Pallet count wrong', 'We counted 11 pallets, not 12.');
    for (const client of [onB, onA]) {
      const frame = await client.waitFor<ThreadsMessage>(
        (f) => f.type === 'threads' && f.threads.some((t) => t.thread.threadId === threadId),
      );
      expect(frame.position).toMatch(/^\d+$/);
      expect(frame.threads[0]!.messages.map((m) => m.body)).toEqual(['We counted 11 pallets, not 12.']);
    }
    // and the other way round: a command to B reaches A's clients
    const viaB = await signInSession(b.base, 'agent@demo.test');
    expect(
      (await viaB.request('POST', `/api/support/threads/${threadId}/messages`, { body: 'Checking with the depot.' }))
        .status,
    ).toBe(201);
    await onA.waitFor(
      (f) =>
        f.type === 'threads' && f.threads.some((t) => t.messages.some((m) => m.body === 'Checking with the depot.')),
    );
    expect(a.hub.clientCount()).toBeGreaterThanOrEqual(1);
    expect(b.hub.clientCount()).toBeGreaterThanOrEqual(1);
  });

  it('when a client drops and reconnects (to the other process) with its last position, then it gets every missed change exactly once, in order', async () => {
    const first = await connect(a, agent);
    const threadId = await raise('Reconnect check');
    await first.waitFor((f) => f.type === 'threads' && f.threads.some((t) => t.thread.threadId === threadId));
    const last = first.position!;
    first.kill(); // a network failure: no closing handshake

    const other = await raise('Raised while away');
    const missed: string[] = [];
    for (let i = 0; i < 12; i++) {
      const body = `missed message ${i}`;
      missed.push(body);
      await reply(i % 3 === 0 ? other : threadId, body, i % 4 === 0 ? 'internal' : 'external');
    }
    const head = await projected();

    const again = await connect(b, agent, last);
    expect(again.frames[0]).toMatchObject({ type: 'hello', resumed: true, position: last });
    await again.waitFor((f) => f.type === 'sync'); // the replay is done…
    // …up to where this process is; if it lags the log a little, the rest follows live
    await until(() => BigInt(again.position!) >= head, 10_000, 'the head');

    const changes = again.frames.filter((f): f is ThreadsMessage => f.type === 'threads');
    const positions = changes.map((f) => BigInt(f.position));
    expect(positions.every((p, i) => p > BigInt(last) && (i === 0 || p > positions[i - 1]!))).toBe(true);
    // exactly the threads changes of the log after `last`, each once
    const { rows } = await desk.db.pool.query<{ id: string }>(
      "SELECT id::text FROM projection_change_log WHERE id > $1 AND id <= $2 AND projection = 'threads' ORDER BY projection_change_log.id",
      [last, head.toString()],
    );
    expect(changes.map((f) => f.position)).toEqual(rows.map((r) => r.id));
    // every missed message exactly once, each thread's in the order posted (one change may hold several threads)
    const got = bodies(again).filter((body) => body.startsWith('missed message'));
    expect([...got].sort()).toEqual([...missed].sort());
    const ofThread = (id: string) =>
      again
        .threadUpdates()
        .filter((u) => u.thread.threadId === id)
        .flatMap((u) => u.messages.map((m) => m.body))
        .filter((body) => body.startsWith('missed message'));
    expect(ofThread(threadId)).toEqual(missed.filter((_, i) => i % 3 !== 0));
    expect(ofThread(other)).toEqual(missed.filter((_, i) => i % 3 === 0));
    expect(bodies(again)).toContain('Raised while away: details');

    // then live
    await reply(threadId, 'after the resume');
    await again.waitFor(
      (f) => f.type === 'threads' && f.threads.some((t) => t.messages.some((m) => m.body === 'after the resume')),
    );
    expect(bodies(again).filter((body) => body === 'after the resume')).toHaveLength(1);
  });

  it('when the notification connection drops, then the hub reconnects and catches up from the log with no gap', async () => {
    const quiet = await startLiveProcess(desk.db.url, { limits: { pollMs: 600_000 } });
    try {
      const client = await LiveClient.connect(quiet.wsUrl, { cookie: agent.cookie });
      open.push(client);
      const threadId = await raise('Listener drop');
      await client.waitFor((f) => f.type === 'threads' && f.threads.some((t) => t.thread.threadId === threadId));

      const { rows } = await desk.db.pool.query<{ n: number }>(
        `SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity
          WHERE application_name LIKE 'support-desk-live-%' AND datname = current_database()`,
      );
      expect(rows[0]!.n).toBeGreaterThanOrEqual(3); // every hub's listener, this one's among them
      const sent: string[] = [];
      for (let i = 0; i < 6; i++) {
        sent.push(`while deaf ${i}`);
        await reply(threadId, `while deaf ${i}`);
      }
      await until(() => bodies(client).filter((body) => body.startsWith('while deaf')).length >= 6, 10_000, 'catch-up');
      expect(bodies(client).filter((body) => body.startsWith('while deaf'))).toEqual(sent);
      await until(() => quiet.hub.stats().listening, 10_000, 'listening again');
    } finally {
      await quiet.stop();
    }
  });

  it('when a client is too far behind or names an unknown position, then it is told to reload', async () => {
    const strict = await startLiveProcess(desk.db.url, { limits: { maxReplayChanges: 3 } });
    try {
      const head = await projected();
      expect(head).toBeGreaterThan(3n);
      const behind = await LiveClient.connect(strict.wsUrl, { cookie: agent.cookie, after: '0' });
      const reload = await behind.waitFor((f) => f.type === 'reload');
      expect(reload).toMatchObject({ reason: 'too_far_behind' });
      expect((await behind.closedPromise).code).toBe(4009);

      const future = await LiveClient.connect(strict.wsUrl, { cookie: agent.cookie, after: (head + 1000n).toString() });
      expect(await future.waitFor((f) => f.type === 'reload')).toMatchObject({ reason: 'unknown_position' });

      // a position near the head replays fine
      const near = await LiveClient.connect(strict.wsUrl, { cookie: agent.cookie, after: (head - 1n).toString() });
      open.push(near);
      expect(await near.waitFor((f) => f.type === 'sync')).toMatchObject({ position: head.toString() });
    } finally {
      await strict.stop();
    }
  });

  it('when the change log is trimmed, then rows past the retention go (keeping the last N) and older positions must reload', async () => {
    const trimmer = await startLiveProcess(desk.db.url, { limits: { retentionMs: 0, keepChanges: 2 } });
    try {
      const head = await projected();
      const deleted = await trimmer.hub.trim();
      expect(deleted).toBeGreaterThan(0);
      const { rows } = await desk.db.pool.query<{ min: string; n: number }>(
        'SELECT min(id)::text AS min, count(*)::int AS n FROM projection_change_log',
      );
      expect(BigInt(rows[0]!.min)).toBeGreaterThanOrEqual(head - 2n);
      const old = await LiveClient.connect(trimmer.wsUrl, { cookie: agent.cookie, after: '1' });
      expect(await old.waitFor((f) => f.type === 'reload')).toMatchObject({ reason: 'too_far_behind' });
    } finally {
      await trimmer.stop();
    }
  });
});
