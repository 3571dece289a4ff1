/**
 * Keeps every open connection's identity true: a session signed out (on any process), an
 * account disabled, or a guest link revoked or expired closes its sockets, at once where a
 * notice says so, else at the next periodic revalidation.
 */
import type { IncomingMessage } from 'node:http';
import type pg from 'pg';
import type { Identity } from '../../platform/identity/identity.js';
import type { SessionRevocation } from '../../platform/identity/sessions.js';
import type { Logger } from '../../platform/logger.js';
import type { LiveIdentity } from './changeFrames.js';
import { identityKeyOf, type LiveClient, type LiveClients } from './liveClients.js';
import { isRefusal, type LiveRefusal } from './liveIdentity.js';
import type { LiveLimits } from './liveLimits.js';
import { CloseCodes } from './liveProtocol.js';

const MAX_TIMER_MS = 2 ** 31 - 1;

export interface ConnectionGuardOptions {
  pool: pg.Pool;
  clients: LiveClients;
  limits: LiveLimits;
  logger: Logger;
  clock: () => Date;
  resolveIdentity(req: IncomingMessage): Promise<Identity | LiveRefusal>;
  onSessionRevoked?: (revocation: SessionRevocation) => void;
}

export class ConnectionGuard {
  /** Session revocation notices heard so far (upgrades being resolved meanwhile look again). */
  private sessionRevocations = 0;
  private revalidating = false;

  constructor(private readonly options: ConnectionGuardOptions) {}

  /**
   * The identity of an upgrade; resolved again when a session ended while it was being
   * resolved (the answer may predate that sign-out, and its socket would miss the notice).
   */
  async resolveUpgrade(req: IncomingMessage): Promise<Identity | LiveRefusal> {
    for (let attempt = 1; ; attempt++) {
      const seen = this.sessionRevocations;
      const result = await this.options.resolveIdentity(req);
      const viaSession = !isRefusal(result) && 'via' in result && result.via === 'session';
      if (!viaSession || seen === this.sessionRevocations || attempt === 3) return result;
    }
  }

  /**
   * A socket closes when what let it in ends: a guest's link expiring, a session's time running
   * out (a sign-out or a disabled account closes it at once, by onSessionRevoked). False when it
   * has ended already (and the socket is closed).
   */
  watchExpiry(client: LiveClient): boolean {
    const { identity } = client;
    const ends = 'expiresAt' in identity ? identity.expiresAt : undefined;
    if (!ends) return true;
    const ms = Date.parse(ends) - this.options.clock().getTime();
    const why = identity.kind === 'guest' ? 'the guest link has expired' : 'the session has expired';
    const expire = () => this.options.clients.disconnect(client, CloseCodes.identityRevoked, why);
    if (ms <= 0) {
      expire();
      return false;
    }
    client.expiryTimer = setTimeout(expire, Math.min(ms, MAX_TIMER_MS));
    client.expiryTimer.unref();
    return true;
  }

  /**
   * A session ended somewhere (sign-out, disabled account, password reset, on any process):
   * its sockets here close at once, not at the next revalidation.
   */
  onSessionRevoked(revocation: SessionRevocation): void {
    this.sessionRevocations++;
    for (const client of this.options.clients.list()) {
      if (client.sessionHash === undefined || client.identity.kind === 'guest') continue;
      const ended =
        revocation.kind === 'session'
          ? client.sessionHash === revocation.tokenHash
          : client.identity.accountId === revocation.accountId;
      if (ended) {
        this.options.clients.disconnect(
          client,
          CloseCodes.identityRevoked,
          'the session has ended (signed out); sign in again',
        );
      }
    }
    try {
      this.options.onSessionRevoked?.(revocation);
    } catch (error) {
      this.options.logger.warn({ err: error }, 'live push: onSessionRevoked failed');
    }
  }

  /** Sign-outs while the notification connection was down went unheard: every session socket is checked now. */
  recheckSessions(): void {
    for (const c of this.options.clients) if (c.sessionHash !== undefined) c.validatedAt = -Infinity;
    void this.revalidateDue();
  }

  /** Guests whose link was revoked are closed as soon as the guest links projection says so. */
  async checkGuestLinks(): Promise<void> {
    const guests = this.options.clients.list().filter((c) => c.identity.kind === 'guest');
    if (!guests.length) return;
    const ids = [...new Set(guests.map((c) => (c.identity as Extract<LiveIdentity, { kind: 'guest' }>).linkId))];
    const { rows } = await this.options.pool.query<{ link_id: string }>(
      'SELECT link_id FROM support_guest_links WHERE link_id = ANY($1) AND revoked_at IS NOT NULL',
      [ids],
    );
    const revoked = new Set(rows.map((r) => r.link_id));
    for (const c of guests) {
      if (c.identity.kind === 'guest' && revoked.has(c.identity.linkId)) {
        this.options.clients.disconnect(c, CloseCodes.identityRevoked, 'the guest link was revoked');
      }
    }
  }

  /** Resolves the identity of connections again, now and then: a signed-out session or disabled account ends its sockets. */
  async revalidateDue(): Promise<void> {
    if (this.revalidating) return;
    this.revalidating = true;
    try {
      const due = performance.now() - this.options.limits.revalidateMs;
      for (const client of this.options.clients.list()) {
        if (client.closed || client.validatedAt > due) continue;
        client.validatedAt = performance.now();
        const result = await this.options.resolveIdentity(client.req).catch(() => undefined);
        if (result === undefined) continue; // could not check (database away): keep it
        if (
          isRefusal(result) ||
          result.kind === 'anonymous' ||
          result.kind === 'host' ||
          identityKeyOf(result) !== client.identityKey
        ) {
          this.options.clients.disconnect(
            client,
            CloseCodes.identityRevoked,
            'the identity of this connection is no longer valid',
          );
        }
      }
    } finally {
      this.revalidating = false;
    }
  }
}
