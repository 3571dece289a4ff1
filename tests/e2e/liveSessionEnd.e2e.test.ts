import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { createPool } from '../../platform/database/pool.js';
import { AccountStore } from '../../platform/identity/accounts.js';
import { LIVE_PATH } from '../../read-api/live/index.js';
import {
  LiveClient,
  signInSession,
  startLiveProcess,
  wait,
  type LiveProcess,
  type Session,
} from '../support/liveClient.js';
import { startTestDesk, type TestDesk } from '../support/testDesk.js';

const PASSWORD = 'a long enough password';

/**
 * A session that ends (sign-out, a disabled account, a password reset) closes its live sockets
 * at once on every API process, through Postgres NOTIFY, not at the next 5-minute revalidation
 * (both processes here keep the default revalidateMs).
 */
describe('live push: ended sessions close their sockets everywhere', () => {
  let desk: TestDesk;
  let other: LiveProcess;
  const open: LiveClient[] = [];

  const processes = () => [
    { name: 'the desk', base: desk.base, wsUrl: `${desk.base.replace(/^http/, 'ws')}${LIVE_PATH}` },
    { name: 'another API process', base: other.base, wsUrl: other.wsUrl },
  ];

  /** A partner account of this test's own, signed in. */
  async function newPartner(): Promise<{ id: string; email: string }> {
    const email = `partner-${randomUUID()}@acme.test`;
    const account = await desk.desk.accounts.create({
      email,
      name: 'Session Tester',
      role: 'partner',
      partnerOrgId: 'acme',
      password: PASSWORD,
    });
    return { id: account.id, email };
  }

  /** One socket of this session on each process. */
  async function socketsOf(session: Session): Promise<LiveClient[]> {
    const sockets = await Promise.all(processes().map((p) => LiveClient.connect(p.wsUrl, { cookie: session.cookie })));
    open.push(...sockets);
    return sockets;
  }

  /** Its close, or undefined if it is still open after a wait far longer than a notification takes. */
  const closeOf = (socket: LiveClient) => Promise.race([socket.closedPromise, wait(10_000).then(() => socket.closed)]);

  const stillOpen = async (socket: LiveClient) => {
    const id = randomUUID();
    socket.send({ type: 'ping', id });
    await socket.waitFor((f) => f.type === 'pong' && f.id === id);
    expect(socket.closed).toBeUndefined();
  };

  beforeAll(async () => {
    desk = await startTestDesk();
    other = await startLiveProcess(desk.db.url);
  });

  afterEach(async () => {
    await Promise.all(open.splice(0).map((c) => c.close()));
  });

  afterAll(async () => {
    await other?.stop();
    await desk?.stop();
  });

  it('when a session runs out of time, then its socket closes with 4001 then, not at the next revalidation', async () => {
    const account = await newPartner();
    const session = await signInSession(desk.base, account.email, PASSWORD);
    const { rows } = await desk.db.pool.query<{ expires_at: Date }>(
      'SELECT expires_at FROM sessions WHERE account_id = $1',
      [account.id],
    );
    // the desk's clock moves on to half a second before the session ends (the database, on real
    // time, still takes it): the socket is let in with moments left, and must close when they pass
    const shift = rows[0]!.expires_at.getTime() - desk.clock.now().getTime() - 500;
    desk.clock.shift(shift);
    onTestFinished(() => void desk.clock.shift(-shift));
    const socket = await LiveClient.connect(processes()[0]!.wsUrl, { cookie: session.cookie });
    open.push(socket);
    expect(await closeOf(socket)).toMatchObject({ code: 4001, reason: 'the session has expired' });
  });

  it('when a session signs out, then its sockets on every process close with 4001, and the account’s other session stays', async () => {
    const account = await newPartner();
    const signingOut = await signInSession(desk.base, account.email, PASSWORD);
    const staying = await signInSession(other.base, account.email, PASSWORD);
    const ending = await socketsOf(signingOut);
    const kept = await socketsOf(staying);

    expect((await signingOut.request('POST', '/api/auth/sign-out', {})).status).toBe(204);

    for (const socket of ending) expect(await closeOf(socket)).toMatchObject({ code: 4001 });
    for (const socket of kept) await stillOpen(socket);
  });

  it('when an account is disabled, then every socket of every session of it closes with 4001, and HTTP on the other process refuses the session at once', async () => {
    const account = await newPartner();
    const one = await signInSession(desk.base, account.email, PASSWORD);
    const two = await signInSession(other.base, account.email, PASSWORD);
    const sockets = [...(await socketsOf(one)), ...(await socketsOf(two))];
    // the other process has just looked the session up: it answers it from memory (SESSION_CACHE_MS)
    expect((await call(other.base, two.cookie)).status).toBe(200);

    await desk.desk.accounts.setDisabled(account.id, true);

    for (const socket of sockets) expect(await closeOf(socket)).toMatchObject({ code: 4001 });
    expect((await call(other.base, two.cookie)).status).toBe(401);
  });

  it('when the password is reset from another process (the ops CLI), then the account’s sockets close with 4001 everywhere', async () => {
    const account = await newPartner();
    const session = await signInSession(desk.base, account.email, PASSWORD);
    const sockets = await socketsOf(session);
    const bystander = await newPartner();
    const unrelated = await socketsOf(await signInSession(desk.base, bystander.email, PASSWORD));

    // `npm run ops -- reset-password` is a process of its own, with its own pool
    const cliPool = createPool(desk.db.url, 1, 'ops-cli');
    try {
      await new AccountStore(cliPool).setPassword(account.email, 'a brand new password');
    } finally {
      await cliPool.end();
    }

    for (const socket of sockets) expect(await closeOf(socket)).toMatchObject({ code: 4001 });
    for (const socket of unrelated) await stillOpen(socket);
  });
});

async function call(base: string, cookie: string): Promise<{ status: number }> {
  const res = await fetch(`${base}/api/auth/me`, { headers: { cookie } });
  await res.arrayBuffer();
  return { status: res.status };
}
