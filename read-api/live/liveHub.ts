/**
 * The live push's coordinator: wires the upgrade gate, the client registry, the change
 * follower and replay, presence, client messages and the connection guard together, runs
 * their timers, and starts and stops them.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, Server } from 'node:http';
import type pg from 'pg';
import { WebSocket, WebSocketServer } from 'ws';
import type { EventStore } from '../../eventstore/port.js';
import type { Identity } from '../../platform/identity/identity.js';
import { sessionTokenHashOf } from '../../platform/identity/middleware.js';
import {
  parseSessionRevocation,
  SESSION_REVOCATIONS_CHANNEL,
  type SessionRevocation,
} from '../../platform/identity/sessions.js';
import type { Logger } from '../../platform/logger.js';
import { PROJECTION_CHANGES_CHANNEL } from '../../projections/projectionEngine.js';
import { ChangeFollower } from './changeFollower.js';
import { ChangeFrameBuilder, type LiveIdentity } from './changeFrames.js';
import { trimChangeLog } from './changeLogTrimmer.js';
import { ChangeReplay } from './changeReplay.js';
import { ClientMessages } from './clientMessages.js';
import { ConnectionGuard } from './connectionGuard.js';
import { FrameCache } from './frameCache.js';
import { LiveClients, type LiveClient } from './liveClients.js';
import { REVALIDATION, type LiveRefusal } from './liveIdentity.js';
import { defaultLiveLimits, type LiveLimits } from './liveLimits.js';
import { LIVE_PATH, LIVE_SUBPROTOCOL, PROTOCOL_VERSION, type HelloMessage } from './liveProtocol.js';
import { NotificationFeed } from './notificationFeed.js';
import { PRESENCE_CHANNEL } from './presence.js';
import { PresenceRelay } from './presenceRelay.js';
import { TokenBucket } from './tokenBucket.js';
import { UpgradeGate } from './upgradeGate.js';

export { defaultLiveLimits, type LiveLimits } from './liveLimits.js';

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

const noop = () => undefined;

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
  private readonly pool: pg.Pool;
  private readonly wss: WebSocketServer;
  private readonly feed: NotificationFeed;
  private readonly clients: LiveClients;
  private readonly presence: PresenceRelay;
  private readonly messages: ClientMessages;
  private readonly guard: ConnectionGuard;
  private readonly gate: UpgradeGate;
  private readonly follower: ChangeFollower;
  private readonly replay: ChangeReplay;
  private readonly servers = new Set<Server>();
  private readonly timers: NodeJS.Timeout[] = [];
  private started = false;
  private closing = false;

  constructor(private readonly options: LiveHubOptions) {
    this.path = options.path ?? LIVE_PATH;
    this.limits = { ...defaultLiveLimits, ...options.limits };
    this.logger = options.logger;
    this.pool = options.pool;
    const clock = options.clock ?? (() => new Date());
    const origin = randomUUID();
    this.wss = new WebSocketServer({
      noServer: true,
      clientTracking: false,
      maxPayload: this.limits.maxPayloadBytes,
      perMessageDeflate: false,
      handleProtocols: (protocols) => (protocols.has(LIVE_SUBPROTOCOL) ? LIVE_SUBPROTOCOL : false),
    });
    this.clients = new LiveClients(this.limits, this.logger, (client) =>
      this.presence.connectionGone(client, this.closing),
    );
    this.presence = new PresenceRelay(this.pool, origin, this.clients, this.limits, this.logger);
    this.messages = new ClientMessages(this.clients, this.presence, this.limits, this.logger);
    this.guard = new ConnectionGuard({
      pool: this.pool,
      clients: this.clients,
      limits: this.limits,
      logger: this.logger,
      clock,
      resolveIdentity: options.resolveIdentity,
      ...(options.onSessionRevoked ? { onSessionRevoked: options.onSessionRevoked } : {}),
    });
    this.gate = new UpgradeGate({
      path: this.path,
      limits: this.limits,
      logger: this.logger,
      wss: this.wss,
      clients: this.clients,
      guard: this.guard,
      servers: this.servers,
      state: () => (this.closing ? 'stopping' : this.started ? 'running' : 'starting'),
      accept: (ws, req, identity, key, after) => this.accept(ws, req, identity, key, after),
    });
    const builder = new ChangeFrameBuilder(options.pool, options.eventStore, clock, this.limits);
    const cache = new FrameCache(builder, this.limits.frameCacheBytes);
    this.follower = new ChangeFollower({
      pool: this.pool,
      builder,
      cache,
      clients: this.clients,
      logger: this.logger,
      isRunning: () => this.started && !this.closing,
      isStopping: () => this.closing,
      onConfigChange: () => this.configChanged(),
      onGuestLinksChange: () => void this.guard.checkGuestLinks().catch(noop),
    });
    this.replay = new ChangeReplay(this.pool, builder, cache, this.clients, this.limits, this.logger, () => {
      return this.follower.position;
    });
    this.feed = new NotificationFeed({
      connectionString: options.databaseUrl,
      channels: [PROJECTION_CHANGES_CHANNEL, PRESENCE_CHANNEL, SESSION_REVOCATIONS_CHANNEL],
      applicationName: `support-desk-live-${origin.slice(0, 8)}`,
      logger: this.logger,
      onNotification: (channel, payload) => this.onNotification(channel, payload),
      onConnected: (reconnected) => {
        if (!this.started) return;
        if (reconnected) {
          this.logger.info({ position: String(this.follower.position) }, 'live push: listening again; catching up');
          this.guard.recheckSessions();
        }
        this.follower.followLog();
        this.presence.hello();
      },
    });
  }

  /** Handles upgrades to the live path on this server (several servers may be attached). */
  attach(server: Server): void {
    if (this.servers.has(server)) return;
    this.servers.add(server);
    server.on('upgrade', this.gate.onUpgrade);
  }

  /** Connects the LISTEN connection and reads where the change log stands. Call before serving. */
  async start(): Promise<void> {
    if (this.started) return;
    await this.feed.start();
    await this.follower.start();
    await this.presence.readConfig();
    this.started = true;
    const every = (ms: number, fn: () => void) => {
      const t = setInterval(fn, ms);
      t.unref();
      this.timers.push(t);
    };
    every(this.limits.heartbeatMs, () => this.clients.heartbeat());
    every(this.limits.pollMs, () => this.follower.followLog());
    every(this.limits.syncIntervalMs, () => this.clients.syncAll());
    every(this.limits.presenceSweepMs, () => this.presence.sweep());
    every(this.limits.trimIntervalMs, () => void this.trim().catch(noop));
    every(Math.max(1000, Math.floor(this.limits.revalidateMs / 10)), () => void this.guard.revalidateDue());
    this.presence.hello();
    this.follower.followLog();
    this.logger.info({ path: this.path, position: String(this.follower.position) }, 'live push ready');
  }

  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    for (const t of this.timers) clearInterval(t);
    for (const server of this.servers) server.off('upgrade', this.gate.onUpgrade);
    this.servers.clear();
    await this.presence.bye();
    const sockets = this.clients.list().map((c) => c.ws);
    for (const client of this.clients.list()) {
      client.ws.close(1001, 'server shutting down');
      this.clients.forget(client);
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
    await this.follower.stop();
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
      position: this.follower.position.toString(),
      listening: this.feed.connected,
      presenceEntries: this.presence.size,
      slowConsumersCut: this.clients.slowConsumersCut,
      refusedUpgrades: { ...this.gate.refused },
      changesPushed: this.follower.changesPushed,
      pushMillis: Math.round(this.follower.pushMillis),
    };
  }

  /** Trims change log rows older than the retention, keeping the last `keepChanges` ids; one process at a time. */
  trim(): Promise<number> {
    return trimChangeLog(this.pool, this.limits, this.logger);
  }

  private accept(ws: WebSocket, req: IncomingMessage, identity: LiveIdentity, key: string, after?: bigint): void {
    (req as { [REVALIDATION]?: boolean })[REVALIDATION] = true; // later resolutions are revalidations
    const position = this.follower.position;
    const client: LiveClient = {
      id: randomUUID(),
      ws,
      identity,
      identityKey: key,
      sessionHash:
        identity.kind !== 'guest' && identity.via === 'session' ? sessionTokenHashOf(req.headers.cookie) : undefined,
      req,
      live: after === undefined,
      sentUpTo: after ?? position,
      positionTold: after ?? position,
      alive: true,
      closed: false,
      messages: new TokenBucket(this.limits.messagesPerWindow, this.limits.messageWindowMs),
      validatedAt: performance.now(),
      visibleThreads: new Set(),
    };
    if (this.closing) {
      ws.close(1001, 'server shutting down');
      return;
    }
    this.clients.add(client);
    ws.on('message', (data, isBinary) => this.messages.onMessage(client, data, isBinary));
    ws.on('pong', () => {
      client.alive = true;
    });
    ws.on('close', () => this.clients.forget(client));
    ws.on('error', (error) => this.logger.debug({ err: error.message, client: client.id }, 'live push: socket error'));
    if (!this.guard.watchExpiry(client)) return;

    const hello: HelloMessage = {
      type: 'hello',
      protocol: PROTOCOL_VERSION,
      position: client.sentUpTo.toString(),
      resumed: after !== undefined,
      identity: { kind: identity.kind, role: identity.role },
      heartbeatMs: this.limits.heartbeatMs,
      presence: { viewingTtlMs: this.limits.viewingTtlMs, typingTtlMs: this.limits.typingTtlMs },
    };
    this.clients.send(client, JSON.stringify(hello));
    if (identity.kind === 'staff') this.presence.sendSnapshot(client);
    if (after !== undefined) void this.replay.replay(client, after);
  }

  private onNotification(channel: string, payload: string): void {
    if (channel === PROJECTION_CHANGES_CHANNEL) {
      this.follower.onNotice(payload);
    } else if (channel === PRESENCE_CHANNEL) {
      this.presence.onNotice(payload);
    } else if (channel === SESSION_REVOCATIONS_CHANNEL) {
      const revocation = parseSessionRevocation(payload);
      if (revocation) this.guard.onSessionRevoked(revocation);
    }
  }

  /** The config changed: the desk's public config cache goes, and presence follows the names switch. */
  private async configChanged(): Promise<void> {
    try {
      this.options.onConfigChanged?.();
    } catch (error) {
      this.logger.warn({ err: error }, 'live push: onConfigChanged failed');
    }
    await this.presence.configChanged();
  }
}
