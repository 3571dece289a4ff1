import { plainWords } from '../http/plainWords.js';
import { createHash, timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { HttpProblem } from '../http/problem.js';
import type { Account, AccountStore } from './accounts.js';
import type { HostJwtVerifier } from './hostJwt.js';
import { anonymous, type Identity } from './identity.js';
import { isWellFormedToken, sha256Hex, type SessionStore } from './sessions.js';

/**
 * Resolves `res.locals.identity` once per request, from the first of:
 *   1. `Authorization: Bearer <jwt>` of the host platform (when a verifier is configured);
 *   2. `X-Guest-Token: <raw token>` of a guest link;
 *   3. the `sd_session` cookie of a signed-in account (plus the CSRF checks on writes).
 * Otherwise the identity is anonymous; routes decide whether that is enough.
 */

export const SESSION_COOKIE = 'sd_session';
/** Not httpOnly: the web app reads it and echoes it in the X-CSRF-Token header (double submit). */
export const CSRF_COOKIE = 'sd_csrf';
export const CSRF_HEADER = 'X-CSRF-Token';
export const GUEST_TOKEN_HEADER = 'X-Guest-Token';

/** The one answer to every refused guest link, whatever the reason. */
export const GUEST_LINK_REFUSED = plainWords('invalid_link');

export function guestLinkRefused(): HttpProblem {
  return new HttpProblem(401, 'Unauthorized', GUEST_LINK_REFUSED, { code: 'invalid_link' });
}

/** The person reads that the page is out of date; `reason` tells a developer which check failed. */
export function csrfRefused(reason: string): HttpProblem {
  return new HttpProblem(403, 'Forbidden', undefined, { code: 'csrf', reason });
}

/** Sends an HttpProblem as `application/problem+json`, with its headers (e.g. Retry-After). */
export function sendProblem(res: Response, problem: HttpProblem): void {
  if (res.headersSent) return;
  for (const [name, value] of Object.entries(problem.headers)) res.setHeader(name, value);
  res.status(problem.status).type('application/problem+json').json(problem.toBody());
}

export type GuestTokenResolver = (rawToken: string) => Promise<Identity | 'refused'>;

export interface IdentityMiddlewareOptions {
  sessions: SessionStore;
  /** Accepted for symmetry; not needed (SessionStore.resolve reads the account with the session). */
  accounts?: AccountStore;
  /** Verifies host platform bearer tokens; without it, Authorization headers are ignored. */
  verifyHostJwt?: HostJwtVerifier;
  /**
   * Resolves a guest link token to its guest Identity, or 'refused' for any reason (unknown,
   * expired, revoked, malformed). It should throw only for real failures (database down…).
   */
  resolveGuestToken: GuestTokenResolver;
  /** Origins (scheme://host[:port]) besides the request's own host that may send cookie-authenticated writes. */
  allowedOrigins: readonly string[];
  /**
   * Routes (`POST /api/client-logs`) that act for nobody: no credential is read for them, so they
   * run as anonymous and a signed-in browser needs no CSRF token for them. Exact paths only.
   */
  credentialFreeRoutes?: readonly { method: string; path: string }[];
  /** Defaults to sendProblem(). */
  sendProblem?: (res: Response, problem: HttpProblem) => void;
}

/* ------------------------------------------------------------------ cookies */

/** Parses a Cookie header. The first occurrence of a name wins (the most specific path, RFC 6265). */
export function parseCookies(header: string | undefined): Map<string, string> {
  const cookies = new Map<string, string>();
  if (!header) return cookies;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    const name = part.slice(0, eq).trim();
    let value = part.slice(eq + 1).trim();
    if (value.startsWith('"') && value.endsWith('"') && value.length >= 2) value = value.slice(1, -1);
    if (!name || cookies.has(name)) continue;
    try {
      cookies.set(name, decodeURIComponent(value));
    } catch {
      cookies.set(name, value);
    }
  }
  return cookies;
}

/* ------------------------------------------------------------------ origins */

function originOf(value: string): string | undefined {
  try {
    const url = new URL(value);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
    return url.origin;
  } catch {
    return undefined;
  }
}

export function normalizeOrigins(origins: readonly string[]): Set<string> {
  const set = new Set<string>();
  for (const origin of origins) {
    const normalized = originOf(origin.trim());
    if (!normalized) throw new Error(`not an origin (scheme://host[:port]): ${origin}`);
    set.add(normalized);
  }
  return set;
}

/**
 * True when a browser request from `origin` may act on a session: the origin is listed, or
 * it has the same host (and port) as the request's Host header. `Origin: null` never is.
 * Use it for websocket upgrades too (browsers do not apply the same-origin policy to them).
 */
export function isAllowedOrigin(
  origin: string,
  host: string | undefined,
  allowedOrigins: ReadonlySet<string>,
): boolean {
  const normalized = originOf(origin);
  if (!normalized) return false;
  if (allowedOrigins.has(normalized)) return true;
  return host !== undefined && new URL(normalized).host === host.trim().toLowerCase();
}

/* ----------------------------------------------------------------- sessions */

export function identityOfAccount(account: Account): Identity | undefined {
  if (account.disabled) return undefined;
  if (account.role === 'partner') {
    if (!account.partnerOrgId) return undefined;
    return {
      kind: 'partner',
      role: 'partner',
      accountId: account.id,
      partnerOrgId: account.partnerOrgId,
      name: account.name,
      email: account.email,
      via: 'session',
    };
  }
  return {
    kind: 'staff',
    role: account.role,
    accountId: account.id,
    name: account.name,
    email: account.email,
    via: 'session',
  };
}

/**
 * The signed-in identity of a Cookie header, or undefined. For the websocket upgrade handler
 * (check the Origin with isAllowedOrigin() there as well).
 */
/** The SHA-256 of the session token in a Cookie header (what a revocation notice names), if any. */
export function sessionTokenHashOf(cookieHeader: string | undefined): string | undefined {
  const token = parseCookies(cookieHeader).get(SESSION_COOKIE);
  return token && isWellFormedToken(token) ? sha256Hex(token) : undefined;
}

export async function resolveSessionFromCookieHeader(
  sessions: SessionStore,
  cookieHeader: string | undefined,
): Promise<Identity | undefined> {
  const token = parseCookies(cookieHeader).get(SESSION_COOKIE);
  if (!token) return undefined;
  const session = await sessions.resolve(token);
  const identity = session ? identityOfAccount(session.account) : undefined;
  // a socket outlives the upgrade: it must know when the session ends
  return identity && (identity.kind === 'staff' || identity.kind === 'partner')
    ? { ...identity, expiresAt: session!.expiresAt.toISOString() }
    : identity;
}

const safeMethods = new Set(['GET', 'HEAD', 'OPTIONS']);

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

/** Why a cookie-authenticated write is refused, or undefined when it passes. */
export function csrfFailure(
  req: Request,
  cookies: Map<string, string>,
  csrfTokenHash: string,
  allowedOrigins: ReadonlySet<string>,
): string | undefined {
  const header = req.get(CSRF_HEADER);
  const cookie = cookies.get(CSRF_COOKIE);
  if (!header) return `send the ${CSRF_HEADER} header with the value of the ${CSRF_COOKIE} cookie`;
  const matchesCookie = cookie !== undefined && timingSafeEqual(digest(header), digest(cookie));
  const expected = Buffer.from(csrfTokenHash, 'hex');
  const actual = Buffer.from(sha256Hex(header), 'hex');
  const matchesSession = expected.length === actual.length && timingSafeEqual(expected, actual);
  if (!matchesCookie || !matchesSession) return `the ${CSRF_HEADER} header does not match this session`;
  const origin = req.get('origin');
  if (origin !== undefined && !isAllowedOrigin(origin, req.get('host'), allowedOrigins)) {
    return 'requests from this origin may not act on a session';
  }
  return undefined;
}

/* --------------------------------------------------------------- middleware */

export function identityMiddleware(options: IdentityMiddlewareOptions): RequestHandler {
  const send = options.sendProblem ?? sendProblem;
  const allowedOrigins = normalizeOrigins(options.allowedOrigins);
  const credentialFree = new Set(
    (options.credentialFreeRoutes ?? []).map((r) => `${r.method.toUpperCase()} ${r.path}`),
  );

  async function resolve(req: Request): Promise<Identity | HttpProblem> {
    const authorization = req.get('authorization');
    if (options.verifyHostJwt && authorization !== undefined) {
      const match = /^Bearer(?:\s+(.*))?$/is.exec(authorization.trim());
      if (match) {
        const token = match[1]?.trim();
        if (!token || /\s/.test(token)) {
          return new HttpProblem(401, 'Unauthorized', 'send Authorization: Bearer <token>', {
            code: 'unauthenticated',
          });
        }
        return options.verifyHostJwt(token);
      }
    }

    const guestToken = req.get(GUEST_TOKEN_HEADER);
    if (guestToken !== undefined) {
      const raw = guestToken.trim();
      if (!raw) return guestLinkRefused();
      const result = await options.resolveGuestToken(raw);
      return result === 'refused' || result.kind === 'anonymous' ? guestLinkRefused() : result;
    }

    const cookies = parseCookies(req.headers.cookie);
    const token = cookies.get(SESSION_COOKIE);
    if (token) {
      const session = await options.sessions.resolve(token);
      const identity = session ? identityOfAccount(session.account) : undefined;
      if (session && identity) {
        if (!safeMethods.has(req.method.toUpperCase())) {
          const failure = csrfFailure(req, cookies, session.csrfTokenHash, allowedOrigins);
          if (failure) return csrfRefused(failure);
        }
        return identity;
      }
      // An unknown or expired session cookie is no identity: public routes (sign-in) still work.
    }
    return anonymous;
  }

  return (req: Request, res: Response, next: NextFunction) => {
    res.locals.identity = anonymous;
    // exact match only: any other spelling of the path keeps the credential (and CSRF) checks
    if (credentialFree.has(`${req.method.toUpperCase()} ${req.originalUrl.split('?')[0]}`)) {
      next();
      return;
    }
    resolve(req).then(
      (result) => {
        if (result instanceof HttpProblem) {
          send(res, result);
          return;
        }
        res.locals.identity = result;
        next();
      },
      (error: unknown) => {
        if (error instanceof HttpProblem) send(res, error);
        else next(error);
      },
    );
  };
}
