import { randomUUID } from 'node:crypto';
import { STATUS_CODES, type IncomingMessage, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type pg from 'pg';
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import { z } from 'zod';
import type { EventStore, Position } from '../../eventstore/port.js';
import type { Identity } from '../../platform/identity/identity.js';
import { sessionTokenHashOf } from '../../platform/identity/middleware.js';
import {
  parseSessionRevocation,
  SESSION_REVOCATIONS_CHANNEL,
  type SessionRevocation,
} from '../../platform/identity/sessions.js';
import type { Logger } from '../../platform/logger.js';
import { PROJECTION_CHANGES_CHANNEL } from '../../projections/projectionEngine.js';
import {
  ChangeFrameBuilder,
  frameFor,
  mayReceive,
  type BuiltChange,
  type ChangeRow,
  type LiveIdentity,
} from './changeFrames.js';
import { isRefusal, REVALIDATION, type LiveRefusal } from './liveIdentity.js';
import {
  clientMessage,
  CloseCodes,
  LIVE_PATH,
  LIVE_SUBPROTOCOL,
  MAX_LIVE_POSITION,
  parseLivePosition,
  PROTOCOL_VERSION,
  type ClientMessage,
  type HelloMessage,
  type LiveErrorCode,
  type ReloadReason,
} from './liveProtocol.js';
import { NotificationFeed } from './notificationFeed.js';
import { PRESENCE_CHANNEL, PresenceBoard, presenceNotice, type PresenceNotice, type PresenceWho } from './presence.js';

export interface LiveLimits {
  /** Largest client frame accepted; bigger ones close the socket with 1009. */
  maxPayloadBytes: number;
  /** A client whose unsent bytes grow past this is closed with 4008 (slow consumer). */
  maxBufferedBytes: number;
  /** Open sockets per process (upgrades past it: 429). */
  maxConnections: number;
  /** Open sockets per account or guest link (upgrades past it: 429). */
  maxConnectionsPerIdentity: number;
  /** Ping interval; a socket that has not answered the previous ping is terminated. */
  heartbeatMs: number;
  /** A client further behind than this many changes is told to reload. */
  maxReplayChanges: number;
  /** Change log rows older than this are trimmed (keeping the last `keepChanges` ids). */
  retentionMs: number;
  keepChanges: number;
  trimIntervalMs: number;
  /** Safety-net poll of the change log, in case a notification is lost. */
  pollMs: number;
  /** How often a client that received nothing is told the position it has reached. */
  syncIntervalMs: number;
  viewingTtlMs: number;
  typingTtlMs: number;
  presenceSweepMs: number;
  maxPresenceThreadsPerClient: number;
  /** Client messages allowed per `messageWindowMs` (token bucket); past twice as many dropped, the socket is closed. */
  messagesPerWindow: number;
  messageWindowMs: number;
  /** How often a connection's identity is resolved again (session signed out, link revoked…). */
  revalidateMs: number;
  /** Built changes kept in memory for replays to reconnecting clients. */
  frameCacheBytes: number;
  maxMessagesPerThread: number;
  maxMessageBytesPerThread: number;
  maxStreamPages: number;
  /** After a close frame, how long a socket may take to close before it is destroyed. */
  closeGraceMs: number;
  /** How long a replaying client may take to drain its buffer before it is cut off as slow. */
  replayDrainTimeoutMs: number;
}

export const defaultLiveLimits: LiveLimits = {
  maxPayloadBytes: 4096,
  maxBufferedBytes: 1024 * 1024,
  maxConnections: 10_000,
  maxConnectionsPerIdentity: 64,
  heartbeatMs: 30_000,
  maxReplayChanges: 5000,
  retentionMs: 60 * 60 * 1000,
  keepChanges: 5000,
  trimIntervalMs: 60_000,
  pollMs: 2000,
  syncIntervalMs: 5000,
  viewingTtlMs: 30_000,
  typingTtlMs: 6000,
  presenceSweepMs: 1000,
  maxPresenceThreadsPerClient: 20,
  messagesPerWindow: 30,
  messageWindowMs: 10_000,
  revalidateMs: 5 * 60 * 1000,
  frameCacheBytes: 16 * 1024 * 1024,
  maxMessagesPerThread: 100,
  maxMessageBytesPerThread: 256 * 1024,
  maxStreamPages: 16,
  closeGraceMs: 1000,
  replayDrainTimeoutMs: 30_000,
};

export interface LiveHubOptions {
  pool: pg.Pool;
  /** For the dedicated LISTEN connection. */
  databaseUrl: string;
  /** Reads a changed thread's events to tell which messages a change added. */
  eventStore: EventStore;
  /** The identity of an upgrade request; see createUpgradeIdentityResolver(). */
  resolveIdentity(req: IncomingMessage): Promise<Identity | LiveRefusal>;
  logger: Logger;
  clock?: () => Date;
  limits?: Partial<LiveLimits>;
  /** Defaults to /api/support/live. */
  path?: string;
  /**
   * Called for every session revocation notice (after this hub closed the sockets it names):
   * the desk drops those sessions from its SessionStore cache, so HTTP on this process refuses
   * them at once too.
   */
  onSessionRevoked?: (revocation: SessionRevocation) => void;
  /**
   * Called when the hub follows a system config change from the change log, before it pushes
   * the `config` frame: the desk empties its public config cache, so a page that refetches on
   * that frame reads the new config.
   */
  onConfigChanged?: () => void;
}

export interface LiveStats {
  clients: number;
  byKind: { staff: number; partner: number; guest: number };
  replaying: number;
  position: string;
  listening: boolean;
  presenceEntries: number;
  slowConsumersCut: number;
  refusedUpgrades: Record<string, number>;
  /** Changes followed from the log, and the milliseconds spent building and routing them. */
  changesPushed: number;
  pushMillis: number;
}

interface Client {
  id: string;
  ws: WebSocket;
  identity: LiveIdentity;
  identityKey: string;
  /** SHA-256 of the session token of a session-authenticated connection (what a revocation names). */
  sessionHash: string | undefined;
  req: IncomingMessage;
  /** Receiving live changes (false while a resume replays the log). */
  live: boolean;
  /** Every change up to here that this client may see has been sent. */
  sent: bigint;
  /** The last position the client was told (in a frame). */
  told: bigint;
  alive: boolean;
  closed: boolean;
  tokens: number;
  tokensAt: number;
  dropped: number;
  validatedAt: number;
  visibleThreads: Set<string>;
  expiryTimer?: NodeJS.Timeout;
}

const noop = () => undefined;
const MAX_TIMER_MS = 2 ** 31 - 1;
const CHANGE_BATCH = 200;
const LOG_TRIM_LOCK = 0x5d_e5_c0_11;

/**
 * The live push: a websocket endpoint on the API's HTTP server. Every process LISTENs on
 * projection_changes and follows projection_change_log by id, so each of several API processes
 * delivers every change to its own clients (no sticky balancing needed) and a lost
 * notification connection is caught up from the log without a gap. See docs/live.md.
 */
export class LiveHub {
  readonly path: string;
  private readonly limits: LiveLimits;
  private readonly logger: Logger;
  private readonly clock: () => Date;
  private readonly pool: pg.Pool;
  private readonly builder: ChangeFrameBuilder;
  private readonly feed: NotificationFeed;
  private readonly wss: WebSocketServer;
  private readonly origin = randomUUID();
  private readonly board = new PresenceBoard();
  private readonly clients = new Set<Client>();
  /** The same clients by connection id (presence entries name connections). */
  private readonly byId = new Map<string, Client>();
  /** The system config's showStaffNamesInPresence: partners and guests see who of support types. */
  private showStaffNames = false;
  private readonly perIdentity = new Map<string, number>();
  private readonly servers = new Set<Server>();
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly cache = new Map<bigint, BuiltChange>();
  /** Changes announced by NOTIFY and not yet followed: the next ones in line need no read of the log. */
  private readonly notices = new Map<bigint, ChangeRow>();
  private cacheBytes = 0;
  private pending = 0;
  private started = false;
  private closing = false;
  /** Every change up to here has been delivered to the live clients. */
  private position = 0n;
  /** The threads projection's position at `position` (the lower bound of the next change's events). */
  private threadsPosition: Position | undefined;
  private pumping: Promise<void> | undefined;
  private pumpAgain = false;
  private pumpRetry: NodeJS.Timeout | undefined;
  private buildFailures = 0;
  /** Session revocation notices heard so far (upgrades being resolved meanwhile look again). */
  private sessionRevocations = 0;
  private slowConsumersCut = 0;
  private changesPushed = 0;
  private pushMillis = 0;
  private readonly refused: Record<string, number> = {};

  constructor(private readonly options: LiveHubOptions) {
    this.path = options.path ?? LIVE_PATH;
    this.limits = { ...defaultLiveLimits, ...options.limits };
    this.logger = options.logger;
    this.clock = options.clock ?? (() => new Date());
    this.pool = options.pool;
    this.builder = new ChangeFrameBuilder(options.pool, options.eventStore, this.clock, this.limits);
    this.wss = new WebSocketServer({
      noServer: true,
      clientTracking: false,
      maxPayload: this.limits.maxPayloadBytes,
      perMessageDeflate: false,
      handleProtocols: (protocols) => (protocols.has(LIVE_SUBPROTOCOL) ? LIVE_SUBPROTOCOL : false),
    });
    this.feed = new NotificationFeed({
      connectionString: options.databaseUrl,
      channels: [PROJECTION_CHANGES_CHANNEL, PRESENCE_CHANNEL, SESSION_REVOCATIONS_CHANNEL],
      applicationName: `support-desk-live-${this.origin.slice(0, 8)}`,
      logger: this.logger,
      onNotification: (channel, payload) => this.onNotification(channel, payload),
      onConnected: (reconnected) => {
        if (!this.started) return;
        if (reconnected) {
          this.logger.info({ position: String(this.position) }, 'live push: listening again; catching up');
          // sign-outs while the connection was down went unheard: check every session socket now
          for (const c of this.clients) if (c.sessionHash !== undefined) c.validatedAt = -Infinity;
          void this.revalidateDue();
        }
        this.pump();
        this.announce({ op: 'hello', o: this.origin });
      },
    });
  }

  /* ------------------------------------------------------------------ lifecycle */

  /** Handles upgrades to the live path on this server (several servers may be attached). */
  attach(server: Server): void {
    if (this.servers.has(server)) return;
    this.servers.add(server);
    server.on('upgrade', this.onUpgrade);
  }

  /** Connects the LISTEN connection and reads where the change log stands. Call before serving. */
  async start(): Promise<void> {
    if (this.started) return;
    await this.feed.start();
    const { rows } = await this.pool.query<{ id: string }>(
      'SELECT coalesce(max(id), 0)::text AS id FROM projection_change_log',
    );
    this.position = BigInt(rows[0]?.id ?? '0');
    this.threadsPosition = await this.builder.threadsPositionBefore(this.position + 1n);
    await this.readPresenceConfig();
    this.started = true;
    const every = (ms: number, fn: () => void) => {
      const t = setInterval(fn, ms);
      t.unref();
      this.timers.push(t);
    };
    every(this.limits.heartbeatMs, () => this.heartbeat());
    every(this.limits.pollMs, () => this.pump());
    every(this.limits.syncIntervalMs, () => this.syncAll());
    every(this.limits.presenceSweepMs, () => this.broadcastPresence(this.board.sweep()));
    every(this.limits.trimIntervalMs, () => void this.trim().catch(noop));
    every(Math.max(1000, Math.floor(this.limits.revalidateMs / 10)), () => void this.revalidateDue());
    this.announce({ op: 'hello', o: this.origin });
    this.pump();
    this.logger.info({ path: this.path, position: String(this.position) }, 'live push ready');
  }

  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    for (const t of this.timers) clearInterval(t);
    clearTimeout(this.pumpRetry);
    for (const server of this.servers) server.off('upgrade', this.onUpgrade);
    this.servers.clear();
    await this.announceNow({ op: 'bye', o: this.origin });
    const sockets = [...this.clients].map((c) => c.ws);
    for (const client of [...this.clients]) {
      client.ws.close(1001, 'server shutting down');
      this.forget(client);
    }
    await Promise.race([
      Promise.all(
        sockets.map((ws) =>
          ws.readyState === WebSocket.CLOSED ? undefined : new Promise((resolve) => ws.once('close', resolve)),
        ),
      ),
      new Promise((resolve) => setTimeout(resolve, this.limits.closeGraceMs)),
    ]);
    for (const ws of sockets) ws.terminate();
    await this.feed.close();
    await this.pumping?.catch(noop);
    this.wss.close();
  }

  /** Connected clients of this process (for the metrics gauge). */
  clientCount(): number {
    return this.clients.size;
  }

  stats(): LiveStats {
    const byKind = { staff: 0, partner: 0, guest: 0 };
    let replaying = 0;
    for (const c of this.clients) {
      byKind[c.identity.kind]++;
      if (!c.live) replaying++;
    }
    return {
      clients: this.clients.size,
      byKind,
      replaying,
      position: this.position.toString(),
      listening: this.feed.connected,
      presenceEntries: this.board.size,
      slowConsumersCut: this.slowConsumersCut,
      refusedUpgrades: { ...this.refused },
      changesPushed: this.changesPushed,
      pushMillis: Math.round(this.pushMillis),
    };
  }

  /* ------------------------------------------------------------------ upgrades */

  private readonly onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    socket.on('error', noop);
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://localhost');
    } catch {
      return this.refuse(socket, { refused: 400, reason: 'malformed request target', code: 'invalid_input' });
    }
    if (url.pathname !== this.path) {
      // another upgrade handler on the same server (a dev server's HMR…) may own other paths
      if ([...this.servers].some((s) => s.listenerCount('upgrade') > 1)) return;
      return this.refuse(socket, { refused: 404, reason: 'no websocket endpoint here', code: 'not_found' });
    }
    if (!this.started || this.closing) {
      return this.refuse(socket, { refused: 503, reason: 'the live push is not running', code: 'unavailable' });
    }
    if (this.clients.size + this.pending >= this.limits.maxConnections) {
      return this.refuse(socket, {
        refused: 429,
        reason: 'this server has too many live connections; try another or retry later',
        code: 'rate_limited',
        headers: { 'Retry-After': '5' },
      });
    }
    const afterText = url.searchParams.get('after');
    const after = afterText === null ? undefined : parseLivePosition(afterText);
    if (afterText !== null && after === undefined) {
      // refused here, not after hello: a resume the database cannot run would end in 1011,
      // and a client following the protocol would reconnect with the same position forever
      return this.refuse(socket, {
        refused: 400,
        reason: 'after must be a position (the decimal id of the last change received)',
        code: 'invalid_input',
        errors: [
          {
            path: 'query.after',
            message: `must be a change log id received from this server: decimal digits, at most ${MAX_LIVE_POSITION}`,
          },
        ],
      });
    }
    this.pending++;
    this.resolveUpgrade(req)
      .then(
        (result) => {
          this.pending--;
          if (isRefusal(result)) return this.refuse(socket, result);
          if (result.kind === 'anonymous') {
            return this.refuse(socket, {
              refused: 401,
              reason: 'sign in, or send a valid token',
              code: 'unauthenticated',
            });
          }
          if (result.kind === 'host') {
            return this.refuse(socket, {
              refused: 403,
              reason: 'the host service identity has no live view',
              code: 'forbidden',
            });
          }
          const key = identityKeyOf(result);
          if ((this.perIdentity.get(key) ?? 0) >= this.limits.maxConnectionsPerIdentity) {
            return this.refuse(socket, {
              refused: 429,
              reason: 'too many live connections for this account or link',
              code: 'rate_limited',
              headers: { 'Retry-After': '5' },
            });
          }
          if (this.closing) {
            return this.refuse(socket, { refused: 503, reason: 'the live push is stopping', code: 'unavailable' });
          }
          if (socket.destroyed || !socket.writable) return;
          this.wss.handleUpgrade(req, socket, head, (ws) => this.accept(ws, req, result, key, after));
        },
        (error: unknown) => {
          this.pending--;
          this.logger.error({ err: error }, 'live push: resolving an upgrade identity failed');
          this.refuse(socket, { refused: 503, reason: 'identity could not be checked; retry', code: 'unavailable' });
        },
      )
      .catch((error: unknown) => {
        this.logger.error({ err: error }, 'live push: upgrade failed');
        socket.destroy();
      });
  };

  /**
   * The identity of an upgrade; resolved again when a session ended while it was being
   * resolved (the answer may predate that sign-out, and its socket would miss the notice).
   */
  private async resolveUpgrade(req: IncomingMessage): Promise<Identity | LiveRefusal> {
    for (let attempt = 1; ; attempt++) {
      const seen = this.sessionRevocations;
      const result = await this.options.resolveIdentity(req);
      const viaSession = !isRefusal(result) && 'via' in result && result.via === 'session';
      if (!viaSession || seen === this.sessionRevocations || attempt === 3) return result;
    }
  }

  /** Writes an HTTP error answer on the raw socket (no websocket) and closes it. */
  private refuse(socket: Duplex, refusal: LiveRefusal): void {
    this.refused[refusal.refused] = (this.refused[refusal.refused] ?? 0) + 1;
    if (socket.destroyed) return;
    const title = STATUS_CODES[refusal.refused] ?? 'Error';
    const body = JSON.stringify({
      type: refusal.code ? `https://support-desk.dev/problems/${refusal.code}` : 'about:blank',
      title,
      status: refusal.refused,
      detail: refusal.reason,
      ...(refusal.code ? { code: refusal.code } : {}),
      ...(refusal.errors ? { errors: refusal.errors } : {}),
    });
    const headers = Object.entries(refusal.headers ?? {})
      .map(([name, value]) => `${name}: ${value}\r\n`)
      .join('');
    socket.end(
      `HTTP/1.1 ${refusal.refused} ${title}\r\nConnection: close\r\nContent-Type: application/problem+json\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\n${headers}\r\n${body}`,
    );
    const destroy = setTimeout(() => socket.destroy(), 1000);
    destroy.unref();
    socket.once('close', () => clearTimeout(destroy));
  }

  private accept(ws: WebSocket, req: IncomingMessage, identity: LiveIdentity, key: string, after?: bigint): void {
    (req as { [REVALIDATION]?: boolean })[REVALIDATION] = true; // later resolutions are revalidations
    const client: Client = {
      id: randomUUID(),
      ws,
      identity,
      identityKey: key,
      sessionHash:
        identity.kind !== 'guest' && identity.via === 'session' ? sessionTokenHashOf(req.headers.cookie) : undefined,
      req,
      live: after === undefined,
      sent: after ?? this.position,
      told: after ?? this.position,
      alive: true,
      closed: false,
      tokens: this.limits.messagesPerWindow,
      tokensAt: performance.now(),
      dropped: 0,
      validatedAt: performance.now(),
      visibleThreads: new Set(),
    };
    if (this.closing) {
      ws.close(1001, 'server shutting down');
      return;
    }
    this.clients.add(client);
    this.byId.set(client.id, client);
    this.perIdentity.set(key, (this.perIdentity.get(key) ?? 0) + 1);
    ws.on('message', (data, isBinary) => this.onMessage(client, data, isBinary));
    ws.on('pong', () => {
      client.alive = true;
    });
    ws.on('close', () => this.forget(client));
    ws.on('error', (error) => this.logger.debug({ err: error.message, client: client.id }, 'live push: socket error'));

    if (identity.kind === 'guest') {
      const ms = Date.parse(identity.expiresAt) - this.clock().getTime();
      const expire = () => this.cut(client, CloseCodes.identityRevoked, 'the guest link has expired');
      if (ms <= 0) return expire();
      client.expiryTimer = setTimeout(expire, Math.min(ms, MAX_TIMER_MS));
      client.expiryTimer.unref();
    }

    const hello: HelloMessage = {
      type: 'hello',
      protocol: PROTOCOL_VERSION,
      position: client.sent.toString(),
      resumed: after !== undefined,
      identity: { kind: identity.kind, role: identity.role },
      heartbeatMs: this.limits.heartbeatMs,
      presence: { viewingTtlMs: this.limits.viewingTtlMs, typingTtlMs: this.limits.typingTtlMs },
    };
    this.send(client, JSON.stringify(hello));
    if (identity.kind === 'staff') {
      for (const p of this.board.snapshot(1000)) {
        this.send(client, JSON.stringify({ type: 'presence', threadId: p.threadId, viewers: p.viewers }));
      }
    }
    if (after !== undefined) void this.replay(client, after);
  }

  /* ------------------------------------------------------------------ sending */

  /** Sends a frame; a live client whose buffer grows past the bound is cut off. */
  private send(client: Client, data: string | Buffer, replaying = false): boolean {
    if (client.closed) return false;
    // a Buffer is a frame encoded once for many clients: still a text frame
    if (typeof data === 'string') client.ws.send(data);
    else client.ws.send(data, { binary: false });
    if (!replaying && client.ws.bufferedAmount > this.limits.maxBufferedBytes) {
      this.slowConsumersCut++;
      this.logger.warn(
        { client: client.id, kind: client.identity.kind, buffered: client.ws.bufferedAmount },
        'live push: slow consumer cut off',
      );
      this.cut(client, CloseCodes.slowConsumer, 'slow consumer: reconnect with ?after=<last position>');
      return false;
    }
    return true;
  }

  private sendError(
    client: Client,
    code: LiveErrorCode,
    message: string,
    issues?: { path: string; message: string }[],
  ) {
    this.send(client, JSON.stringify({ type: 'error', error: { code, message, ...(issues ? { issues } : {}) } }));
  }

  /** Closes with a code and reason; destroys the socket if the close does not complete in time. */
  private cut(client: Client, code: number, reason: string): void {
    if (client.closed) return;
    this.forget(client);
    client.ws.close(code, reason);
    const t = setTimeout(() => client.ws.terminate(), this.limits.closeGraceMs);
    t.unref();
    client.ws.once('close', () => clearTimeout(t));
  }

  private reload(client: Client, reason: ReloadReason, detail: string): void {
    this.send(client, JSON.stringify({ type: 'reload', reason, detail }), true);
    this.cut(client, CloseCodes.reload, `reload: ${reason}`);
  }

  /** Removes a client from everything (idempotent). */
  private forget(client: Client): void {
    if (client.closed) return;
    client.closed = true;
    this.clients.delete(client);
    this.byId.delete(client.id);
    const n = (this.perIdentity.get(client.identityKey) ?? 1) - 1;
    if (n <= 0) this.perIdentity.delete(client.identityKey);
    else this.perIdentity.set(client.identityKey, n);
    clearTimeout(client.expiryTimer);
    const threads = this.board.removeConnection(this.origin, client.id);
    if (threads.length && !this.closing) {
      this.announce({ op: 'drop', o: this.origin, c: client.id });
      this.broadcastPresence(threads);
    }
  }

  /* ------------------------------------------------------------------ the change log */

  private onNotification(channel: string, payload: string): void {
    if (channel === PROJECTION_CHANGES_CHANNEL) {
      const notice = changeNotice.safeParse(safeJson(payload));
      if (notice.success && notice.data.threadIds && this.notices.size < 10_000) {
        const id = BigInt(notice.data.changeId);
        if (id > this.position) this.notices.set(id, { ...notice.data, id, threadIds: notice.data.threadIds });
      }
      this.pump();
    } else if (channel === PRESENCE_CHANNEL) {
      this.onPresenceNotice(payload);
    } else if (channel === SESSION_REVOCATIONS_CHANNEL) {
      const revocation = parseSessionRevocation(payload);
      if (revocation) this.onSessionRevoked(revocation);
    }
  }

  /**
   * A session ended somewhere (sign-out, disabled account, password reset, on any process):
   * its sockets here close at once, not at the next revalidation.
   */
  private onSessionRevoked(revocation: SessionRevocation): void {
    this.sessionRevocations++;
    for (const client of [...this.clients]) {
      if (client.sessionHash === undefined || client.identity.kind === 'guest') continue;
      const ended =
        revocation.kind === 'session'
          ? client.sessionHash === revocation.tokenHash
          : client.identity.accountId === revocation.accountId;
      if (ended) this.cut(client, CloseCodes.identityRevoked, 'the session has ended (signed out); sign in again');
    }
    try {
      this.options.onSessionRevoked?.(revocation);
    } catch (error) {
      this.logger.warn({ err: error }, 'live push: onSessionRevoked failed');
    }
  }

  /**
   * The next changes from the notifications when they follow the position without a gap (a
   * notification is only delivered once its transaction committed); else from the log.
   */
  private async nextChanges(): Promise<ChangeRow[]> {
    for (const id of this.notices.keys()) if (id <= this.position) this.notices.delete(id);
    const run: ChangeRow[] = [];
    for (let id = this.position + 1n; run.length < CHANGE_BATCH; id++) {
      const notice = this.notices.get(id);
      if (!notice) break;
      run.push(notice);
    }
    return run.length ? run : this.builder.fetchChanges(this.position, CHANGE_BATCH);
  }

  /** Follows the change log from `position`: build each change once, route it to every live client. */
  private pump(): void {
    if (!this.started || this.closing) return;
    if (this.pumping) {
      this.pumpAgain = true;
      return;
    }
    this.pumping = this.drainLog()
      .catch((error: unknown) => {
        this.logger.warn({ err: error }, 'live push: reading the change log failed; retrying');
        clearTimeout(this.pumpRetry);
        this.pumpRetry = setTimeout(() => this.pump(), 1000);
        this.pumpRetry.unref();
      })
      .finally(() => {
        this.pumping = undefined;
        if (this.pumpAgain) this.pump();
      });
  }

  private async drainLog(): Promise<void> {
    do {
      this.pumpAgain = false;
      for (;;) {
        if (this.closing) return;
        const started = performance.now();
        const rows = await this.nextChanges();
        if (rows.length === 0) break;
        const last = rows[rows.length - 1]!;
        let result: { built: BuiltChange[]; threadsAfter: Position };
        try {
          result = await this.builder.build(
            rows,
            this.threadsPosition ?? (await this.builder.threadsPositionBefore(rows[0]!.id)),
          );
          this.buildFailures = 0;
        } catch (error) {
          if (++this.buildFailures < 5) throw error;
          // a change that cannot be built must not stop every push: skip it, and tell everyone
          this.logger.error(
            { err: error, from: String(rows[0]!.id), to: String(last.id) },
            'live push: skipping changes',
          );
          this.buildFailures = 0;
          this.position = last.id;
          this.threadsPosition = undefined;
          for (const c of [...this.clients]) this.reload(c, 'missed_changes', 'some changes could not be pushed');
          continue;
        }
        // before the `config` frame goes out: whoever refetches on it must read the new config
        if (result.built.some((b) => b.projection === 'systemConfig')) await this.configChanged();
        for (const change of result.built) {
          this.deliver(change);
          this.remember(change);
        }
        this.position = last.id;
        this.threadsPosition = result.threadsAfter;
        this.changesPushed += rows.length;
        this.pushMillis += performance.now() - started;
        if (result.built.some((b) => b.guestLinksChanged)) void this.checkGuestLinks().catch(noop);
      }
    } while (this.pumpAgain);
  }

  private deliver(change: BuiltChange): void {
    const memo = new Map<string, string | null>();
    // one UTF-8 encoding per distinct frame (staff, each partner audience), not one per client
    const encoded = new Map<string, Buffer>();
    for (const client of this.clients) {
      if (!client.live || client.closed || change.id <= client.sent) continue;
      const frame = frameFor(change, client.identity, memo);
      client.sent = change.id;
      if (!frame) continue;
      let bytes = encoded.get(frame);
      if (!bytes) encoded.set(frame, (bytes = Buffer.from(frame, 'utf8')));
      if (this.send(client, bytes)) client.told = change.id;
    }
  }

  private remember(change: BuiltChange): void {
    if (this.cache.has(change.id)) return;
    this.cache.set(change.id, change);
    this.cacheBytes += change.bytes;
    for (const [id, old] of this.cache) {
      if (this.cacheBytes <= this.limits.frameCacheBytes) break;
      this.cache.delete(id);
      this.cacheBytes -= old.bytes;
    }
  }

  /** Built changes for rows, from memory where this process built them, else from the database. */
  private async builtFor(rows: readonly ChangeRow[]): Promise<BuiltChange[]> {
    const out: BuiltChange[] = [];
    let run: ChangeRow[] = [];
    const flush = async () => {
      if (!run.length) return;
      const { built } = await this.builder.build(run, await this.builder.threadsPositionBefore(run[0]!.id));
      for (const b of built) {
        out.push(b);
        this.remember(b);
      }
      run = [];
    };
    for (const row of rows) {
      const cached = this.cache.get(row.id);
      if (cached) {
        await flush();
        out.push(cached);
      } else {
        run.push(row);
      }
    }
    await flush();
    return out;
  }

  /** Whether a resume from `after` can be served, or why the client must reload. */
  private async resumable(after: bigint): Promise<{ ok: true } | { ok: false; reason: ReloadReason; detail: string }> {
    const { rows } = await this.pool.query<{ min: string | null; max: string | null; behind: string }>(
      `SELECT (SELECT min(id) FROM projection_change_log)::text AS min,
              (SELECT max(id) FROM projection_change_log)::text AS max,
              (SELECT count(*) FROM (SELECT 1 FROM projection_change_log WHERE id > $1 LIMIT $2) s)::text AS behind`,
      [after.toString(), this.limits.maxReplayChanges + 1],
    );
    const row = rows[0]!;
    const max = row.max === null ? this.position : BigInt(row.max);
    if (after > max && after > this.position) {
      return { ok: false, reason: 'unknown_position', detail: 'this position is not in the change log' };
    }
    if (row.min !== null && after < BigInt(row.min) - 1n) {
      return { ok: false, reason: 'too_far_behind', detail: 'changes after this position are no longer kept' };
    }
    if (Number(row.behind) > this.limits.maxReplayChanges) {
      return {
        ok: false,
        reason: 'too_far_behind',
        detail: `more than ${this.limits.maxReplayChanges} changes were missed`,
      };
    }
    return { ok: true };
  }

  /** Sends a resuming client every change after `after` it may see, in order, then makes it live. */
  private async replay(client: Client, after: bigint): Promise<void> {
    try {
      const verdict = await this.resumable(after);
      if (!verdict.ok) return this.reload(client, verdict.reason, verdict.detail);
      let from = after;
      for (;;) {
        if (client.closed) return;
        const target = this.position;
        if (from >= target) {
          // synchronous from the check to here: no live change can slip in between
          client.live = true;
          client.sent = from;
          client.told = from;
          this.send(client, JSON.stringify({ type: 'sync', position: from.toString() }));
          return;
        }
        const rows = await this.builder.fetchChanges(from, CHANGE_BATCH, target);
        for (const change of await this.builtFor(rows)) {
          if (client.closed) return;
          const frame = frameFor(change, client.identity);
          if (frame) this.send(client, frame, true);
          client.sent = change.id;
          if (frame) client.told = change.id;
          if (client.ws.bufferedAmount > this.limits.maxBufferedBytes / 2 && !(await this.drained(client))) return;
        }
        from = rows.length < CHANGE_BATCH ? target : rows[rows.length - 1]!.id;
      }
    } catch (error) {
      this.logger.warn({ err: error, client: client.id }, 'live push: replay failed');
      this.cut(client, 1011, 'replay failed; reconnect with the same position');
    }
  }

  /** Waits until a replaying client has read most of its buffer; cuts it off when it takes too long. */
  private async drained(client: Client): Promise<boolean> {
    const deadline = performance.now() + this.limits.replayDrainTimeoutMs;
    while (client.ws.bufferedAmount > this.limits.maxBufferedBytes / 4) {
      if (client.closed) return false;
      if (performance.now() > deadline) {
        this.slowConsumersCut++;
        this.cut(client, CloseCodes.slowConsumer, 'slow consumer: reconnect with ?after=<last position>');
        return false;
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return !client.closed;
  }

  /** Tells live clients that received nothing lately how far they are (so a resume starts near the head). */
  private syncAll(): void {
    for (const client of this.clients) {
      if (!client.live || client.told >= client.sent) continue;
      if (this.send(client, JSON.stringify({ type: 'sync', position: client.sent.toString() }))) {
        client.told = client.sent;
      }
    }
  }

  /** Trims change log rows older than the retention, keeping the last `keepChanges` ids; one process at a time. */
  async trim(): Promise<number> {
    const db = await this.pool.connect();
    try {
      await db.query('BEGIN');
      const { rows: lock } = await db.query<{ ok: boolean }>('SELECT pg_try_advisory_xact_lock($1) AS ok', [
        LOG_TRIM_LOCK,
      ]);
      if (!lock[0]?.ok) {
        await db.query('ROLLBACK');
        return 0;
      }
      const { rowCount } = await db.query(
        `DELETE FROM projection_change_log WHERE id IN (
           SELECT id FROM projection_change_log
            WHERE created_at < now() - make_interval(secs => $1)
              AND id <= (SELECT max(id) FROM projection_change_log) - $2
            ORDER BY id LIMIT 10000)`,
        [this.limits.retentionMs / 1000, this.limits.keepChanges],
      );
      await db.query('COMMIT');
      return rowCount ?? 0;
    } catch (error) {
      await db.query('ROLLBACK').catch(noop);
      this.logger.warn({ err: error }, 'live push: trimming the change log failed');
      return 0;
    } finally {
      db.release();
    }
  }

  /* ------------------------------------------------------------------ identity checks */

  /** Guests whose link was revoked are closed as soon as the guest links projection says so. */
  private async checkGuestLinks(): Promise<void> {
    const guests = [...this.clients].filter((c) => c.identity.kind === 'guest');
    if (!guests.length) return;
    const ids = [...new Set(guests.map((c) => (c.identity as Extract<LiveIdentity, { kind: 'guest' }>).linkId))];
    const { rows } = await this.pool.query<{ link_id: string }>(
      'SELECT link_id FROM support_guest_links WHERE link_id = ANY($1) AND revoked_at IS NOT NULL',
      [ids],
    );
    const revoked = new Set(rows.map((r) => r.link_id));
    for (const c of guests) {
      if (c.identity.kind === 'guest' && revoked.has(c.identity.linkId)) {
        this.cut(c, CloseCodes.identityRevoked, 'the guest link was revoked');
      }
    }
  }

  /** Resolves the identity of connections again, now and then: a signed-out session or disabled account ends its sockets. */
  private revalidating = false;
  private async revalidateDue(): Promise<void> {
    if (this.revalidating) return;
    this.revalidating = true;
    try {
      const due = performance.now() - this.limits.revalidateMs;
      for (const client of [...this.clients]) {
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
          this.cut(client, CloseCodes.identityRevoked, 'the identity of this connection is no longer valid');
        }
      }
    } finally {
      this.revalidating = false;
    }
  }

  /* ------------------------------------------------------------------ client messages */

  private onMessage(client: Client, data: RawData, isBinary: boolean): void {
    client.alive = true;
    if (client.closed || !this.takeToken(client)) return;
    if (isBinary) return this.sendError(client, 'binary_not_accepted', 'send JSON text frames');
    let parsed: unknown;
    try {
      parsed = JSON.parse(rawText(data));
    } catch {
      return this.sendError(client, 'bad_json', 'a frame must be one JSON object');
    }
    const result = clientMessage.safeParse(parsed);
    if (!result.success) {
      return this.sendError(
        client,
        'bad_message',
        'not a message this server understands (viewing, typing, left, ping)',
        result.error.issues.map((i) => ({ path: i.path.join('.') || '(root)', message: i.message })),
      );
    }
    this.handle(client, result.data).catch((error: unknown) => {
      this.logger.warn({ err: error, client: client.id }, 'live push: a client message failed');
      this.sendError(client, 'internal', 'the message could not be handled');
    });
  }

  private takeToken(client: Client): boolean {
    const { messagesPerWindow, messageWindowMs } = this.limits;
    const now = performance.now();
    client.tokens = Math.min(
      messagesPerWindow,
      client.tokens + ((now - client.tokensAt) * messagesPerWindow) / messageWindowMs,
    );
    client.tokensAt = now;
    if (client.tokens >= 1) {
      client.tokens -= 1;
      client.dropped = 0;
      return true;
    }
    client.dropped++;
    if (client.dropped === 1) this.sendError(client, 'rate_limited', 'too many messages; slow down');
    if (client.dropped > messagesPerWindow * 2) this.cut(client, CloseCodes.tooManyMessages, 'too many messages');
    return false;
  }

  private async handle(client: Client, message: ClientMessage): Promise<void> {
    switch (message.type) {
      case 'ping':
        this.send(client, JSON.stringify({ type: 'pong', ...(message.id !== undefined ? { id: message.id } : {}) }));
        return;
      case 'left':
        if (this.board.remove(this.origin, client.id, message.threadId)) {
          this.announce({ op: 'del', o: this.origin, c: client.id, t: message.threadId });
          this.broadcastPresence([message.threadId]);
        }
        return;
      case 'viewing':
        return this.present(client, message.threadId, false, false);
      case 'typing':
        return this.present(client, message.threadId, true, message.internal === true);
    }
  }

  /* ------------------------------------------------------------------ presence */

  /**
   * `viewing` (typing false) refreshes the entry and ends its typing; `typing` refreshes both.
   * A partner or guest entering a thread is told at once whether support is typing in it.
   */
  private async present(client: Client, threadId: string, typing: boolean, internal: boolean): Promise<void> {
    if (client.identity.kind !== 'staff' && !(await this.mayView(client, threadId))) {
      return this.sendError(client, 'not_found', 'no such thread');
    }
    if (client.closed) return;
    const existing = this.board.get(this.origin, client.id, threadId);
    if (!existing && this.board.threadsOf(this.origin, client.id).length >= this.limits.maxPresenceThreadsPerClient) {
      return this.sendError(
        client,
        'too_many_threads',
        `present in at most ${this.limits.maxPresenceThreadsPerClient} threads at once; send left first`,
      );
    }
    const { viewingTtlMs, typingTtlMs } = this.limits;
    const person = whoOf(client.identity);
    const now = performance.now();
    const wasTyping = existing !== undefined && existing.typingUntil > now;
    const entry = this.board.set(
      this.origin,
      client.id,
      threadId,
      person,
      viewingTtlMs,
      typing ? typingTtlMs : 0,
      !typing,
      internal,
    );
    const stale = now - entry.announcedAt > viewingTtlMs / 3;
    const typingNews =
      typing &&
      (!entry.announcedTyping || entry.announcedInternal !== internal || now - entry.announcedAt > typingTtlMs / 3);
    const typingEnded = !typing && (wasTyping || entry.announcedTyping);
    if (stale || typingNews || typingEnded) {
      entry.announcedAt = now;
      entry.announcedTyping = typing;
      entry.announcedInternal = typing && internal;
      this.announce({
        op: 'set',
        o: this.origin,
        c: client.id,
        t: threadId,
        w: person,
        vt: viewingTtlMs,
        yt: typing ? typingTtlMs : 0,
        ...(typing && internal ? { yi: true } : {}),
        ...(typingEnded ? { ye: true } : {}),
      });
    }
    if (!existing && client.identity.kind !== 'staff') {
      const viewers = this.board.publicViewers(threadId, this.showStaffNames);
      if (viewers.length) this.send(client, JSON.stringify({ type: 'presence', threadId, viewers }));
    }
    this.broadcastPresence([threadId]);
  }

  /** Partners and guests may only be present in threads they may read. */
  private async mayView(client: Client, threadId: string): Promise<boolean> {
    if (client.visibleThreads.has(threadId)) return true;
    const { rows } = await this.pool.query<{ thread_id: string; partner_org_id: string; assignment_id: string }>(
      'SELECT thread_id, partner_org_id, assignment_id FROM support_inbox WHERE thread_id = $1',
      [threadId],
    );
    const row = rows[0];
    const ok =
      row !== undefined &&
      mayReceive(client.identity, {
        threadId: String(row.thread_id),
        partnerOrgId: row.partner_org_id,
        assignmentId: row.assignment_id,
      });
    if (ok && client.visibleThreads.size < 200) client.visibleThreads.add(threadId);
    return ok;
  }

  private onPresenceNotice(payload: string): void {
    let notice: PresenceNotice;
    try {
      const parsed = presenceNotice.safeParse(JSON.parse(payload));
      if (!parsed.success) return;
      notice = parsed.data;
    } catch {
      return;
    }
    if (notice.o === this.origin) return;
    switch (notice.op) {
      case 'set':
        this.board.set(
          notice.o,
          notice.c,
          notice.t,
          notice.w,
          notice.vt,
          notice.yt,
          notice.ye === true,
          notice.yi === true,
        );
        return this.broadcastPresence([notice.t]);
      case 'del':
        if (this.board.remove(notice.o, notice.c, notice.t)) this.broadcastPresence([notice.t]);
        return;
      case 'drop':
        return this.broadcastPresence(this.board.removeConnection(notice.o, notice.c));
      case 'bye':
        return this.broadcastPresence(this.board.removeOrigin(notice.o));
      case 'hello': {
        // a process (re)started or reconnected: tell it what our clients are viewing
        const now = performance.now();
        for (const e of this.board.entriesOf(this.origin)) {
          const vt = Math.round(e.viewingUntil - now);
          if (vt <= 0) continue;
          const yt = e.typingUntil > now ? Math.round(e.typingUntil - now) : 0;
          e.announcedAt = now;
          this.announce({
            op: 'set',
            o: this.origin,
            c: e.conn,
            t: e.threadId,
            w: e.who,
            vt,
            yt,
            ...(yt > 0 && e.typingInternal ? { yi: true } : {}),
          });
        }
        return;
      }
    }
  }

  /**
   * Sends staff the viewers of threads whose presence changed, and the partners and guests
   * present in those threads (on this process) their public view of it, when that changed. Only
   * connections whose presence in a thread was accepted (`mayView`) are told about it: a partner
   * of another organisation or a guest of another thread never is.
   */
  private broadcastPresence(threadIds: readonly string[]): void {
    if (!threadIds.length) return;
    const changes = this.board.changes(threadIds);
    if (changes.length) {
      const frames = changes.map((c) => JSON.stringify({ type: 'presence', threadId: c.threadId, viewers: c.viewers }));
      for (const client of this.clients) {
        if (client.identity.kind !== 'staff') continue;
        for (const frame of frames) this.send(client, frame);
      }
    }
    // computed even with nobody to tell here, so that what was last told stays true
    for (const c of this.board.publicChanges(threadIds, this.showStaffNames)) {
      let frame: string | undefined;
      for (const conn of this.board.connectionsIn(this.origin, c.threadId)) {
        const client = this.byId.get(conn);
        if (!client || client.identity.kind === 'staff') continue;
        frame ??= JSON.stringify({ type: 'presence', threadId: c.threadId, viewers: c.viewers });
        this.send(client, frame);
      }
    }
  }

  /* ------------------------------------------------------------------ system config */

  /** The config changed: the desk's public config cache goes, and presence follows the names switch. */
  private async configChanged(): Promise<void> {
    try {
      this.options.onConfigChanged?.();
    } catch (error) {
      this.logger.warn({ err: error }, 'live push: onConfigChanged failed');
    }
    const before = this.showStaffNames;
    await this.readPresenceConfig();
    if (before !== this.showStaffNames) this.broadcastPresence(this.board.threadIds());
  }

  /** Reads showStaffNamesInPresence (false when the row or the column is not there yet, or the read fails). */
  private async readPresenceConfig(): Promise<void> {
    try {
      const { rows } = await this.pool.query<{ names: unknown }>(
        `SELECT to_jsonb(c) -> 'show_staff_names_in_presence' AS names FROM support_system_config c`,
      );
      this.showStaffNames = rows[0]?.names === true;
    } catch (error) {
      // no table yet (a fresh database whose projector has not started): the default stands
      const level = (error as { code?: string }).code === '42P01' ? 'debug' : 'warn';
      this.logger[level]({ err: error }, 'live push: the presence setting could not be read; keeping it');
    }
  }

  private announce(notice: PresenceNotice): void {
    void this.announceNow(notice);
  }

  private async announceNow(notice: PresenceNotice): Promise<void> {
    try {
      await this.pool.query('SELECT pg_notify($1, $2)', [PRESENCE_CHANNEL, JSON.stringify(notice)]);
    } catch (error) {
      this.logger.debug({ err: error }, 'live push: presence notice not sent');
    }
  }

  /* ------------------------------------------------------------------ heartbeats */

  private heartbeat(): void {
    for (const client of [...this.clients]) {
      if (!client.alive) {
        this.logger.debug({ client: client.id }, 'live push: no pong; terminating');
        this.forget(client);
        client.ws.terminate();
        continue;
      }
      client.alive = false;
      try {
        client.ws.ping();
      } catch {
        this.forget(client);
        client.ws.terminate();
      }
    }
  }
}

/** A projection_changes notification (ProjectionChange of the projection engine). */
const changeNotice = z.object({
  changeId: z.string().regex(/^\d{1,19}$/),
  projection: z.string(),
  generation: z.number().int(),
  position: z.string(),
  threadIds: z.array(z.string()).nullable(),
});

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function rawText(data: RawData): string {
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data).toString('utf8');
}

function identityKeyOf(identity: LiveIdentity): string {
  switch (identity.kind) {
    case 'staff':
    case 'partner':
      return `${identity.kind}:${identity.accountId}`;
    case 'guest':
      return `guest:${identity.linkId}`;
  }
}

function whoOf(identity: LiveIdentity): PresenceWho {
  switch (identity.kind) {
    case 'staff':
    case 'partner':
      return { kind: identity.kind, id: identity.accountId, name: identity.name };
    case 'guest':
      return { kind: 'guest', id: identity.linkId, name: identity.recipientEmail ?? 'Guest' };
  }
}
