import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parsePosition } from '../../eventstore/port.js';
import type { PresenceMessage, ServerMessage } from '../../read-api/live/index.js';
import { queryAbout, raiseQuery } from '../support/raiseQuery.js';
import { LiveClient, signInSession, startLiveProcess, type LiveProcess, type Session } from '../support/liveClient.js';
import { ok, startTestDesk, type TestDesk } from '../support/testDesk.js';

const SUPPORT = { kind: 'staff', id: '', name: '', typing: true };

/**
 * Presence for partners and guests: in a thread they have open, they see that support is
 * typing a reply (not a note), with no account id and no name unless the system config says to
 * show names; staff keep seeing everyone. Nobody else hears of it: a partner of another
 * organisation, a guest of another thread, or the same partner in another thread. Two API
 * processes, so every case crosses from one to the other.
 */
describe('live push: presence for partners and guests', () => {
  let desk: TestDesk;
  let p1: LiveProcess;
  let p2: LiveProcess;
  let agent: Session;
  let admin: Session;
  let acme: Session;
  let globex: Session;
  /** An acme thread on A-1001 (where the presence is), another acme thread on A-1002, a globex thread. */
  let threadId: string;
  let otherAcmeThread: string;
  let globexThread: string;
  let threadToken: string;
  let otherThreadToken: string;
  let assignmentToken: string;
  const open: LiveClient[] = [];

  const raise = async (who: Session, assignmentId: string, subject: string) =>
    (await raiseQuery(who, queryAbout(subject, 'Presence test', { assignmentId }))).threadId;
  const connect = async (p: LiveProcess, options: Parameters<typeof LiveClient.connect>[1]) => {
    const c = await LiveClient.connect(p.wsUrl, options);
    open.push(c);
    return c;
  };
  const presenceIn = (id: string, match: (f: PresenceMessage) => boolean) => (f: ServerMessage) =>
    f.type === 'presence' && f.threadId === id && match(f);
  const presenceFrames = (c: LiveClient) => c.frames.filter((f): f is PresenceMessage => f.type === 'presence');
  /**
   * Everything the hub had written to this socket before now has arrived: frames on one socket
   * keep their order, so a pong answered after a broadcast comes after that broadcast's frame.
   */
  let pings = 0;
  const settled = async (c: LiveClient) => {
    const id = `settle-${++pings}`;
    c.send({ type: 'ping', id });
    await c.waitFor((f) => f.type === 'pong' && f.id === id);
  };
  /** Presents a client in a thread and waits until its process has taken it (the ping is answered after). */
  const view = async (c: LiveClient, id: string) => {
    c.send({ type: 'viewing', threadId: id });
    await settled(c);
    expect(c.frames.filter((f) => f.type === 'error')).toEqual([]);
  };

  beforeAll(async () => {
    desk = await startTestDesk();
    const limits = { limits: { viewingTtlMs: 60_000, typingTtlMs: 60_000, presenceSweepMs: 100 } };
    p1 = await startLiveProcess(desk.db.url, limits);
    p2 = await startLiveProcess(desk.db.url, limits);
    [agent, admin, acme, globex] = (await Promise.all(
      ['agent@demo.test', 'admin@demo.test', 'partner@acme.test', 'partner@globex.test'].map((e) =>
        signInSession(desk.base, e),
      ),
    )) as [Session, Session, Session, Session];
    threadId = await raise(acme, 'asg-1001', 'Where is support?');
    otherAcmeThread = await raise(acme, 'asg-1002', 'Another acme thread');
    globexThread = await raise(globex, 'asg-2001', 'A globex thread');
    const links = await Promise.all(
      [
        `/api/support/threads/${threadId}/guest-links`,
        `/api/support/threads/${otherAcmeThread}/guest-links`,
        '/api/support/assignments/asg-1001/guest-links',
      ].map((path) => ok(agent.request<{ token: string; position: string }>('POST', path, {}))),
    );
    [threadToken, otherThreadToken, assignmentToken] = links.map((l) => l.token) as [string, string, string];
    // the threads are in the read model (what a guest's or partner's presence is checked against)
    for (const { position } of links) {
      expect(await desk.desk.watcher.waitFor(parsePosition(position), ['threads', 'guestLinks'], 5000)).toBe(true);
    }
  });

  afterEach(async () => {
    await Promise.all(open.splice(0).map((c) => c.close()));
  });

  afterAll(async () => {
    await p1?.stop();
    await p2?.stop();
    await desk?.stop();
  });

  /** Everyone of the first test: who may see the thread, and who may not, on both processes. */
  async function audience() {
    const typist = await connect(p1, { cookie: agent.cookie });
    const staffWatcher = await connect(p2, { cookie: admin.cookie });
    const partner = await connect(p2, { cookie: acme.cookie });
    const threadGuest = await connect(p1, { guestToken: threadToken });
    const assignmentGuest = await connect(p2, { guestToken: assignmentToken, guestTokenVia: 'header' });
    // outsiders, each present where it may be
    const otherOrg = await connect(p2, { cookie: globex.cookie });
    const otherGuest = await connect(p1, { guestToken: otherThreadToken });
    const samePartnerElsewhere = await connect(p1, { cookie: acme.cookie });
    const notViewing = await connect(p2, { cookie: acme.cookie });
    for (const c of [partner, threadGuest, assignmentGuest]) await view(c, threadId);
    await view(otherOrg, globexThread);
    await view(otherGuest, otherAcmeThread);
    await view(samePartnerElsewhere, otherAcmeThread);
    // and a claim of presence where they may not be is refused
    otherOrg.send({ type: 'viewing', threadId });
    await otherOrg.waitFor((f) => f.type === 'error' && f.error.code === 'not_found');
    otherGuest.send({ type: 'viewing', threadId });
    await otherGuest.waitFor((f) => f.type === 'error' && f.error.code === 'not_found');
    return {
      typist,
      staffWatcher,
      insiders: [partner, threadGuest, assignmentGuest],
      outsiders: [otherOrg, otherGuest, samePartnerElsewhere, notViewing],
      partner,
    };
  }

  it('when an agent types a reply, then partners and guests in the thread see that support is typing, with no id or name; staff see the agent; nobody else hears of it', async () => {
    const { typist, staffWatcher, insiders, outsiders } = await audience();
    await view(typist, threadId);
    typist.send({ type: 'typing', threadId });

    const staffSees = await staffWatcher.waitFor<PresenceMessage>(
      presenceIn(threadId, (f) => f.viewers.some((v) => v.kind === 'staff' && v.typing)),
    );
    expect(staffSees.viewers).toContainEqual({ kind: 'staff', id: agent.accountId, name: 'Alex Agent', typing: true });
    // staff keep seeing everyone: the partner and both guests viewing
    const everyone = await staffWatcher.waitFor<PresenceMessage>(
      presenceIn(
        threadId,
        (f) => f.viewers.filter((v) => v.kind !== 'staff').length === 3 && f.viewers.some((v) => v.typing),
      ),
    );
    expect(everyone.viewers.map((v) => v.kind).sort()).toEqual(['guest', 'guest', 'partner', 'staff']);

    for (const c of insiders) {
      const frame = await c.waitFor<PresenceMessage>(presenceIn(threadId, (f) => f.viewers.length > 0));
      expect(frame.viewers).toEqual([SUPPORT]);
    }

    // the agent sends `viewing` again (stopped typing, e.g. sent the reply): it ends at once
    typist.send({ type: 'viewing', threadId });
    for (const c of insiders) await c.waitFor(presenceIn(threadId, (f) => f.viewers.length === 0));
    await staffWatcher.waitFor(
      presenceIn(threadId, (f) => f.viewers.some((v) => v.kind === 'staff') && !f.viewers.some((v) => v.typing)),
    );

    // each insider was told exactly: typing, then nobody; never who views, never a partner or guest
    for (const c of insiders) {
      await settled(c);
      expect(presenceFrames(c).map((f) => [f.threadId, f.viewers])).toEqual([
        [threadId, [SUPPORT]],
        [threadId, []],
      ]);
      const wire = c.raw.join('\n');
      expect(wire).not.toContain(agent.accountId);
      expect(wire).not.toContain('Alex Agent');
      // the partner's id is never in presence; it may be in a thread change of a message they wrote
      // (the public view shows partners' ids), when the live process learns of a raise after this socket opened
      const presenceWire = c.frames.filter((f) => f.type === 'presence').map((f) => JSON.stringify(f));
      expect(presenceWire.join('\n')).not.toContain(acme.accountId);
      expect(c.invalid).toEqual([]);
    }
    // the outsiders: not a single presence frame (the insiders on their processes got theirs before this pong)
    for (const c of outsiders) {
      await settled(c);
      expect(presenceFrames(c)).toEqual([]);
      expect(c.raw.join('\n')).not.toContain(threadId);
    }
  });

  it('when a partner or guest types, then staff see it, and the other partners and guests in the thread are not told', async () => {
    const staffWatcher = await connect(p1, { cookie: admin.cookie });
    const partner = await connect(p2, { cookie: acme.cookie });
    const threadGuest = await connect(p1, { guestToken: threadToken });
    await view(partner, threadId);
    await view(threadGuest, threadId);

    partner.send({ type: 'typing', threadId });
    const frame = await staffWatcher.waitFor<PresenceMessage>(
      presenceIn(threadId, (f) => f.viewers.some((v) => v.kind === 'partner' && v.typing)),
    );
    expect(frame.viewers).toContainEqual({
      kind: 'partner',
      id: acme.accountId,
      name: 'Pat Partner (Acme)',
      typing: true,
    });
    threadGuest.send({ type: 'typing', threadId });
    await staffWatcher.waitFor(presenceIn(threadId, (f) => f.viewers.some((v) => v.kind === 'guest' && v.typing)));
    for (const c of [partner, threadGuest]) {
      await settled(c);
      expect(presenceFrames(c)).toEqual([]);
    }
  });

  it('when an agent types an internal note, then staff see the typing and partners and guests do not', async () => {
    const typist = await connect(p1, { cookie: agent.cookie });
    const staffWatcher = await connect(p2, { cookie: admin.cookie });
    const partner = await connect(p2, { cookie: acme.cookie });
    const threadGuest = await connect(p1, { guestToken: threadToken });
    await view(partner, threadId);
    await view(threadGuest, threadId);

    typist.send({ type: 'typing', threadId, internal: true });
    await staffWatcher.waitFor(
      presenceIn(threadId, (f) => f.viewers.some((v) => v.id === agent.accountId && v.typing)),
    );
    for (const c of [partner, threadGuest]) {
      await settled(c);
      expect(presenceFrames(c)).toEqual([]);
    }
    // switching to a reply is news for them
    typist.send({ type: 'typing', threadId });
    for (const c of [partner, threadGuest]) {
      expect((await c.waitFor<PresenceMessage>(presenceIn(threadId, (f) => f.viewers.length > 0))).viewers).toEqual([
        SUPPORT,
      ]);
    }
    // and back to the note: typing ends for them, not for staff
    typist.send({ type: 'typing', threadId, internal: true });
    for (const c of [partner, threadGuest]) await c.waitFor(presenceIn(threadId, (f) => f.viewers.length === 0));
    expect(staffWatcher.closed).toBeUndefined();
  });

  it('when a partner opens a thread while support is typing, then it is told at once', async () => {
    const typist = await connect(p1, { cookie: agent.cookie });
    const staffWatcher = await connect(p2, { cookie: admin.cookie });
    typist.send({ type: 'typing', threadId });
    await staffWatcher.waitFor(presenceIn(threadId, (f) => f.viewers.some((v) => v.typing)));
    const partner = await connect(p2, { cookie: acme.cookie });
    partner.send({ type: 'viewing', threadId });
    expect((await partner.waitFor<PresenceMessage>(presenceIn(threadId, () => true))).viewers).toEqual([SUPPORT]);
    // and when the agent's connection goes, typing goes with it
    await typist.close();
    await partner.waitFor(presenceIn(threadId, (f) => f.viewers.length === 0));
  });

  it('when the desk is set to show staff names, then partners see who types (never the id), and switching back hides it, without reconnecting', async () => {
    const typist = await connect(p1, { cookie: agent.cookie });
    const partner = await connect(p2, { cookie: acme.cookie });
    const threadGuest = await connect(p1, { guestToken: threadToken });
    await view(partner, threadId);
    await view(threadGuest, threadId);
    const setNames = async (show: boolean) => {
      const marks = [partner, threadGuest].map((c) => c.frames.length);
      await ok(
        admin.request('PUT', '/api/support/config', {
          whatsappNumber: null,
          supportEmail: 'support@example.com',
          portalBaseUrl: desk.base,
          whatsappBubbleEnabled: false,
          showStaffNamesInPresence: show,
        }),
        200,
      );
      // every connection hears of the config change; the names follow it from then on
      await Promise.all([partner, threadGuest].map((c, i) => c.waitFor((f) => f.type === 'config', 10_000, marks[i])));
    };
    let on = false;
    try {
      await setNames(true);
      on = true;
      typist.send({ type: 'typing', threadId });
      for (const c of [partner, threadGuest]) {
        const frame = await c.waitFor<PresenceMessage>(presenceIn(threadId, (f) => f.viewers.length > 0));
        expect(frame.viewers).toEqual([{ kind: 'staff', id: '', name: 'Alex Agent', typing: true }]);
      }
      // switched off while the agent types: the name goes at once
      await setNames(false);
      on = false;
      for (const c of [partner, threadGuest]) {
        await c.waitFor(presenceIn(threadId, (f) => f.viewers.length === 1 && f.viewers[0]!.name === ''));
      }
      for (const c of [partner, threadGuest]) expect(c.raw.join('\n')).not.toContain(agent.accountId);
    } finally {
      if (on) await setNames(false).catch(() => undefined);
    }
  });
});
