import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parsePosition } from '../../eventstore/port.js';
import type { ServerMessage, ThreadsMessage } from '../../read-api/live/index.js';
import {
  LiveClient,
  signInSession,
  startLiveProcess,
  until,
  type LiveProcess,
  type Session,
} from '../support/liveClient.js';
import { issueAssignmentLink, issueThreadLink } from '../support/guestLinks.js';
import { queryAbout, raiseQuery } from '../support/raiseQuery.js';
import { ok, startTestDesk, type TestDesk } from '../support/testDesk.js';

const SECRET = 'SECRET-INTERNAL-NOTE';

/**
 * Each client receives exactly what it may read, checked over a mixed stream of hundreds of
 * events: threads of two organisations, replies, internal notes carrying a marker, assignment
 * and priority changes, with staff, both partners and two kinds of guests connected.
 */
describe('live push: what each audience receives', () => {
  let desk: TestDesk;
  let api: LiveProcess;
  let other: LiveProcess;
  let agent: Session;
  let acme: Session;
  let globex: Session;
  const clients: LiveClient[] = [];

  const plan = { acmeThreads: 24, globexThreads: 24 };
  const threadsOf = { acme: new Set<string>(), globex: new Set<string>() };
  const assignmentOf = new Map<string, string>();
  const expectedExternal = { acme: new Set<string>(), globex: new Set<string>() };
  const internal = new Set<string>();

  async function mapLimit<T>(items: T[], limit: number, fn: (item: T, i: number) => Promise<void>) {
    let next = 0;
    await Promise.all(
      Array.from({ length: limit }, async () => {
        while (next < items.length) {
          const i = next++;
          await fn(items[i]!, i);
        }
      }),
    );
  }

  /** One thread's life: raised, staff replies, internal notes (with the marker), assigned, reprioritised, partner answers. */
  async function life(org: 'acme' | 'globex', n: number): Promise<void> {
    const partner = org === 'acme' ? acme : globex;
    const assignmentId = org === 'acme' ? (n % 2 ? 'asg-1001' : 'asg-1002') : 'asg-2001';
    const raisedBody = `${org} query ${n}`;
    const { threadId } = await raiseQuery(
      partner,
      queryAbout(`${org} subject ${n}`, raisedBody, { assignmentId, queryType: 'DOCUMENTS', priority: 'MEDIUM' }),
    );
    threadsOf[org].add(threadId);
    assignmentOf.set(threadId, assignmentId);
    expectedExternal[org].add(raisedBody);
    const post = async (who: Session, body: string, visibility: 'external' | 'internal') => {
      await ok(who.request('POST', `/api/support/threads/${threadId}/messages`, { body, visibility }));
      (visibility === 'internal' ? internal : expectedExternal[org]).add(body);
    };
    await post(agent, `${SECRET} ${org} ${n} a: margin is thin`, 'internal');
    await post(agent, `${org} ${n}: we are on it`, 'external');
    await ok(agent.request('POST', `/api/support/threads/${threadId}/assign`, { assigneeId: agent.accountId }), 200);
    await post(agent, `${SECRET} ${org} ${n} b: call the depot`, 'internal');
    await ok(agent.request('POST', `/api/support/threads/${threadId}/priority`, { priority: 'HIGH' }), 200);
    await post(partner, `${org} ${n}: thanks, here is the note`, 'external');
    await post(agent, `${org} ${n}: received`, 'external');
  }

  beforeAll(async () => {
    desk = await startTestDesk();
    api = await startLiveProcess(desk.db.url, { limits: { syncIntervalMs: 200 } });
    other = await startLiveProcess(desk.db.url, { limits: { syncIntervalMs: 200 } });
    [agent, acme, globex] = await Promise.all([
      signInSession(api.base, 'agent@demo.test'),
      signInSession(api.base, 'partner@acme.test'),
      signInSession(api.base, 'partner@globex.test'),
    ]);
  });

  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await api?.stop();
    await other?.stop();
    await desk?.stop();
  });

  const connect = async (p: LiveProcess, options: Parameters<typeof LiveClient.connect>[1]) => {
    const c = await LiveClient.connect(p.wsUrl, options);
    clients.push(c);
    return c;
  };

  it('when hundreds of events of two organisations flow, then staff see everything and partners and guests only their own public part', async () => {
    // a guest of one acme thread and a guest of the globex assignment, connected before the stream
    const seed = await raiseQuery(acme, queryAbout('guest thread', 'acme guest thread opened'));
    threadsOf.acme.add(seed.threadId);
    assignmentOf.set(seed.threadId, 'asg-1001');
    const threadLink = await issueThreadLink(agent, seed.threadId);
    const assignmentLink = await issueAssignmentLink(agent, 'asg-2001');

    const staff = await connect(api, { cookie: agent.cookie });
    const auditor = await connect(other, { cookie: (await signInSession(api.base, 'auditor@demo.test')).cookie });
    const acmeClient = await connect(other, { cookie: acme.cookie });
    const globexClient = await connect(api, { cookie: globex.cookie });
    const threadGuest = await connect(other, { guestToken: threadLink.token });
    const assignmentGuest = await connect(api, { guestToken: assignmentLink.token, guestTokenVia: 'header' });

    const work = [
      ...Array.from({ length: plan.acmeThreads }, (_, n) => ['acme', n] as const),
      ...Array.from({ length: plan.globexThreads }, (_, n) => ['globex', n] as const),
    ];
    await mapLimit(work, 8, ([org, n]) => life(org, n));
    // the guest's own thread gets a public reply and an internal note too
    await ok(agent.request('POST', `/api/support/threads/${seed.threadId}/messages`, { body: 'guest thread reply' }));
    expectedExternal.acme.add('guest thread reply');
    await ok(
      agent.request('POST', `/api/support/threads/${seed.threadId}/messages`, {
        body: `${SECRET} guest thread note`,
        visibility: 'internal',
      }),
    );

    const { rows: events } = await desk.db.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM es_events');
    expect(events[0]!.n).toBeGreaterThan(300);
    const { rows: lastEvent } = await desk.db.pool.query<{ p: string }>(
      "SELECT transaction_id::text || '-' || global_position AS p FROM es_events ORDER BY transaction_id DESC, global_position DESC LIMIT 1",
    );
    await until(() => desk.desk.engine.reached(parsePosition(lastEvent[0]!.p), ['threads']), 20_000, 'projection');
    const { rows } = await desk.db.pool.query<{ id: string }>('SELECT max(id)::text AS id FROM projection_change_log');
    const head = BigInt(rows[0]!.id);
    const everyone = [staff, auditor, acmeClient, globexClient, threadGuest, assignmentGuest];
    await until(() => everyone.every((c) => c.position !== undefined && BigInt(c.position) >= head), 20_000, 'sync');

    const updates = (c: LiveClient) => c.threadUpdates();
    const bodies = (c: LiveClient) => new Set(updates(c).flatMap((u) => u.messages.map((m) => m.body)));

    // staff: every message, internal notes included, and staff summaries
    for (const s of [staff, auditor]) {
      const seen = bodies(s);
      for (const body of [...expectedExternal.acme, ...expectedExternal.globex, ...internal])
        expect(seen).toContain(body);
      expect(updates(s).every((u) => 'partnerOrgId' in u.thread)).toBe(true);
      expect(updates(s).some((u) => u.messages.some((m) => m.visibility === 'internal'))).toBe(true);
    }

    const noLeak = (c: LiveClient, allowed: (threadId: string) => boolean) => {
      const wire = c.raw.join('\n');
      expect(wire).not.toContain(SECRET);
      expect(wire).not.toContain('"internal"');
      for (const field of ['"assigneeId"', '"assigneeName"', '"partnerOrgId"', '"raisedBy"', '"awaiting"']) {
        expect(wire).not.toContain(field);
      }
      expect(wire).not.toContain(agent.accountId); // staff authors are named, never identified
      // (presence only reaches partners and guests in threads they announced: none here; livePresence.e2e.test.ts)
      expect(c.frames.some((f) => f.type === 'presence' || f.type === 'guestLinks')).toBe(false);
      for (const u of updates(c)) expect(allowed(u.thread.threadId)).toBe(true);
      expect(c.invalid).toEqual([]);
    };

    noLeak(acmeClient, (id) => threadsOf.acme.has(id));
    noLeak(globexClient, (id) => threadsOf.globex.has(id));
    noLeak(threadGuest, (id) => id === seed.threadId);
    noLeak(assignmentGuest, (id) => assignmentOf.get(id) === 'asg-2001');
    expect(bodies(acmeClient)).toEqual(expectedExternal.acme);
    expect(bodies(globexClient)).toEqual(expectedExternal.globex);
    expect(bodies(threadGuest)).toEqual(new Set(['guest thread reply'])); // connected after its first message
    expect(bodies(assignmentGuest)).toEqual(expectedExternal.globex);
    // an organisation's threads never show up for the other one, even as a bare summary
    expect(new Set(updates(globexClient).map((u) => u.thread.threadId)).size).toBe(plan.globexThreads);
  });

  it('when a change holds only an internal note (or an assignment), then partners and guests receive nothing for it, not even its existence', async () => {
    const staff = await connect(api, { cookie: agent.cookie });
    const partnerClient = await connect(api, { cookie: acme.cookie });
    // a thread of this test's own (not one the test above raised), pushed to both before the note,
    // so that the note is a change of its own (not one change with the thread's raise)
    const { threadId } = await raiseQuery(acme, queryAbout('A thread of its own', 'Raised for this test alone.'));
    const raisedIn = (f: ServerMessage) =>
      f.type === 'threads' && f.threads.some((t) => t.thread.threadId === threadId);
    await Promise.all([staff.waitFor(raisedIn), partnerClient.waitFor(raisedIn)]);
    await ok(
      agent.request('POST', `/api/support/threads/${threadId}/messages`, {
        body: `${SECRET} lonely note`,
        visibility: 'internal',
      }),
    );
    const frame = await staff.waitFor<ThreadsMessage>(
      (f) => f.type === 'threads' && f.threads.some((t) => t.messages.some((m) => m.body.endsWith('lonely note'))),
    );
    // the partner is told the position moved on (sync), without a threads frame for it
    await partnerClient.waitFor((f) => f.type === 'sync' && BigInt(f.position) >= BigInt(frame.position));
    const forPartner = partnerClient.frames.filter(
      (f: ServerMessage) => f.type === 'threads' && f.position === frame.position,
    );
    expect(forPartner).toEqual([]);
    expect(partnerClient.raw.join('\n')).not.toContain(SECRET);
  });
});
