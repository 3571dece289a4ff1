import { createHash, randomBytes } from 'node:crypto';
import type pg from 'pg';
import { z } from 'zod';
import type { Account, AccountRow } from './accounts.js';
import { inTransaction } from '../database/transaction.js';

/**
 * Browser sessions. The raw session token lives only in the `sd_session` cookie (and the raw
 * CSRF token in `sd_csrf` and the sign-in answer); the database holds their SHA-256 hashes.
 */

/**
 * NOTIFY channel of ended sessions: a sign-out ends one session, a disabled account or a
 * password reset every session of an account. Sent in the transaction that deletes them (so
 * only once it commits, and from any process, the ops CLI included); every API process's live
 * hub LISTENs on it and closes those sockets at once, and drops the sessions from its cache.
 */
export const SESSION_REVOCATIONS_CHANNEL = 'session_revocations';

/** A notification of SESSION_REVOCATIONS_CHANNEL: one session (by its token's SHA-256) or an account's. */
export type SessionRevocation = { kind: 'session'; tokenHash: string } | { kind: 'account'; accountId: string };

const sessionRevocation = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('session'), tokenHash: z.string().regex(/^[0-9a-f]{64}$/) }),
  z.object({ kind: z.literal('account'), accountId: z.string().min(1).max(200) }),
]);

/** The payload of a revocation notice, or undefined when it is not one. */
export function parseSessionRevocation(payload: string): SessionRevocation | undefined {
  try {
    const parsed = sessionRevocation.safeParse(JSON.parse(payload));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

const notice = (revocation: SessionRevocation): string => JSON.stringify(revocation);

/** Announces an account's sessions as ended; in a transaction, only when it commits. */
export async function notifyAccountSignedOut(db: Pick<pg.ClientBase, 'query'>, accountId: string): Promise<void> {
  await db.query('SELECT pg_notify($1, $2)', [SESSION_REVOCATIONS_CHANNEL, notice({ kind: 'account', accountId })]);
}

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

/** A session joined with its account. */
interface SessionRow extends AccountRow {
  csrf_token_hash: string;
  expires_at: Date;
  stale: boolean;
}

export class SessionStore {
  readonly ttlSeconds: number;
  private readonly cacheMs: number;
  /** token hash → the resolved session and when it was looked up */
  private readonly cache = new Map<string, { session: ResolvedSession; at: number }>();

  /**
   * `cacheMs` (SESSION_CACHE_MS in the desk): a resolved session is answered from memory for
   * that long, saving a round trip on most requests (they come in bursts from one browser).
   * Sign-out and revokeAllFor in this process take effect at once; in other processes as soon
   * as their live hub hears the revocation notice (forgetRevoked), at the latest within cacheMs.
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

  /** Ends the session of this raw token (no-op when there is none), and says so to every process. */
  async revoke(token: string): Promise<void> {
    if (!isWellFormedToken(token)) return;
    const tokenHash = sha256Hex(token);
    this.cache.delete(tokenHash);
    // one statement: the notice goes out exactly when a session was deleted
    await this.pool.query(
      `WITH gone AS (DELETE FROM sessions WHERE token_hash = $1 RETURNING 1)
       SELECT pg_notify($2, $3) FROM gone`,
      [tokenHash, SESSION_REVOCATIONS_CHANNEL, notice({ kind: 'session', tokenHash })],
    );
  }

  /** Ends every session of an account, and says so to every process; answers how many there were. */
  async revokeAllFor(accountId: string): Promise<number> {
    this.forgetRevoked({ kind: 'account', accountId });
    return inTransaction(this.pool, async (client) => {
      const { rowCount } = await client.query('DELETE FROM sessions WHERE account_id = $1', [accountId]);
      await notifyAccountSignedOut(client, accountId);
      return rowCount ?? 0;
    });
  }

  /** Drops ended sessions from this process's cache (a revocation notice from another process). */
  forgetRevoked(revocation: SessionRevocation): void {
    if (revocation.kind === 'session') {
      this.cache.delete(revocation.tokenHash);
      return;
    }
    for (const [hash, hit] of this.cache) if (hit.session.account.id === revocation.accountId) this.cache.delete(hash);
  }

  /** Deletes expired sessions; answers how many. Run it now and then (e.g. hourly). */
  async purgeExpired(): Promise<number> {
    const { rowCount } = await this.pool.query('DELETE FROM sessions WHERE expires_at <= now()');
    return rowCount ?? 0;
  }
}
