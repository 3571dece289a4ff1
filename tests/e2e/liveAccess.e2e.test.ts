import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { LIVE_SUBPROTOCOL } from '../../read-api/live/index.js';
import {
  call,
  LiveClient,
  signInSession,
  startLiveProcess,
  tryUpgrade,
  until,
  wait,
  type LiveProcess,
  type Session,
} from '../support/liveClient.js';
import { issueThreadLink } from '../support/guestLinks.js';
import { queryAbout, raiseQuery } from '../support/raiseQuery.js';
import { startTestDesk, type TestDesk } from '../support/testDesk.js';

const JWT_SECRET = 'a-host-platform-secret-of-32-chars!!';
const PORTAL = 'https://portal.example.test';

/** Who may open the live push, how they are refused, and what happens to bad client messages. */
describe('live push: upgrades and client messages', () => {
  let desk: TestDesk;
  let api: LiveProcess;
  let agent: Session;
  let partner: Session;
  let threadId: string;
  const open: LiveClient[] = [];
  const env = { JWT_SECRET, ALLOWED_ORIGINS: PORTAL };

  const jwt = (claims: Record<string, unknown>) =>
    new SignJWT(claims)
      .setProtectedHeader({ alg: 'HS256' })
      .setExpirationTime('5m')
      .sign(new TextEncoder().encode(JWT_SECRET));

  const connect = async (options: Parameters<typeof LiveClient.connect>[1], p: LiveProcess = api) => {
    const c = await LiveClient.connect(p.wsUrl, options);
    open.push(c);
    return c;
  };

  const issueLink = (body: Record<string, unknown> = {}) => issueThreadLink(agent, threadId, body);

  beforeAll(async () => {
    desk = await startTestDesk(env);
    api = await startLiveProcess(desk.db.url, { env });
    agent = await signInSession(api.base, 'agent@demo.test');
    partner = await signInSession(api.base, 'partner@acme.test');
    threadId = (await raiseQuery(partner, queryAbout('Access checks', 'hello'))).threadId;
  });

  afterAll(async () => {
    await Promise.all(open.map((c) => c.close()));
    await api?.stop();
    await desk?.stop();
  });

  describe('refused upgrades get an HTTP status and no socket', () => {
    it('when there is no identity, or the session is unknown, then 401 problem+json', async () => {
      const none = await tryUpgrade(api.wsUrl);
      expect(none.status).toBe(401);
      expect(none.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(JSON.parse(none.body)).toMatchObject({ status: 401, code: 'unauthenticated' });
      expect((await tryUpgrade(api.wsUrl, { cookie: 'sd_session=not-a-session' })).status).toBe(401);
    });

    it('when a signed-in browser page of another origin opens it, then 403; its own origin and listed origins pass', async () => {
      const evil = await tryUpgrade(api.wsUrl, { cookie: agent.cookie, origin: 'https://evil.example' });
      expect(evil.status).toBe(403);
      expect(JSON.parse(evil.body)).toMatchObject({ code: 'origin' });
      expect((await tryUpgrade(api.wsUrl, { cookie: agent.cookie, origin: 'null' })).status).toBe(403);
      expect((await tryUpgrade(api.wsUrl, { cookie: agent.cookie, origin: api.base })).status).toBe(101);
      expect((await tryUpgrade(api.wsUrl, { cookie: agent.cookie, origin: PORTAL })).status).toBe(101);
    });

    it('when a guest token or a bearer token is bad, then 401; a host service token is 403', async () => {
      const bad = 'A'.repeat(43);
      const viaProtocol = await tryUpgrade(api.wsUrl, { guestToken: bad });
      expect(viaProtocol.status).toBe(401);
      expect(JSON.parse(viaProtocol.body)).toMatchObject({ code: 'invalid_link' });
      expect((await tryUpgrade(api.wsUrl, { guestToken: 'short', guestTokenVia: 'header' })).status).toBe(401);
      expect((await tryUpgrade(api.wsUrl, { bearer: 'not.a.jwt' })).status).toBe(401);
      expect((await tryUpgrade(api.wsUrl, { bearer: await jwt({ sub: 'svc', role: 'host' }) })).status).toBe(403);
    });

    it('when the path is another, or the position is malformed, then 404 / 400', async () => {
      expect((await tryUpgrade(api.wsUrl, { cookie: agent.cookie, path: '/api/support/elsewhere' })).status).toBe(404);
      expect((await tryUpgrade(api.wsUrl, { cookie: agent.cookie, after: '12abc' })).status).toBe(400);
    });

    it('when the process or the account has too many connections, then 429', async () => {
      const small = await startLiveProcess(desk.db.url, {
        env,
        limits: { maxConnections: 3, maxConnectionsPerIdentity: 2 },
      });
      try {
        const one = await LiveClient.connect(small.wsUrl, { cookie: agent.cookie });
        const two = await LiveClient.connect(small.wsUrl, { cookie: agent.cookie });
        const perAccount = await tryUpgrade(small.wsUrl, { cookie: agent.cookie });
        expect(perAccount.status).toBe(429);
        const three = await LiveClient.connect(small.wsUrl, { cookie: partner.cookie });
        const perProcess = await tryUpgrade(small.wsUrl, { cookie: partner.cookie });
        expect(perProcess.status).toBe(429);
        expect(perProcess.headers['retry-after']).toBe('5');
        expect(small.hub.clientCount()).toBe(3);
        await Promise.all([one.close(), two.close(), three.close()]);
        await until(() => small.hub.clientCount() === 0, 5000, 'disconnects counted');
        expect(small.hub.stats().refusedUpgrades['429']).toBe(2);
      } finally {
        await small.stop();
      }
    });
  });

  describe('accepted identities', () => {
    it('when staff, a partner or a guest connect by cookie, bearer, subprotocol or header, then hello names their kind', async () => {
      const staff = await connect({ cookie: agent.cookie, origin: api.base });
      expect(staff.frames[0]).toMatchObject({
        type: 'hello',
        identity: { kind: 'staff', role: 'agent' },
        resumed: false,
      });
      const viaJwt = await connect({ bearer: await jwt({ sub: 'host-user-7', role: 'partner', org: 'acme' }) });
      expect(viaJwt.frames[0]).toMatchObject({ identity: { kind: 'partner', role: 'partner' } });
      const link = await issueLink();
      const guest = await connect({ guestToken: link.token });
      expect(guest.ws.protocol).toBe(LIVE_SUBPROTOCOL); // the token subprotocol is never echoed back
      expect(guest.frames[0]).toMatchObject({ identity: { kind: 'guest', role: 'guest' } });
      const guestByHeader = await connect({ guestToken: link.token, guestTokenVia: 'header' });
      expect(guestByHeader.frames[0]).toMatchObject({ identity: { kind: 'guest' } });
    });

    it('when a guest link is revoked, then its open sockets are closed with 4001', async () => {
      const link = await issueLink();
      const guest = await connect({ guestToken: link.token });
      const res = await agent.request('DELETE', `/api/support/guest-links/${link.linkId}`);
      expect(res.status).toBeLessThan(300);
      const closed = await guest.closedPromise;
      expect(closed.code).toBe(4001);
      expect((await tryUpgrade(api.wsUrl, { guestToken: link.token })).status).toBe(401);
    });

    it('when a guest link expires while connected, then the socket is closed with 4001', async () => {
      const link = await issueLink({ lifetimeSeconds: 3600 });
      const expiresAt = Date.now() + 3600_000;
      // a process whose clock always says 1.5 s before the link's expiry
      const late = await startLiveProcess(desk.db.url, {
        env,
        clock: () => new Date(Date.now() + (expiresAt - Date.now() - 1500)),
      });
      try {
        // accepted first (connect resolves on the hello: a link already expired is cut before it),
        // then closed when the link expires
        const guest = await LiveClient.connect(late.wsUrl, { guestToken: link.token });
        expect(guest.frames[0]).toMatchObject({ type: 'hello', identity: { kind: 'guest' } });
        expect(await guest.closedPromise).toEqual({ code: 4001, reason: 'the guest link has expired' });
      } finally {
        await late.stop();
      }
    });

    it('when the session is signed out, then its sockets are closed at the next revalidation', async () => {
      const quick = await startLiveProcess(desk.db.url, { env, limits: { revalidateMs: 1000 } });
      try {
        const session = await signInSession(quick.base, 'auditor@demo.test');
        const socket = await LiveClient.connect(quick.wsUrl, { cookie: session.cookie });
        await wait(300);
        expect(socket.closed).toBeUndefined();
        expect((await session.request('POST', '/api/auth/sign-out', {})).status).toBeLessThan(300);
        expect((await socket.closedPromise).code).toBe(4001);
      } finally {
        await quick.stop();
      }
    });
  });

  describe('client messages', () => {
    it('when a client sends bad frames, then each gets an error frame and the connection lives on', async () => {
      const c = await connect({ cookie: agent.cookie });
      c.send('this is not json');
      expect(await c.waitFor((f) => f.type === 'error')).toMatchObject({ error: { code: 'bad_json' } });
      c.send({ type: 'subscribe', channel: 'everything' });
      const unknown = await c.waitFor((f) => f.type === 'error' && f.error.code === 'bad_message');
      expect(unknown).toMatchObject({ error: { issues: [expect.objectContaining({ path: 'type' })] } });
      c.send({ type: 'viewing', threadId: 'not-a-uuid' });
      await c.waitForCount((f) => f.type === 'error' && f.error.code === 'bad_message', 2);
      c.send({ type: 'viewing', threadId, extra: true });
      await c.waitForCount((f) => f.type === 'error' && f.error.code === 'bad_message', 3);
      c.ws.send(Buffer.from([1, 2, 3]), { binary: true });
      await c.waitFor((f) => f.type === 'error' && f.error.code === 'binary_not_accepted');
      c.send({ type: 'ping', id: 'p1' });
      expect(await c.waitFor((f) => f.type === 'pong')).toEqual({ type: 'pong', id: 'p1' });
      expect(c.closed).toBeUndefined();
    });

    it('when a frame is larger than maxPayload, then the socket is closed with 1009', async () => {
      const c = await connect({ cookie: agent.cookie });
      c.send({ type: 'ping', id: 'x'.repeat(10_000) });
      expect((await c.closedPromise).code).toBe(1009);
      // the hub itself is fine
      const again = await connect({ cookie: agent.cookie });
      again.send({ type: 'ping' });
      await again.waitFor((f) => f.type === 'pong');
    });

    it('when a partner or guest claims presence in a thread they may not read, then not_found', async () => {
      const globex = await signInSession(api.base, 'partner@globex.test');
      const c = await connect({ cookie: globex.cookie });
      c.send({ type: 'viewing', threadId });
      expect(await c.waitFor((f) => f.type === 'error')).toMatchObject({ error: { code: 'not_found' } });
    });

    it('when a client floods messages, then it is rate limited, and closed with 4029 if it goes on', async () => {
      const c = await connect({ cookie: agent.cookie });
      for (let i = 0; i < 40; i++) c.send({ type: 'ping', id: String(i) });
      await c.waitFor((f) => f.type === 'error' && f.error.code === 'rate_limited');
      expect(c.frames.filter((f) => f.type === 'pong').length).toBeLessThanOrEqual(31);
      for (let i = 0; i < 100 && c.ws.readyState === WebSocket.OPEN; i++) c.send({ type: 'ping' });
      expect((await c.closedPromise).code).toBe(4029);
    });
  });

  it('answers plain HTTP on the live path as not found (it only upgrades)', async () => {
    const res = await call(api.base, 'GET', '/api/support/live', undefined, { cookie: agent.cookie });
    expect(res.status).toBe(404);
  });
});
