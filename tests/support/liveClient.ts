import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import WebSocket from 'ws';
import { createGuestTokenResolver } from '../../commands/guestLinks/guestTokenResolver.js';
import { PostgresEventStore } from '../../eventstore/postgres/postgresEventStore.js';
import { loadConfig } from '../../app/config.js';
import { createPool } from '../../platform/database/pool.js';
import { composeApi } from '../../app/composeApi.js';
import { createHostJwtVerifier, hostJwtOptionsFromConfig } from '../../platform/identity/hostJwt.js';
import { createLogger } from '../../platform/logger.js';
import {
  createUpgradeIdentityResolver,
  GUEST_TOKEN_SUBPROTOCOL_PREFIX,
  LIVE_PATH,
  LIVE_SUBPROTOCOL,
  LiveHub,
  serverMessage,
  type LiveLimits,
  type ServerMessage,
} from '../../read-api/live/index.js';

/* ------------------------------------------------------------------ API processes */

export interface LiveProcess {
  /** http://127.0.0.1:port */
  base: string;
  /** ws://127.0.0.1:port/api/support/live */
  wsUrl: string;
  hub: LiveHub;
  server: Server;
  stop(): Promise<void>;
}

/**
 * One more API process on the test database: its own pool, event store, desk, HTTP server and
 * live hub (with its own LISTEN connection), as `npm start -- api` would run it. Several of
 * them on one database are the scale-out shape; the test desk's projector feeds them all.
 */
export async function startLiveProcess(
  databaseUrl: string,
  options: {
    env?: Record<string, string>;
    limits?: Partial<LiveLimits>;
    clock?: () => Date;
    /** How long the public config may be answered from memory without a change notice. */
    publicConfigCacheMs?: number;
  } = {},
): Promise<LiveProcess> {
  const pool = createPool(databaseUrl, 10, 'live-test');
  const eventStore = new PostgresEventStore(pool, { connectionString: databaseUrl, pollIntervalMs: 100 });
  const config = loadConfig({ LOG_LEVEL: 'silent', NODE_ENV: 'test', ...options.env });
  const logger = createLogger(process.env.LIVE_TEST_LOG ?? 'silent');
  const clock = options.clock ?? (() => new Date());
  const desk = composeApi({
    pool,
    databaseUrl,
    eventStore,
    config,
    logger,
    clock,
    ...(options.publicConfigCacheMs !== undefined ? { publicConfigCacheMs: options.publicConfigCacheMs } : {}),
  });
  const jwtOptions = hostJwtOptionsFromConfig(config);
  const hub = new LiveHub({
    pool,
    databaseUrl,
    eventStore,
    logger,
    clock,
    ...(options.limits ? { limits: options.limits } : {}),
    onSessionRevoked: (revocation) => desk.sessions.forgetRevoked(revocation),
    onConfigChanged: () => desk.publicConfig.invalidate(),
    resolveIdentity: createUpgradeIdentityResolver({
      sessions: desk.sessions,
      resolveGuestToken: createGuestTokenResolver(eventStore, clock),
      allowedOrigins: config.ALLOWED_ORIGINS,
      ...(jwtOptions ? { verifyHostJwt: createHostJwtVerifier(jwtOptions) } : {}),
    }),
  });
  const server = createServer(desk.app);
  hub.attach(server);
  await hub.start();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    base: `http://127.0.0.1:${port}`,
    wsUrl: `ws://127.0.0.1:${port}${LIVE_PATH}`,
    hub,
    server,
    async stop() {
      await hub.close();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await desk.close();
      await eventStore.close();
      await pool.end();
    },
  };
}

/* ------------------------------------------------------------------ HTTP sessions */

export interface Session {
  accountId: string;
  cookie: string;
  csrf: string;
  request<T = Record<string, unknown>>(
    method: string,
    path: string,
    body?: unknown,
  ): Promise<{ status: number; body: T }>;
}

/** Signs in over HTTP and keeps the cookie (for the websocket handshake too) and the CSRF token. */
export async function signInSession(base: string, email: string, password = 'demo-password-1'): Promise<Session> {
  const res = await fetch(`${base}/api/auth/sign-in`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  if (res.status !== 200) throw new Error(`sign-in of ${email} answered ${res.status}: ${await res.text()}`);
  const cookie = res.headers
    .getSetCookie()
    .map((c) => c.split(';')[0]!)
    .join('; ');
  const body = (await res.json()) as { csrfToken: string; account: { id: string } };
  return {
    accountId: body.account.id,
    cookie,
    csrf: body.csrfToken,
    request: (method, path, payload) => call(base, method, path, payload, { cookie, 'x-csrf-token': body.csrfToken }),
  };
}

export async function call<T>(
  base: string,
  method: string,
  path: string,
  body: unknown,
  headers: Record<string, string>,
): Promise<{ status: number; body: T }> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : {};
  } catch {
    // keep the text
  }
  return { status: res.status, body: parsed as T };
}

/* ------------------------------------------------------------------ websocket clients */

export interface LiveConnectOptions {
  cookie?: string;
  /** Sent as the Origin header (browsers always send one). */
  origin?: string;
  guestToken?: string;
  /** How the guest token travels: as a subprotocol (browsers) or the X-Guest-Token header. */
  guestTokenVia?: 'subprotocol' | 'header';
  bearer?: string;
  /** Resume after this position. */
  after?: string;
  headers?: Record<string, string>;
  path?: string;
}

export interface Refused {
  status: number;
  body: string;
  headers: Record<string, string | string[] | undefined>;
}

function handshake(wsUrl: string, options: LiveConnectOptions): WebSocket {
  const url = new URL(wsUrl);
  if (options.path) url.pathname = options.path;
  if (options.after !== undefined) url.searchParams.set('after', options.after);
  const headers: Record<string, string> = { ...options.headers };
  if (options.cookie) headers.cookie = options.cookie;
  if (options.bearer) headers.authorization = `Bearer ${options.bearer}`;
  const protocols: string[] = [];
  if (options.guestToken !== undefined) {
    if (options.guestTokenVia === 'header') headers['x-guest-token'] = options.guestToken;
    else protocols.push(LIVE_SUBPROTOCOL, `${GUEST_TOKEN_SUBPROTOCOL_PREFIX}${options.guestToken}`);
  }
  return new WebSocket(url, protocols, {
    headers,
    ...(options.origin ? { origin: options.origin } : {}),
    perMessageDeflate: false,
  });
}

/** Tries an upgrade: answers the refusal (status and body) or, if it opened, closes it and answers 101. */
export function tryUpgrade(wsUrl: string, options: LiveConnectOptions = {}): Promise<Refused> {
  return new Promise((resolve, reject) => {
    const ws = handshake(wsUrl, options);
    ws.on('unexpected-response', (_req, res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
      res.on('error', reject);
    });
    ws.on('open', () => {
      ws.close();
      resolve({ status: 101, body: '', headers: {} });
    });
    ws.on('error', (error) => {
      if (!/Unexpected server response/.test(error.message)) reject(error);
    });
  });
}

/** A websocket client that records every frame, validates it against the protocol, and waits for frames. */
export class LiveClient {
  readonly frames: ServerMessage[] = [];
  /** Every frame as it came on the wire (schemas strip unknown keys: leak checks read these). */
  readonly raw: string[] = [];
  /** The last position received (what a reconnect sends back). */
  position: string | undefined;
  closed: { code: number; reason: string } | undefined;
  readonly invalid: unknown[] = [];
  private readonly waiters = new Set<() => void>();
  readonly closedPromise: Promise<{ code: number; reason: string }>;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const text = String(data);
      this.raw.push(text);
      const parsed = serverMessage.safeParse(JSON.parse(text));
      if (!parsed.success) {
        this.invalid.push(JSON.parse(text));
        return;
      }
      const frame = parsed.data;
      this.frames.push(frame);
      if ('position' in frame) this.position = frame.position;
      for (const w of [...this.waiters]) w();
    });
    this.closedPromise = new Promise((resolve) => {
      ws.on('close', (code, reason) => {
        this.closed = { code, reason: reason.toString() };
        resolve(this.closed);
        for (const w of [...this.waiters]) w();
      });
    });
    ws.on('error', () => undefined);
  }

  /** Opens a connection and waits for the hello frame. */
  static connect(wsUrl: string, options: LiveConnectOptions = {}): Promise<LiveClient> {
    return new Promise((resolve, reject) => {
      const ws = handshake(wsUrl, options);
      const client = new LiveClient(ws);
      ws.on('unexpected-response', (_req, res) => reject(new Error(`upgrade refused with ${res.statusCode}`)));
      ws.on('error', reject);
      client.waitFor((f) => f.type === 'hello', 10_000).then(() => resolve(client), reject);
    });
  }

  /** Resolves with the first frame (already received or to come) matching, from index `from`. */
  waitFor<T extends ServerMessage = ServerMessage>(
    match: (frame: ServerMessage) => boolean,
    timeoutMs = 10_000,
    from = 0,
  ): Promise<T> {
    return new Promise((resolve, reject) => {
      let index = from;
      const check = () => {
        for (; index < this.frames.length; index++) {
          const frame = this.frames[index]!;
          if (match(frame)) {
            done();
            resolve(frame as T);
            return;
          }
        }
        if (this.closed) {
          done();
          reject(new Error(`closed (${this.closed.code} ${this.closed.reason}) before the frame came`));
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`no matching frame within ${timeoutMs} ms (${this.frames.length} frames)`));
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        this.waiters.delete(check);
      };
      this.waiters.add(check);
      check();
    });
  }

  /** Waits until `count` frames match (counting all received so far). */
  async waitForCount(match: (frame: ServerMessage) => boolean, count: number, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.frames.filter(match).length < count) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`only ${this.frames.filter(match).length} of ${count} frames came`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(() => {
          this.waiters.delete(wake);
          resolve();
        }, left);
        const wake = () => {
          clearTimeout(t);
          this.waiters.delete(wake);
          resolve();
        };
        this.waiters.add(wake);
      });
      if (this.closed) throw new Error(`closed (${this.closed.code}) with ${this.frames.filter(match).length} frames`);
    }
  }

  /** Every thread update received so far, flattened. */
  threadUpdates() {
    return this.frames.flatMap((f) =>
      f.type === 'threads' ? f.threads.map((t) => ({ ...t, position: f.position })) : [],
    );
  }

  send(message: unknown): void {
    this.ws.send(typeof message === 'string' ? message : JSON.stringify(message));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.ws.close();
    await Promise.race([this.closedPromise, new Promise((r) => setTimeout(r, 2000))]);
    if (!this.closed) this.ws.terminate();
  }

  /** Drops the TCP connection without a closing handshake (a network failure). */
  kill(): void {
    this.ws.terminate();
  }
}

export const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls until `check` is true. */
export async function until(check: () => boolean | Promise<boolean>, timeoutMs = 10_000, what = 'condition') {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await wait(20);
  }
}
