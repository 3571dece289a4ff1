import type { IncomingMessage } from 'node:http';
import { clientAddressOf, trustNobody, type TrustProxy } from '../../platform/http/clientAddress.js';
import { HttpProblem } from '../../platform/http/problem.js';
import type { HostJwtVerifier } from '../../platform/identity/hostJwt.js';
import type { Identity } from '../../platform/identity/identity.js';
import {
  GUEST_LINK_REFUSED,
  GUEST_TOKEN_HEADER,
  isAllowedOrigin,
  normalizeOrigins,
  parseCookies,
  resolveSessionFromCookieHeader,
  SESSION_COOKIE,
  type GuestTokenResolver,
} from '../../platform/identity/middleware.js';
import type { SessionStore } from '../../platform/identity/sessions.js';
import { GUEST_TOKEN_SUBPROTOCOL_PREFIX } from './liveProtocol.js';

/** Why an upgrade is refused: the HTTP status written on the raw socket, and a reason for the body. */
export interface LiveRefusal {
  refused: number;
  reason: string;
  /** Problem code (e.g. `unauthenticated`, `origin`, `invalid_link`). */
  code?: string;
  /** The failing fields of a 400, as in the HTTP API's problems (`query.after`). */
  errors?: { path: string; message: string }[];
  headers?: Record<string, string>;
}

/** Set by the hub on a request it resolves again (periodic revalidation): no throttling of that. */
export const REVALIDATION = Symbol('live revalidation');

export type UpgradeIdentityResolver = (req: IncomingMessage) => Promise<Identity | LiveRefusal>;

export function isRefusal(value: Identity | LiveRefusal): value is LiveRefusal {
  return typeof (value as LiveRefusal).refused === 'number';
}

export interface UpgradeIdentityOptions {
  sessions: Pick<SessionStore, 'resolve'>;
  /** Host platform bearer tokens; without it, Authorization headers are ignored (as over HTTP). */
  verifyHostJwt?: HostJwtVerifier;
  resolveGuestToken: GuestTokenResolver;
  /** Origins besides the request's own host whose pages may open a cookie-authenticated socket. */
  allowedOrigins: readonly string[];
  /**
   * Counts one use of a guest token by this client address; false refuses with 429. Wire it
   * to the same limiter as the HTTP `X-Guest-Token` throttle so sockets are no way around it.
   */
  allowGuestTokenUse?: (clientAddress: string) => Promise<boolean>;
  /**
   * Whose X-Forwarded-For names the client address: the express app's own trust function, so an
   * upgrade and an HTTP request from the same client count as the same address. Default nobody.
   */
  trustProxy?: TrustProxy;
}

const header = (req: IncomingMessage, name: string): string | undefined => {
  const value = req.headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
};

/** The raw guest token of an upgrade: the `guest-token.<token>` subprotocol, else the X-Guest-Token header. */
export function guestTokenOf(req: IncomingMessage): string | undefined {
  const protocols = header(req, 'sec-websocket-protocol');
  if (protocols) {
    for (const protocol of protocols.split(',')) {
      const p = protocol.trim();
      if (p.startsWith(GUEST_TOKEN_SUBPROTOCOL_PREFIX)) return p.slice(GUEST_TOKEN_SUBPROTOCOL_PREFIX.length);
    }
  }
  return header(req, GUEST_TOKEN_HEADER);
}

const unauthenticated = (reason: string): LiveRefusal => ({ refused: 401, reason, code: 'unauthenticated' });

/**
 * Resolves the identity of a websocket upgrade from the same credentials as HTTP, in the same
 * order: `Authorization: Bearer <host JWT>`, then a guest token (subprotocol
 * `guest-token.<token>` or the `X-Guest-Token` header), then the `sd_session` cookie. A
 * cookie-authenticated upgrade must come from an allowed Origin (the API's own host or one of
 * `allowedOrigins`): browsers send cookies on cross-site websocket handshakes and apply no
 * same-origin policy to them. No credentials, or bad ones, is 401; a bad Origin is 403.
 * Guest tokens are not accepted in the query string (they would end up in access logs).
 */
export function createUpgradeIdentityResolver(options: UpgradeIdentityOptions): UpgradeIdentityResolver {
  const allowedOrigins = normalizeOrigins(options.allowedOrigins);
  const trustProxy = options.trustProxy ?? trustNobody;

  return async (req) => {
    const authorization = header(req, 'authorization');
    if (options.verifyHostJwt && authorization !== undefined) {
      const match = /^Bearer(?:\s+(.*))?$/is.exec(authorization.trim());
      if (match) {
        const token = match[1]?.trim();
        if (!token || /\s/.test(token)) return unauthenticated('send Authorization: Bearer <token>');
        try {
          return await options.verifyHostJwt(token);
        } catch (error) {
          if (error instanceof HttpProblem) {
            return { refused: error.status, reason: error.detail ?? error.title, code: 'unauthenticated' };
          }
          throw error;
        }
      }
    }

    const guestToken = guestTokenOf(req);
    if (guestToken !== undefined) {
      const revalidating = (req as { [REVALIDATION]?: boolean })[REVALIDATION] === true;
      if (
        options.allowGuestTokenUse &&
        !revalidating &&
        !(await options.allowGuestTokenUse(clientAddressOf(req, trustProxy)))
      ) {
        return {
          refused: 429,
          reason: 'too many guest link uses from this address; try again later',
          code: 'rate_limited',
          headers: { 'Retry-After': '60' },
        };
      }
      const raw = guestToken.trim();
      const result = raw ? await options.resolveGuestToken(raw) : 'refused';
      if (result === 'refused' || result.kind === 'anonymous') {
        return { refused: 401, reason: GUEST_LINK_REFUSED, code: 'invalid_link' };
      }
      return result;
    }

    const cookieHeader = header(req, 'cookie');
    if (parseCookies(cookieHeader).has(SESSION_COOKIE)) {
      const origin = header(req, 'origin');
      if (origin !== undefined && !isAllowedOrigin(origin, header(req, 'host'), allowedOrigins)) {
        return {
          refused: 403,
          reason: 'pages of this origin may not open a signed-in live connection',
          code: 'origin',
        };
      }
      const identity = await resolveSessionFromCookieHeader(options.sessions as SessionStore, cookieHeader);
      if (identity) return identity;
      return unauthenticated('the session has expired or was signed out; sign in again');
    }
    return unauthenticated('sign in, or send a valid token');
  };
}
