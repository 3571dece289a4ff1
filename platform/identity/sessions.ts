import { createHash, randomBytes } from 'node:crypto';
import type pg from 'pg';
import type { Account, AccountRole } from './accounts.js';

/**
 * Browser sessions. The raw session token lives only in the `sd_session` cookie (and the raw
 * CSRF token in `sd_csrf` and the sign-in answer); the database holds their SHA-256 hashes.
 */

export const DEFAULT_SESSION_TTL_SECONDS = 12 * 60 * 60;
/** last_seen_at is written at most this often per session. */
const LAST_SEEN_RESOLUTION_SECONDS = 60;
const SESSION_CACHE_SIZE = 5000;

export interface NewSession {
  /** 32 random bytes, base64url: the `sd_session` cookie value. */
  token: string;
  /** 32 random bytes, base64url: the `sd_csrf` cookie value and the `X-CSRF-Token` header. */
  csrfToken: string;
  expiresAt: Date;
}

export interface ResolvedSession {
  account: Account;
  /** SHA-256 hex of the session's CSRF token. */
  csrfTokenHash: string;
  expiresAt: Date;
}

export function sha256Hex(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('hex');
}

/** A token as made by newToken(): 32 bytes, base64url without padding. */
const tokenShape = /^[A-Za-z0-9_-]{43}$/;

export function isWellFormedToken(token: string): boolean {
  return tokenShape.test(token);
}

function newToken(): string {
  return randomBytes(32).toString('base64url');
}

interface SessionRow {
  csrf_token_hash: string;
  expires_at: Date;
  stale: boolean;
  id: string;
  email: string;
  name: string;
  role: AccountRole;
  partner_org_id: string | null;
  disabled: boolean;
  created_at: Date;
  updated_at: Date;
}

export class SessionStore {
  readonly ttlSeconds: number;
  private readonly cacheMs: number;
  /** token hash → the resolved session and when it was looked up */
  private readonly cache = new Map<string, { session: ResolvedSession; at: number }>();

  /**
   * `cacheMs` (SESSION_CACHE_MS in the desk): a resolved session is answered from memory for
   * that long, saving a round trip on most requests (they come in bursts from one browser).
   * Sign-out and revokeAllFor in this process take effect at once; elsewhere within cacheMs.
   */
  constructor(
    private readonly pool: pg.Pool,
    options: { ttlSeconds?: number; cacheMs?: number } = {},
  ) {
    const ttl = options.ttlSeconds ?? DEFAULT_SESSION_TTL_SECONDS;
    if (!Number.isInteger(ttl) || ttl < 60) throw new Error('session ttlSeconds must be an integer of at least 60');
    this.ttlSeconds = ttl;
    this.cacheMs = options.cacheMs ?? 0;
  }

  private cached(tokenHash: string): ResolvedSession | undefined {
    const hit = this.cache.get(tokenHash);
    if (!hit) return undefined;
    const now = Date.now();
    if (now - hit.at > this.cacheMs || hit.session.expiresAt.getTime() <= now) {
      this.cache.delete(tokenHash);
      return undefined;
    }
    return hit.session;
  }

  private keep(tokenHash: string, session: ResolvedSession): void {
    if (this.cacheMs <= 0) return;
    this.cache.delete(tokenHash);
    this.cache.set(tokenHash, { session, at: Date.now() });
    if (this.cache.size > SESSION_CACHE_SIZE) {
      const oldest = this.cache.keys().next().value;
      if (oldest !== undefined) this.cache.delete(oldest);
    }
  }

  async create(accountId: string): Promise<NewSession> {
    const token = newToken();
    const csrfToken = newToken();
    const { rows } = await this.pool.query<{ expires_at: Date }>(
      `INSERT INTO sessions (token_hash, account_id, csrf_token_hash, expires_at)
       VALUES ($1, $2, $3, now() + make_interval(secs => $4::int))
       RETURNING expires_at`,
      [sha256Hex(token), accountId, sha256Hex(csrfToken), this.ttlSeconds],
    );
    return { token, csrfToken, expiresAt: rows[0]!.expires_at };
  }

  /**
   * The live session of this raw token, with its account; undefined when the token is
   * unknown, expired or revoked, or its account is disabled.
   */
  async resolve(token: string): Promise<ResolvedSession | undefined> {
    if (!isWellFormedToken(token)) return undefined;
    const tokenHash = sha256Hex(token);
    const hit = this.cached(tokenHash);
    if (hit) return hit;
    const { rows } = await this.pool.query<SessionRow>(
      `SELECT s.csrf_token_hash, s.expires_at,
              s.last_seen_at < now() - make_interval(secs => $2::int) AS stale,
              a.id, a.email, a.name, a.role, a.partner_org_id, a.disabled, a.created_at, a.updated_at
         FROM sessions s JOIN accounts a ON a.id = s.account_id
        WHERE s.token_hash = $1 AND s.expires_at > now() AND NOT a.disabled`,
      [tokenHash, LAST_SEEN_RESOLUTION_SECONDS],
    );
    const row = rows[0];
    if (!row) return undefined;
    if (row.stale) {
      // Bookkeeping only: a failure here must not fail the request.
      await this.pool
        .query(
          `UPDATE sessions SET last_seen_at = now()
            WHERE token_hash = $1 AND last_seen_at < now() - make_interval(secs => $2::int)`,
          [tokenHash, LAST_SEEN_RESOLUTION_SECONDS],
        )
        .catch(() => undefined);
    }
    const session: ResolvedSession = {
      account: {
        id: row.id,
        email: row.email,
        name: row.name,
        role: row.role,
        partnerOrgId: row.partner_org_id,
        disabled: row.disabled,
        createdAt: row.created_at,
        updatedAt: row.updated_at,
      },
      csrfTokenHash: row.csrf_token_hash,
      expiresAt: row.expires_at,
    };
    this.keep(tokenHash, session);
    return session;
  }

  /** Ends the session of this raw token (no-op when there is none). */
  async revoke(token: string): Promise<void> {
    if (!isWellFormedToken(token)) return;
    this.cache.delete(sha256Hex(token));
    await this.pool.query('DELETE FROM sessions WHERE token_hash = $1', [sha256Hex(token)]);
  }

  /** Ends every session of an account; answers how many there were. */
  async revokeAllFor(accountId: string): Promise<number> {
    for (const [hash, hit] of this.cache) if (hit.session.account.id === accountId) this.cache.delete(hash);
    const { rowCount } = await this.pool.query('DELETE FROM sessions WHERE account_id = $1', [accountId]);
    return rowCount ?? 0;
  }

  /** Deletes expired sessions; answers how many. Run it now and then (e.g. hourly). */
  async purgeExpired(): Promise<number> {
    const { rowCount } = await this.pool.query('DELETE FROM sessions WHERE expires_at <= now()');
    return rowCount ?? 0;
  }
}
