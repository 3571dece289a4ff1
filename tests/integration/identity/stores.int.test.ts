import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AccountStore, DEMO_PASSWORD, type AccountRole } from '../../../platform/identity/accounts.js';
import { RateLimiter, rateLimitKey } from '../../../platform/identity/rateLimiter.js';
import { SessionStore, sha256Hex } from '../../../platform/identity/sessions.js';
import { createTestDatabase, type TestDatabase } from '../../support/testDatabase.js';

const PASSWORD = 'a long enough password';

describe('identity stores', () => {
  let db: TestDatabase;
  let accounts: AccountStore;
  let sessions: SessionStore;
  beforeAll(async () => {
    db = await createTestDatabase();
    accounts = new AccountStore(db.pool);
    sessions = new SessionStore(db.pool);
  });
  afterAll(async () => db.drop());

  /** An enabled account of this test's own, with PASSWORD. */
  const newAccount = (email: string, name: string, role: AccountRole) =>
    accounts.create({ email, name, role, password: PASSWORD });

  describe('accounts', () => {
    it('when an account is created, then it is found by id and by email in any case, without its hash', async () => {
      const created = await newAccount('Mixed.Case@Example.test', 'Mixed Case', 'agent');
      expect(created).toMatchObject({ email: 'Mixed.Case@Example.test', role: 'agent', partnerOrgId: null });
      expect(created).not.toHaveProperty('passwordHash');
      expect((await accounts.findByEmail('mixed.case@example.TEST'))?.id).toBe(created.id);
      expect((await accounts.findById(created.id))?.email).toBe('Mixed.Case@Example.test');
      expect(await accounts.findById('not-a-uuid')).toBeUndefined();
    });

    it('when an email is taken in another case, then create refuses with 409 email_taken', async () => {
      await newAccount('taken@example.test', 'T', 'ops');
      await expect(
        accounts.create({ email: 'TAKEN@example.test', name: 'T2', role: 'ops', password: PASSWORD }),
      ).rejects.toMatchObject({ status: 409, extensions: { code: 'email_taken' } });
    });

    it('when a partner has no org, or staff has one, or the password is short, then create refuses with 400', async () => {
      await expect(
        accounts.create({ email: 'p@example.test', name: 'P', role: 'partner', password: PASSWORD }),
      ).rejects.toMatchObject({ status: 400 });
      await expect(
        accounts.create({
          email: 's@example.test',
          name: 'S',
          role: 'agent',
          partnerOrgId: 'acme',
          password: PASSWORD,
        }),
      ).rejects.toMatchObject({ status: 400 });
      await expect(
        accounts.create({ email: 'short@example.test', name: 'S', role: 'agent', password: 'short' }),
      ).rejects.toMatchObject({ status: 400 });
    });

    it('when the database is written directly, then its checks refuse a partner without org and an unknown role', async () => {
      await expect(
        db.pool.query(`INSERT INTO accounts (email, name, role) VALUES ('x@example.test', 'X', 'partner')`),
      ).rejects.toThrow(/accounts_partner_org_check/);
      await expect(
        db.pool.query(`INSERT INTO accounts (email, name, role) VALUES ('y@example.test', 'Y', 'guest')`),
      ).rejects.toThrow(/accounts_role_check/);
    });

    it('when authenticating, then only the right password of an enabled account answers the account', async () => {
      const account = await accounts.create({
        email: 'auth@example.test',
        name: 'Auth',
        role: 'partner',
        partnerOrgId: 'acme',
        password: 'the right password',
      });
      expect((await accounts.authenticate('AUTH@example.test', 'the right password'))?.id).toBe(account.id);
      expect(await accounts.authenticate('auth@example.test', 'the wrong password')).toBeUndefined();
      expect(await accounts.authenticate('nobody@example.test', 'the right password')).toBeUndefined();
      await accounts.setDisabled(account.id, true);
      expect(await accounts.authenticate('auth@example.test', 'the right password')).toBeUndefined();
    });

    it('when the password is set, then the old one stops working and every session ends', async () => {
      const account = await accounts.create({
        email: 'reset@example.test',
        name: 'Reset',
        role: 'admin',
        password: 'the old password',
      });
      const session = await sessions.create(account.id);
      await accounts.setPassword('RESET@example.test', 'the new password');
      expect(await accounts.authenticate('reset@example.test', 'the old password')).toBeUndefined();
      expect((await accounts.authenticate('reset@example.test', 'the new password'))?.id).toBe(account.id);
      expect(await sessions.resolve(session.token)).toBeUndefined();
      await expect(accounts.setPassword('reset@example.test', 'short')).rejects.toMatchObject({ status: 400 });
      await expect(accounts.setPassword('ghost@example.test', PASSWORD)).rejects.toMatchObject({
        status: 404,
      });
    });

    it('when the demo accounts are ensured twice, then there is one per role, enabled, with the demo password', async () => {
      const first = await accounts.ensureDemoAccounts();
      const admin = first.find((a) => a.role === 'admin')!;
      await accounts.setDisabled(admin.id, true);
      const second = await accounts.ensureDemoAccounts();
      expect(second.map((a) => a.id)).toEqual(first.map((a) => a.id));
      expect(second.map((a) => [a.email, a.role, a.partnerOrgId])).toEqual([
        ['admin@demo.test', 'admin', null],
        ['agent@demo.test', 'agent', null],
        ['auditor@demo.test', 'auditor', null],
        ['ops@demo.test', 'ops', null],
        ['partner@acme.test', 'partner', 'acme'],
        ['partner@globex.test', 'partner', 'globex'],
      ]);
      for (const demo of second) {
        expect(demo.password).toBe(DEMO_PASSWORD);
        expect((await accounts.authenticate(demo.email, DEMO_PASSWORD))?.id).toBe(demo.id);
      }
      const listed = await accounts.list();
      expect(listed.filter((a) => a.email.endsWith('.test') && a.email.startsWith('partner@'))).toHaveLength(2);
    });
  });

  describe('sessions', () => {
    it('when a session is created, then only hashes of its tokens are stored', async () => {
      const account = await newAccount('hashes@example.test', 'H', 'agent');
      const session = await sessions.create(account.id);
      expect(session.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(session.csrfToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
      const { rows } = await db.pool.query('SELECT * FROM sessions WHERE account_id = $1', [account.id]);
      expect(rows).toHaveLength(1);
      const stored = JSON.stringify(rows);
      expect(stored).not.toContain(session.token);
      expect(stored).not.toContain(session.csrfToken);
      expect(rows[0].token_hash).toBe(sha256Hex(session.token));
      expect(rows[0].csrf_token_hash).toBe(sha256Hex(session.csrfToken));
      // twelve hours from its creation (both stamped by the same statement's now())
      expect(rows[0].expires_at.getTime() - rows[0].created_at.getTime()).toBe(12 * 3600 * 1000);
      expect(session.expiresAt.getTime()).toBe(rows[0].expires_at.getTime());
    });

    it('when resolving, then a live session answers its account; last_seen_at moves at most once a minute', async () => {
      const account = await newAccount('seen@example.test', 'Seen', 'auditor');
      const session = await sessions.create(account.id);
      const resolved = await sessions.resolve(session.token);
      expect(resolved?.account.id).toBe(account.id);
      expect(resolved?.csrfTokenHash).toBe(sha256Hex(session.csrfToken));
      const lastSeen = async () =>
        (await db.pool.query('SELECT last_seen_at FROM sessions WHERE account_id = $1', [account.id])).rows[0]
          .last_seen_at as Date;
      const before = await lastSeen();
      await sessions.resolve(session.token);
      expect((await lastSeen()).getTime()).toBe(before.getTime());
      await db.pool.query(`UPDATE sessions SET last_seen_at = now() - interval '5 minutes' WHERE account_id = $1`, [
        account.id,
      ]);
      const stale = await lastSeen();
      await sessions.resolve(session.token);
      // moved to the time of the resolve: later than the stale mark, and no earlier than the first sighting
      expect((await lastSeen()).getTime()).toBeGreaterThan(stale.getTime());
      expect((await lastSeen()).getTime()).toBeGreaterThanOrEqual(before.getTime());
    });

    it('when a session is expired, revoked or its account disabled, or the token is garbage, then it does not resolve', async () => {
      const account = await newAccount('gone@example.test', 'Gone', 'agent');
      const expired = await sessions.create(account.id);
      await db.pool.query(`UPDATE sessions SET expires_at = now() - interval '1 second' WHERE token_hash = $1`, [
        sha256Hex(expired.token),
      ]);
      expect(await sessions.resolve(expired.token)).toBeUndefined();

      const revoked = await sessions.create(account.id);
      await sessions.revoke(revoked.token);
      expect(await sessions.resolve(revoked.token)).toBeUndefined();

      expect(await sessions.resolve('garbage')).toBeUndefined();
      expect(await sessions.resolve('A'.repeat(43))).toBeUndefined();

      const live = await sessions.create(account.id);
      expect(await sessions.purgeExpired()).toBeGreaterThanOrEqual(1);
      const { rowCount } = await db.pool.query('SELECT 1 FROM sessions WHERE token_hash = $1', [
        sha256Hex(expired.token),
      ]);
      expect(rowCount).toBe(0);
      expect(await sessions.resolve(live.token)).toBeDefined();

      await accounts.setDisabled(account.id, true);
      expect(await sessions.resolve(live.token)).toBeUndefined();
    });
  });

  describe('session cache (SESSION_CACHE_MS)', () => {
    it('when a session was just resolved, then it is answered from memory for cacheMs, and sign-out in the process ends it at once', async () => {
      const cached = new SessionStore(db.pool, { cacheMs: 300 });
      const account = await newAccount('cached@example.test', 'Cached', 'agent');
      const one = await sessions.create(account.id);
      expect((await cached.resolve(one.token))?.account.id).toBe(account.id);
      // another process deletes the row: this one still answers from memory within the window...
      await db.pool.query('DELETE FROM sessions WHERE token_hash = $1', [sha256Hex(one.token)]);
      expect((await cached.resolve(one.token))?.account.id).toBe(account.id);
      // ...and looks again once the window has passed
      await new Promise((r) => setTimeout(r, 350));
      expect(await cached.resolve(one.token)).toBeUndefined();

      const two = await sessions.create(account.id);
      expect(await cached.resolve(two.token)).toBeDefined();
      await cached.revoke(two.token);
      expect(await cached.resolve(two.token)).toBeUndefined();

      const three = await sessions.create(account.id);
      expect(await cached.resolve(three.token)).toBeDefined();
      expect(await cached.revokeAllFor(account.id)).toBe(1);
      expect(await cached.resolve(three.token)).toBeUndefined();
    });

    it('when cacheMs is 0, then every resolve asks the database', async () => {
      const uncached = new SessionStore(db.pool, { cacheMs: 0 });
      const account = await newAccount('uncached@example.test', 'Uncached', 'agent');
      const one = await sessions.create(account.id);
      expect(await uncached.resolve(one.token)).toBeDefined();
      await db.pool.query('DELETE FROM sessions WHERE token_hash = $1', [sha256Hex(one.token)]);
      expect(await uncached.resolve(one.token)).toBeUndefined();
    });
  });

  describe('rate limiter', () => {
    it('when hits exceed the limit in one window, then they are refused with the time left in the window', async () => {
      const limiter = new RateLimiter(db.pool);
      const key = rateLimitKey('test', 'fixed-window');
      const results = [];
      for (let i = 0; i < 4; i += 1) results.push(await limiter.hit(key, { limit: 3, windowSeconds: 600 }));
      expect(results.map((r) => r.allowed)).toEqual([true, true, true, false]);
      expect(results.map((r) => r.remaining)).toEqual([2, 1, 0, 0]);
      expect(results[0]!.retryAfterSeconds).toBe(0);
      expect(results[3]!.retryAfterSeconds).toBeGreaterThanOrEqual(1);
      expect(results[3]!.retryAfterSeconds).toBeLessThanOrEqual(600);
      expect((await limiter.hit(rateLimitKey('test', 'another'), { limit: 3, windowSeconds: 600 })).allowed).toBe(true);
    });

    it('when several processes hit one key at once, then every hit is counted exactly once', async () => {
      const limiters = [new RateLimiter(db.pool), new RateLimiter(db.pool), new RateLimiter(db.pool)];
      const key = rateLimitKey('test', 'concurrent');
      const results = await Promise.all(
        Array.from({ length: 60 }, (_, i) => limiters[i % 3]!.hit(key, { limit: 25, windowSeconds: 3600 })),
      );
      expect(results.filter((r) => r.allowed)).toHaveLength(25);
      const { rows } = await db.pool.query('SELECT sum(count)::int AS n FROM rate_limit_counters WHERE key = $1', [
        key,
      ]);
      expect(rows[0].n).toBe(60);
    });

    it('when keys are built with rateLimitKey, then the identifying parts are not stored in the clear', async () => {
      const limiter = new RateLimiter(db.pool);
      await limiter.hit(rateLimitKey('sign-in', '192.0.2.1', 'someone@example.test'), { limit: 5, windowSeconds: 60 });
      const { rows } = await db.pool.query(`SELECT key FROM rate_limit_counters WHERE key LIKE 'sign-in:%'`);
      expect(rows.length).toBeGreaterThan(0);
      for (const row of rows) {
        expect(row.key).not.toContain('someone');
        expect(row.key).not.toContain('192.0.2.1');
      }
    });

    it('when old windows are cleaned up, then they are deleted and current ones kept', async () => {
      const limiter = new RateLimiter(db.pool, { retentionSeconds: 3600 });
      await db.pool.query(
        `INSERT INTO rate_limit_counters (key, window_start, count) VALUES ('test:old', now() - interval '2 hours', 3)`,
      );
      await limiter.hit('test:current', { limit: 1, windowSeconds: 60 });
      expect(await limiter.cleanup()).toBeGreaterThanOrEqual(1);
      const { rows } = await db.pool.query(
        `SELECT key FROM rate_limit_counters WHERE key IN ('test:old', 'test:current')`,
      );
      expect(rows.map((r) => r.key)).toEqual(['test:current']);
      await expect(limiter.hit('test:x', { limit: 1, windowSeconds: 7200 })).rejects.toThrow(/window/);
    });
  });
});
