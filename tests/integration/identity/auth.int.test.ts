import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { SCRYPT_PARAMS } from '../../../platform/identity/passwords.js';
import { sha256Hex } from '../../../platform/identity/sessions.js';
import { cookieValue, freshIp, guestIdentity, signIn, startHarness, type Harness } from './harness.js';

const PASSWORD = 'a good long password';

/** Every scrypt derivation the desk runs (its cost parameters and key length), to compare the work of two sign-ins. */
const scryptCalls = vi.hoisted(() => [] as { N: number; r: number; p: number; keyBytes: number }[]);
vi.mock('node:crypto', async (importOriginal) => {
  const crypto = await importOriginal<typeof import('node:crypto')>();
  const scrypt = (...args: Parameters<typeof crypto.scrypt>) => {
    const [, , keyBytes, options] = args as unknown as [unknown, unknown, number, { N: number; r: number; p: number }];
    scryptCalls.push({ N: options.N, r: options.r, p: options.p, keyBytes });
    return (crypto.scrypt as (...a: unknown[]) => void)(...args);
  };
  return { ...crypto, default: { ...crypto, scrypt }, scrypt };
});

describe('sign-in, sessions and CSRF over HTTP', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
    await h.accounts.create({ email: 'agent@example.test', name: 'Agent Smith', role: 'agent', password: PASSWORD });
    await h.accounts.create({
      email: 'partner@acme.test',
      name: 'Pat',
      role: 'partner',
      partnerOrgId: 'acme',
      password: PASSWORD,
    });
  });
  afterAll(async () => h.close());

  const post = (path: string, init: { headers?: Record<string, string>; body?: unknown } = {}) =>
    fetch(`${h.baseUrl}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': freshIp(), ...init.headers },
      body: JSON.stringify(init.body ?? {}),
    });
  const me = (headers: Record<string, string>) => fetch(`${h.baseUrl}/api/auth/me`, { headers });

  describe('sign-in', () => {
    it('when the email and password are right, then it answers the account and the csrf token, and sets the cookies', async () => {
      const res = await post('/api/auth/sign-in', { body: { email: 'AGENT@example.test', password: PASSWORD } });
      expect(res.status).toBe(200);
      expect(res.headers.get('cache-control')).toBe('no-store');
      const body = (await res.json()) as { account: Record<string, unknown>; csrfToken: string };
      expect(body.account).toEqual({
        id: expect.any(String),
        email: 'agent@example.test',
        name: 'Agent Smith',
        role: 'agent',
        partnerOrgId: null,
      });
      const setCookies = res.headers.getSetCookie();
      const session = setCookies.find((c) => c.startsWith('sd_session='))!;
      const csrf = setCookies.find((c) => c.startsWith('sd_csrf='))!;
      expect(session).toMatch(/; HttpOnly/i);
      expect(session).toMatch(/; SameSite=Lax/i);
      expect(session).toMatch(/; Secure/i);
      expect(session).toMatch(/; Path=\//i);
      expect(session).toMatch(/; Max-Age=43200/i);
      expect(csrf).not.toMatch(/HttpOnly/i);
      expect(csrf).toMatch(/; SameSite=Lax/i);
      expect(csrf).toMatch(/; Secure/i);
      expect(cookieValue(setCookies, 'sd_csrf')).toBe(body.csrfToken);
      expect(JSON.stringify(body)).not.toContain(cookieValue(setCookies, 'sd_session'));
    });

    it('when the password is wrong or the email unknown, then the answer is the same 401, after the same work', async () => {
      const ip = freshIp();
      const attempt = async (email: string, password: string) => {
        scryptCalls.length = 0;
        const res = await post('/api/auth/sign-in', { headers: { 'x-forwarded-for': ip }, body: { email, password } });
        return {
          status: res.status,
          type: res.headers.get('content-type'),
          body: await res.json(),
          res,
          scrypt: [...scryptCalls],
        };
      };
      // the dummy hash is made once per process: make it before counting
      await attempt('nobody@example.test', 'whatever password');
      const wrong = await attempt('agent@example.test', 'not the password');
      const unknown = await attempt('nobody@example.test', 'not the password');
      expect(wrong.status).toBe(401);
      expect(unknown.status).toBe(401);
      expect(wrong.type).toMatch(/^application\/problem\+json/);
      expect(unknown.body).toEqual(wrong.body);
      expect(wrong.body).toMatchObject({
        status: 401,
        code: 'unauthenticated',
        detail: 'That email and password do not match an account.',
      });
      expect(wrong.res.headers.getSetCookie()).toEqual([]);
      // Both run exactly one scrypt verification with today's parameters: an unknown email costs
      // what a wrong password costs, so the time taken does not tell whether an email is registered
      // (the work is compared, not measured durations, which are noise on a shared machine).
      const params = { N: SCRYPT_PARAMS.N, r: SCRYPT_PARAMS.r, p: SCRYPT_PARAMS.p, keyBytes: SCRYPT_PARAMS.keyBytes };
      expect(wrong.scrypt).toEqual([params]);
      expect(unknown.scrypt).toEqual([params]);
    });

    it('when the account is disabled, then sign-in gets the same 401', async () => {
      const account = await h.accounts.create({
        email: 'disabled@example.test',
        name: 'D',
        role: 'ops',
        password: PASSWORD,
      });
      await h.accounts.setDisabled(account.id, true);
      const res = await post('/api/auth/sign-in', { body: { email: 'disabled@example.test', password: PASSWORD } });
      expect(res.status).toBe(401);
      expect(await res.json()).toMatchObject({ detail: 'That email and password do not match an account.' });
    });

    it('when the body is not valid, then 400 names the fields', async () => {
      const res = await post('/api/auth/sign-in', { body: { email: '' } });
      expect(res.status).toBe(400);
      const body = (await res.json()) as { errors: { path: string }[] };
      expect(body.errors.map((e) => e.path).sort()).toEqual(['body.email', 'body.password']);
    });

    it('when one ip tries one email more than 10 times, then it gets 429 with Retry-After, even with the right password', async () => {
      h.clock.toWindowStart(15 * 60); // the whole window ahead: the count cannot reset under the test
      const ip = freshIp();
      const statuses: number[] = [];
      for (let i = 0; i < 10; i += 1) {
        const res = await post('/api/auth/sign-in', {
          headers: { 'x-forwarded-for': ip },
          body: { email: 'Agent@example.test', password: `wrong password ${i}` },
        });
        statuses.push(res.status);
      }
      expect(statuses).toEqual(Array(10).fill(401));
      const limited = await post('/api/auth/sign-in', {
        headers: { 'x-forwarded-for': ip },
        body: { email: 'agent@example.test', password: PASSWORD },
      });
      expect(limited.status).toBe(429);
      const retryAfter = Number(limited.headers.get('retry-after'));
      expect(retryAfter).toBeGreaterThanOrEqual(1);
      expect(retryAfter).toBeLessThanOrEqual(15 * 60);
      expect(await limited.json()).toMatchObject({ status: 429, code: 'rate_limited' });
      // another ip is not limited
      const other = await post('/api/auth/sign-in', { body: { email: 'agent@example.test', password: PASSWORD } });
      expect(other.status).toBe(200);
    });

    it('when one ip tries more than 50 times across emails, then it gets 429', async () => {
      h.clock.toWindowStart(15 * 60); // the whole window ahead: the count cannot reset under the test
      const ip = freshIp();
      for (let i = 0; i < 50; i += 1) {
        const res = await post('/api/auth/sign-in', {
          headers: { 'x-forwarded-for': ip },
          body: { email: `user${i}@example.test`, password: 'wrong password' },
        });
        expect(res.status).toBe(401);
      }
      const limited = await post('/api/auth/sign-in', {
        headers: { 'x-forwarded-for': ip },
        body: { email: 'agent@example.test', password: PASSWORD },
      });
      expect(limited.status).toBe(429);
      expect(limited.headers.get('retry-after')).toMatch(/^\d+$/);
    });
  });

  describe('session identity', () => {
    it('when the session cookie is sent, then /me answers the identity and no token', async () => {
      const s = await signIn(h.baseUrl, 'partner@acme.test', PASSWORD);
      const res = await me({ cookie: s.cookie });
      expect(res.status).toBe(200);
      expect(res.headers.get('cache-control')).toBe('no-store');
      const text = await res.text();
      expect(JSON.parse(text)).toEqual({
        identity: {
          kind: 'partner',
          role: 'partner',
          accountId: s.body.account.id,
          partnerOrgId: 'acme',
          name: 'Pat',
          email: 'partner@acme.test',
          via: 'session',
        },
      });
      expect(text).not.toContain(s.sessionToken);
      expect(text).not.toContain(s.csrfToken);
    });

    it('when there is no cookie, or an unknown one, then /me is 401', async () => {
      expect((await me({})).status).toBe(401);
      expect((await me({ cookie: 'sd_session=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' })).status).toBe(401);
      expect((await me({ cookie: 'sd_session=%E0%A4%A' })).status).toBe(401);
    });

    it('when the session has expired, then it is refused', async () => {
      const s = await signIn(h.baseUrl, 'agent@example.test', PASSWORD);
      expect((await me({ cookie: s.cookie })).status).toBe(200);
      await h.db.pool.query(`UPDATE sessions SET expires_at = now() - interval '1 second' WHERE token_hash = $1`, [
        sha256Hex(s.sessionToken),
      ]);
      const res = await me({ cookie: s.cookie });
      expect(res.status).toBe(401);
      expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    });

    it('when an expired session cookie is still sent, then sign-in still works and replaces it', async () => {
      const old = await signIn(h.baseUrl, 'agent@example.test', PASSWORD);
      await h.sessions.revoke(old.sessionToken);
      const res = await post('/api/auth/sign-in', {
        headers: { cookie: old.cookie },
        body: { email: 'agent@example.test', password: PASSWORD },
      });
      expect(res.status).toBe(200);
    });

    it('when signing in again with a live session, then the previous session is revoked (no fixation)', async () => {
      const first = await signIn(h.baseUrl, 'agent@example.test', PASSWORD);
      const res = await post('/api/auth/sign-in', {
        headers: { cookie: first.cookie, 'x-csrf-token': first.csrfToken },
        body: { email: 'agent@example.test', password: PASSWORD },
      });
      expect(res.status).toBe(200);
      expect((await me({ cookie: first.cookie })).status).toBe(401);
    });
  });

  describe('CSRF on writes with a session', () => {
    const echo = (headers: Record<string, string>) => post('/api/test/echo', { headers });

    it('when the X-CSRF-Token header is missing, then 403 csrf', async () => {
      const s = await signIn(h.baseUrl, 'agent@example.test', PASSWORD);
      const res = await echo({ cookie: s.cookie });
      expect(res.status).toBe(403);
      expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(await res.json()).toMatchObject({ status: 403, code: 'csrf' });
    });

    it('when the header is wrong, or matches the cookie but not the session, then 403 csrf', async () => {
      const s = await signIn(h.baseUrl, 'agent@example.test', PASSWORD);
      const wrong = await echo({ cookie: s.cookie, 'x-csrf-token': 'A'.repeat(43) });
      expect(wrong.status).toBe(403);
      expect(await wrong.json()).toMatchObject({ code: 'csrf' });
      const forged = 'B'.repeat(43);
      const planted = await echo({ cookie: `sd_session=${s.sessionToken}; sd_csrf=${forged}`, 'x-csrf-token': forged });
      expect(planted.status).toBe(403);
      const noCookie = await echo({ cookie: `sd_session=${s.sessionToken}`, 'x-csrf-token': s.csrfToken });
      expect(noCookie.status).toBe(403);
    });

    it('when the Origin is foreign, then 403 csrf even with the right token', async () => {
      const s = await signIn(h.baseUrl, 'agent@example.test', PASSWORD);
      for (const origin of ['https://evil.example', 'null', 'http://127.0.0.1:1']) {
        const res = await echo({ cookie: s.cookie, 'x-csrf-token': s.csrfToken, origin });
        expect(res.status).toBe(403);
        expect(await res.json()).toMatchObject({
          code: 'csrf',
          detail: 'This page is out of date. Reload it and try again.',
          reason: expect.stringMatching(/origin/),
        });
      }
    });

    it('when the token is right and the Origin is absent, same-origin or allowed, then the write goes through', async () => {
      const s = await signIn(h.baseUrl, 'agent@example.test', PASSWORD);
      for (const origin of [undefined, h.baseUrl, 'https://desk.example.com']) {
        const res = await echo({ cookie: s.cookie, 'x-csrf-token': s.csrfToken, ...(origin ? { origin } : {}) });
        expect(res.status).toBe(200);
        expect(await res.json()).toEqual({ kind: 'staff' });
      }
    });

    it('when the request is a read, then no CSRF token is needed', async () => {
      const s = await signIn(h.baseUrl, 'agent@example.test', PASSWORD);
      expect((await me({ cookie: s.cookie, origin: 'https://evil.example' })).status).toBe(200);
    });
  });

  describe('sign-out', () => {
    it('when signing out, then the session is revoked and the cookies cleared', async () => {
      const s = await signIn(h.baseUrl, 'agent@example.test', PASSWORD);
      const res = await post('/api/auth/sign-out', { headers: { cookie: s.cookie, 'x-csrf-token': s.csrfToken } });
      expect(res.status).toBe(204);
      const cleared = res.headers.getSetCookie();
      expect(cleared.find((c) => c.startsWith('sd_session=;'))).toMatch(/Expires=Thu, 01 Jan 1970/);
      expect(cleared.find((c) => c.startsWith('sd_csrf=;'))).toBeDefined();
      expect((await me({ cookie: s.cookie })).status).toBe(401);
      const { rowCount } = await h.db.pool.query('SELECT 1 FROM sessions WHERE token_hash = $1', [
        sha256Hex(s.sessionToken),
      ]);
      expect(rowCount).toBe(0);
    });

    it('when signing out without the CSRF token, then 403 and the session lives on', async () => {
      const s = await signIn(h.baseUrl, 'agent@example.test', PASSWORD);
      const res = await post('/api/auth/sign-out', { headers: { cookie: s.cookie } });
      expect(res.status).toBe(403);
      expect((await me({ cookie: s.cookie })).status).toBe(200);
    });

    it('when not signed in, then sign-out is 401', async () => {
      expect((await post('/api/auth/sign-out')).status).toBe(401);
    });
  });

  describe('guest links', () => {
    it('when a valid guest token is sent, then the guest identity is used, with no CSRF check', async () => {
      const res = await me({ 'x-guest-token': 'good-guest-token' });
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ identity: guestIdentity });
      const write = await post('/api/test/echo', { headers: { 'x-guest-token': 'good-guest-token' } });
      expect(write.status).toBe(200);
      expect(await write.json()).toEqual({ kind: 'guest' });
    });

    it('when a guest token is refused or empty, then every case gets the same 401, even on public routes', async () => {
      const bodies = [];
      for (const token of ['expired-token', 'revoked', ' ']) {
        const res = await post('/api/auth/sign-in', {
          headers: { 'x-guest-token': token },
          body: { email: 'agent@example.test', password: PASSWORD },
        });
        expect(res.status).toBe(401);
        bodies.push(await res.json());
      }
      expect(bodies[0]).toEqual({
        type: 'https://support-desk.dev/problems/invalid_link',
        title: 'Unauthorized',
        status: 401,
        code: 'invalid_link',
        detail: 'This link no longer works: it has expired or been revoked. Ask support for a new one.',
      });
      expect(bodies[1]).toEqual(bodies[0]);
      expect(bodies[2]).toEqual(bodies[0]);
    });
  });
});
