/**
 * The live clients connected to this process: who each is, how many per account or link, and
 * the one way to send to, close and forget each of them (a slow consumer is cut off here).
 */
import type { IncomingMessage } from 'node:http';
import type { WebSocket } from 'ws';
import type { Logger } from '../../platform/logger.js';
import type { LiveIdentity } from './changeFrames.js';
import { CloseCodes, type LiveErrorCode, type ReloadReason } from './liveProtocol.js';
import type { LiveLimits } from './liveLimits.js';
import type { TokenBucket } from './tokenBucket.js';

export interface LiveClient {
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
  sentUpTo: bigint;
  /** The last position the client was told (in a frame). */
  positionTold: bigint;
  alive: boolean;
  closed: boolean;
  /** Client messages allowed (token bucket). */
  messages: TokenBucket;
  validatedAt: number;
  visibleThreads: Set<string>;
  expiryTimer?: NodeJS.Timeout;
}

/** What connections are counted by: an account, or a guest link. */
export function identityKeyOf(identity: LiveIdentity): string {
  switch (identity.kind) {
    case 'staff':
    case 'partner':
      return `${identity.kind}:${identity.accountId}`;
    case 'guest':
      return `guest:${identity.linkId}`;
  }
}

export class LiveClients implements Iterable<LiveClient> {
  private readonly all = new Set<LiveClient>();
  /** The same clients by connection id (presence entries name connections). */
  private readonly byId = new Map<string, LiveClient>();
  private readonly perIdentity = new Map<string, number>();
  slowConsumersCut = 0;

  constructor(
    private readonly limits: LiveLimits,
    private readonly logger: Logger,
    /** Called once per client, when it is forgotten. */
    private readonly onForget: (client: LiveClient) => void,
  ) {}

  get size(): number {
    return this.all.size;
  }

  [Symbol.iterator](): Iterator<LiveClient> {
    return this.all.values();
  }

  /** A copy, for loops that may close clients. */
  list(): LiveClient[] {
    return [...this.all];
  }

  get(id: string): LiveClient | undefined {
    return this.byId.get(id);
  }

  connectionsOf(identityKey: string): number {
    return this.perIdentity.get(identityKey) ?? 0;
  }

  add(client: LiveClient): void {
    this.all.add(client);
    this.byId.set(client.id, client);
    this.perIdentity.set(client.identityKey, this.connectionsOf(client.identityKey) + 1);
  }

  /** Sends a frame; a live client whose buffer grows past the bound is cut off. */
  send(client: LiveClient, data: string | Buffer, replaying = false): boolean {
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
      this.disconnect(client, CloseCodes.slowConsumer, 'slow consumer: reconnect with ?after=<last position>');
      return false;
    }
    return true;
  }

  sendError(client: LiveClient, code: LiveErrorCode, message: string, issues?: { path: string; message: string }[]) {
    this.send(client, JSON.stringify({ type: 'error', error: { code, message, ...(issues ? { issues } : {}) } }));
  }

  /** Closes with a code and reason; destroys the socket if the close does not complete in time. */
  disconnect(client: LiveClient, code: number, reason: string): void {
    if (client.closed) return;
    this.forget(client);
    client.ws.close(code, reason);
    const t = setTimeout(() => client.ws.terminate(), this.limits.closeGraceMs);
    t.unref();
    client.ws.once('close', () => clearTimeout(t));
  }

  reload(client: LiveClient, reason: ReloadReason, detail: string): void {
    this.send(client, JSON.stringify({ type: 'reload', reason, detail }), true);
    this.disconnect(client, CloseCodes.reload, `reload: ${reason}`);
  }

  /** Removes a client from everything (idempotent). */
  forget(client: LiveClient): void {
    if (client.closed) return;
    client.closed = true;
    this.all.delete(client);
    this.byId.delete(client.id);
    const n = (this.perIdentity.get(client.identityKey) ?? 1) - 1;
    if (n <= 0) this.perIdentity.delete(client.identityKey);
    else this.perIdentity.set(client.identityKey, n);
    clearTimeout(client.expiryTimer);
    this.onForget(client);
  }

  /** Terminates clients that did not answer the last ping; pings the others. */
  heartbeat(): void {
    for (const client of this.list()) {
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

  /** Tells live clients that received nothing lately how far they are (so a resume starts near the head). */
  syncAll(): void {
    for (const client of this.all) {
      if (!client.live || client.positionTold >= client.sentUpTo) continue;
      if (this.send(client, JSON.stringify({ type: 'sync', position: client.sentUpTo.toString() }))) {
        client.positionTold = client.sentUpTo;
      }
    }
  }
}
