import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type NextFunction, type Request, type Response } from 'express';
import { z } from 'zod';
import { HttpProblem } from '../../../platform/http/problem.js';
import { defineRoute, registerRoutes, type AnyRoute } from '../../../platform/http/route.js';
import { AccountStore } from '../../../platform/identity/accounts.js';
import { authRoutes, type SignInLimits } from '../../../platform/identity/authRoutes.js';
import type { HostJwtVerifier } from '../../../platform/identity/hostJwt.js';
import { identityMiddleware, sendProblem, type GuestTokenResolver } from '../../../platform/identity/middleware.js';
import { RateLimiter } from '../../../platform/identity/rateLimiter.js';
import { SessionStore } from '../../../platform/identity/sessions.js';
import { testClock, type TestClock } from '../../support/testClock.js';
import { createTestDatabase, type TestDatabase } from '../../support/testDatabase.js';

export interface Harness {
  db: TestDatabase;
  accounts: AccountStore;
  sessions: SessionStore;
  rateLimiter: RateLimiter;
  /** The rate limiter's clock (its windows are aligned on it). */
  clock: TestClock;
  baseUrl: string;
  close(): Promise<void>;
}

function sendError(res: Response, error: unknown): void {
  if (error instanceof HttpProblem) {
    sendProblem(res, error);
    return;
  }
  res
    .status(500)
    .type('application/problem+json')
    .json({ type: 'about:blank', title: 'Internal Server Error', status: 500 });
}

/** A route behind the identity middleware that writes nothing: it echoes who called it. */
const echoRoutes: AnyRoute[] = [
  defineRoute({
    method: 'post',
    path: '/api/test/echo',
    operationId: 'echo',
    summary: 'echo',
    tags: ['test'],
    access: 'authenticated',
    response: { status: 200, description: 'ok', schema: z.object({ kind: z.string() }) },
    async handle({ identity }) {
      return { body: { kind: identity.kind } };
    },
  }),
];

export const guestIdentity = {
  kind: 'guest',
  role: 'guest',
  linkId: 'link-1',
  scope: { kind: 'thread', threadId: 'thread-1' },
  expiresAt: '2099-01-01T00:00:00.000Z',
} as const;

/** A real database and a real HTTP server with the identity middleware and the auth routes. */
export async function startHarness(
  options: {
    verifyHostJwt?: HostJwtVerifier;
    resolveGuestToken?: GuestTokenResolver;
    signInLimits?: SignInLimits;
    allowedOrigins?: string[];
  } = {},
): Promise<Harness> {
  const db = await createTestDatabase();
  const accounts = new AccountStore(db.pool);
  const sessions = new SessionStore(db.pool);
  const clock = testClock();
  const rateLimiter = new RateLimiter(db.pool, { clock: clock.now });
  const app = express();
  // Each test sends its own X-Forwarded-For, so rate limits of one test do not touch another.
  app.set('trust proxy', true);
  app.use(express.json());
  app.use(
    identityMiddleware({
      sessions,
      accounts,
      ...(options.verifyHostJwt ? { verifyHostJwt: options.verifyHostJwt } : {}),
      resolveGuestToken:
        options.resolveGuestToken ?? (async (raw) => (raw === 'good-guest-token' ? { ...guestIdentity } : 'refused')),
      allowedOrigins: options.allowedOrigins ?? ['https://desk.example.com'],
    }),
  );
  registerRoutes(
    app,
    [
      ...authRoutes({
        accounts,
        sessions,
        rateLimiter,
        secureCookies: true,
        ...(options.signInLimits ? { signInLimits: options.signInLimits } : {}),
      }),
      ...echoRoutes,
    ],
    sendError,
  );
  app.use((error: unknown, _req: Request, res: Response, _next: NextFunction) => sendError(res, error));
  const server: Server = createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    db,
    accounts,
    sessions,
    rateLimiter,
    clock,
    baseUrl: `http://127.0.0.1:${port}`,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await rateLimiter.idle();
      await db.drop();
    },
  };
}

let ipCounter = 0;
/** A fresh client ip for X-Forwarded-For. */
export function freshIp(): string {
  ipCounter += 1;
  return `10.${(ipCounter >> 16) & 255}.${(ipCounter >> 8) & 255}.${ipCounter & 255}`;
}

export interface SignedIn {
  sessionToken: string;
  csrfToken: string;
  /** The Cookie header a browser would send back. */
  cookie: string;
  setCookies: string[];
  body: { account: { id: string; email: string; role: string; partnerOrgId: string | null }; csrfToken: string };
}

export function cookieValue(setCookies: string[], name: string): string | undefined {
  for (const line of setCookies) {
    const [pair] = line.split(';');
    const eq = pair!.indexOf('=');
    if (pair!.slice(0, eq).trim() === name) return decodeURIComponent(pair!.slice(eq + 1));
  }
  return undefined;
}

export async function signIn(baseUrl: string, email: string, password: string, ip = freshIp()): Promise<SignedIn> {
  const res = await fetch(`${baseUrl}/api/auth/sign-in`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-forwarded-for': ip },
    body: JSON.stringify({ email, password }),
  });
  if (res.status !== 200) throw new Error(`sign-in failed: ${res.status} ${await res.text()}`);
  const setCookies = res.headers.getSetCookie();
  const sessionToken = cookieValue(setCookies, 'sd_session')!;
  const csrfToken = cookieValue(setCookies, 'sd_csrf')!;
  return {
    sessionToken,
    csrfToken,
    cookie: `sd_session=${sessionToken}; sd_csrf=${csrfToken}`,
    setCookies,
    body: (await res.json()) as SignedIn['body'],
  };
}
