import { z } from 'zod';
import { problems } from '../http/problem.js';
import { implement, routeContract, type AnyRoute, type CookieToSet } from '../http/route.js';
import { accountRoles, type Account, type AccountStore } from './accounts.js';
import { staffRoles, type Identity } from './identity.js';
import { CSRF_COOKIE, CSRF_HEADER, parseCookies, SESSION_COOKIE } from './middleware.js';
import { rateLimitKey, type RateLimit, type RateLimiter } from './rateLimiter.js';
import type { SessionStore } from './sessions.js';

/**
 * Sign-in, sign-out and "who am I" for browser sessions.
 *
 * The web app keeps no token itself: sign-in sets `sd_session` (httpOnly) and `sd_csrf`
 * (readable by the web app's scripts), and answers the CSRF token too. On every write the
 * web app sends `X-CSRF-Token: <sd_csrf cookie>`; the identity middleware checks that it
 * equals the cookie and matches the session (double submit), and that the Origin is ours.
 */

export interface SignInLimits {
  /** Per client ip and lowercased email. Default 10 per 15 minutes. */
  perIpAndEmail: RateLimit;
  /** Per client ip. Default 50 per 15 minutes. */
  perIp: RateLimit;
}

export const defaultSignInLimits: SignInLimits = {
  perIpAndEmail: { limit: 10, windowSeconds: 15 * 60 },
  perIp: { limit: 50, windowSeconds: 15 * 60 },
};

export interface AuthRoutesOptions {
  accounts: AccountStore;
  sessions: SessionStore;
  rateLimiter: RateLimiter;
  /** Secure flag on the cookies: true whenever the desk is served over HTTPS. */
  secureCookies: boolean;
  signInLimits?: SignInLimits;
}

const WRONG_CREDENTIALS = 'That email and password do not match an account.';

export const publicAccountSchema = z
  .object({
    id: z.uuid(),
    email: z.string(),
    name: z.string(),
    role: z.enum(accountRoles),
    partnerOrgId: z.string().nullable(),
  })
  .meta({ id: 'Account' });

const via = z.enum(['session', 'jwt']);

/** Every identity but anonymous, as /api/auth/me answers it (unknown keys are dropped). */
export const identitySchema = z
  .discriminatedUnion('kind', [
    z.object({
      kind: z.literal('staff'),
      role: z.enum(staffRoles),
      accountId: z.string(),
      name: z.string(),
      email: z.string(),
      via,
    }),
    z.object({
      kind: z.literal('partner'),
      role: z.literal('partner'),
      accountId: z.string(),
      partnerOrgId: z.string(),
      name: z.string(),
      email: z.string(),
      via,
    }),
    z.object({
      kind: z.literal('guest'),
      role: z.literal('guest'),
      linkId: z.string(),
      scope: z.discriminatedUnion('kind', [
        z.object({ kind: z.literal('thread'), threadId: z.string() }),
        z.object({ kind: z.literal('assignment'), assignmentId: z.string(), partnerOrgId: z.string() }),
      ]),
      recipientEmail: z.string().optional(),
      expiresAt: z.string(),
    }),
    z.object({ kind: z.literal('host'), role: z.literal('host'), subject: z.string() }),
  ])
  .meta({ id: 'Identity' });

function publicAccount(account: Account): z.infer<typeof publicAccountSchema> {
  return {
    id: account.id,
    email: account.email,
    name: account.name,
    role: account.role,
    partnerOrgId: account.partnerOrgId,
  };
}

function isSession(identity: Identity): boolean {
  return (identity.kind === 'staff' || identity.kind === 'partner') && identity.via === 'session';
}

const noStore = { 'Cache-Control': 'no-store' };

export const signIn = routeContract({
  method: 'post',
  path: '/api/auth/sign-in',
  operationId: 'signIn',
  summary: 'Sign in with email and password',
  description:
    'Starts a browser session: sets the httpOnly `sd_session` cookie and the `sd_csrf` cookie, whose value ' +
    `(also answered as csrfToken) must be sent in the ${CSRF_HEADER} header of every write. ` +
    'A wrong email and a wrong password get the same answer. Limited per client ip and email, and per ip.',
  tags: ['auth'],
  access: 'public',
  body: z.object({
    email: z.string().trim().min(1).max(320),
    password: z.string().min(1).max(1024),
  }),
  response: {
    status: 200,
    description: 'Signed in',
    schema: z.object({ account: publicAccountSchema, csrfToken: z.string() }),
  },
  errors: [401, 429],
});

export const signOut = routeContract({
  method: 'post',
  path: '/api/auth/sign-out',
  operationId: 'signOut',
  summary: 'Sign out',
  description: 'Ends the browser session and clears its cookies.',
  tags: ['auth'],
  access: 'authenticated',
  response: { status: 204, description: 'Signed out', schema: z.undefined() },
  headers: [{ name: CSRF_HEADER, description: `The value of the ${CSRF_COOKIE} cookie (browser sessions)` }],
});

export const getCurrentIdentity = routeContract({
  method: 'get',
  path: '/api/auth/me',
  operationId: 'getCurrentIdentity',
  summary: 'Who am I',
  description: 'The identity of the caller (never a token).',
  tags: ['auth'],
  access: 'authenticated',
  response: { status: 200, description: 'The identity', schema: z.object({ identity: identitySchema }) },
});

export function authRoutes(options: AuthRoutesOptions): AnyRoute[] {
  const { accounts, sessions, rateLimiter, secureCookies } = options;
  const limits = options.signInLimits ?? defaultSignInLimits;

  const cookie = (name: string, value: string, httpOnly: boolean): CookieToSet => ({
    name,
    value,
    httpOnly,
    sameSite: 'lax',
    secure: secureCookies,
    path: '/',
    maxAgeSeconds: sessions.ttlSeconds,
  });

  const signInRoute = implement(signIn, {
    async handle({ body, ip, header }) {
      const email = body.email.toLowerCase();
      const perPair = await rateLimiter.hit(rateLimitKey('sign-in:ip-email', ip, email), limits.perIpAndEmail);
      const perIp = await rateLimiter.hit(rateLimitKey('sign-in:ip', ip), limits.perIp);
      if (!perPair.allowed || !perIp.allowed) {
        throw problems.tooManyRequests(
          Math.max(perPair.retryAfterSeconds, perIp.retryAfterSeconds),
          'Too many sign-in attempts. Wait a few minutes and try again.',
        );
      }
      const account = await accounts.authenticate(email, body.password);
      if (!account) throw problems.unauthorized(WRONG_CREDENTIALS);
      // A session token the browser already had is not carried over (no session fixation).
      const previous = parseCookies(header('cookie')).get(SESSION_COOKIE);
      if (previous) await sessions.revoke(previous);
      const session = await sessions.create(account.id);
      return {
        status: 200,
        body: { account: publicAccount(account), csrfToken: session.csrfToken },
        headers: noStore,
        cookies: [cookie(SESSION_COOKIE, session.token, true), cookie(CSRF_COOKIE, session.csrfToken, false)],
      };
    },
  });

  const signOutRoute = implement(signOut, {
    async handle({ identity, header }) {
      if (isSession(identity)) {
        const token = parseCookies(header('cookie')).get(SESSION_COOKIE);
        if (token) await sessions.revoke(token);
      }
      return { status: 204, body: undefined, clearCookies: [SESSION_COOKIE, CSRF_COOKIE] };
    },
  });

  const me = implement(getCurrentIdentity, {
    async handle({ identity }) {
      if (identity.kind === 'anonymous') throw problems.unauthorized();
      return { status: 200, body: { identity: identitySchema.parse(identity) }, headers: noStore };
    },
  });

  return [signInRoute, signOutRoute, me];
}
