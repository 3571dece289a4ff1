import { request as httpRequest, type Agent, type IncomingHttpHeaders } from 'node:http';
import type pg from 'pg';
import { SignJWT } from 'jose';
import { AccountStore } from '../../../platform/identity/accounts.js';
import { SessionStore } from '../../../platform/identity/sessions.js';
import { CHAOS_JWT_SECRET } from './deskProcess.js';

export interface RawAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  /** Parsed JSON, or undefined when the body is not JSON. */
  json: unknown;
  ms: number;
}

export interface SendOptions {
  body?: string | Buffer | undefined;
  headers?: Record<string, string> | undefined;
  timeoutMs?: number;
  agent?: Agent | false;
}

/**
 * One HTTP request over node:http, with raw bytes allowed (invalid UTF-8, odd content types),
 * a hard timeout and the elapsed time. Network failures reject (ECONNREFUSED, ECONNRESET, timeout).
 */
export function send(base: string, method: string, path: string, options: SendOptions = {}): Promise<RawAnswer> {
  const url = new URL(path, base);
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: url.hostname,
        port: url.port,
        method,
        path: `${url.pathname}${url.search}`,
        headers: {
          ...(options.body !== undefined ? { 'content-length': String(Buffer.byteLength(options.body)) } : {}),
          ...options.headers,
        },
        agent: options.agent ?? false,
        timeout: options.timeoutMs ?? 15_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: unknown;
          try {
            json = text ? JSON.parse(text) : undefined;
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json, ms: performance.now() - started });
        });
      },
    );
    req.on('timeout', () => req.destroy(Object.assign(new Error('request timed out'), { code: 'ETIMEDOUT_CLIENT' })));
    req.on('error', reject);
    if (options.body !== undefined) req.write(options.body);
    req.end();
  });
}

/** An identity that sends its credentials with every request. */
export interface Caller {
  name: string;
  headers: Record<string, string>;
  accountId?: string;
}

export function jsonHeaders(caller: Caller | undefined, extra: Record<string, string> = {}): Record<string, string> {
  return { 'content-type': 'application/json', ...(caller?.headers ?? {}), ...extra };
}

/** Sends JSON as `caller`. */
export function call(
  base: string,
  caller: Caller | undefined,
  method: string,
  path: string,
  body?: unknown,
  options: Omit<SendOptions, 'body'> = {},
): Promise<RawAnswer> {
  return send(base, method, path, {
    ...options,
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    headers: {
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...caller?.headers,
      ...options.headers,
    },
  });
}

/**
 * A browser session made directly in the sessions table (no sign-in: the sign-in rate limit is
 * per client address, and every test here comes from 127.0.0.1).
 */
export async function sessionCaller(pool: pg.Pool, email: string): Promise<Caller> {
  const account = await new AccountStore(pool).findByEmail(email);
  if (!account) throw new Error(`no account ${email}`);
  const session = await new SessionStore(pool).create(account.id);
  return {
    name: email,
    accountId: account.id,
    headers: {
      cookie: `sd_session=${session.token}; sd_csrf=${session.csrfToken}`,
      'x-csrf-token': session.csrfToken,
    },
  };
}

export function guestCaller(token: string, name = 'guest'): Caller {
  return { name, headers: { 'x-guest-token': token } };
}

/** A host platform JWT (HS256 with the chaos secret) for any role the host may claim. */
export async function hostJwt(claims: Record<string, unknown>, secret = CHAOS_JWT_SECRET): Promise<string> {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256' })
    .setIssuedAt()
    .setExpirationTime('1h')
    .sign(new TextEncoder().encode(secret));
}

export async function jwtCaller(claims: Record<string, unknown>, name: string, secret?: string): Promise<Caller> {
  return { name, headers: { authorization: `Bearer ${await hostJwt(claims, secret)}` } };
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `check` until it answers true, or throws after `timeoutMs` naming `what`. */
export async function until(what: string, check: () => Promise<boolean>, timeoutMs = 30_000, everyMs = 100) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if (await check()) return;
    } catch {
      // not yet
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}
