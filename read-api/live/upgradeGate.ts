/**
 * The door of the live endpoint: an HTTP upgrade to the live path is checked (path, running,
 * connection limits, `?after`, identity) and either handed to the websocket server or refused
 * with an HTTP problem answer written on the raw socket.
 */
import { STATUS_CODES, type IncomingMessage, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { WebSocket, WebSocketServer } from 'ws';
import type { Logger } from '../../platform/logger.js';
import type { LiveIdentity } from './changeFrames.js';
import type { ConnectionGuard } from './connectionGuard.js';
import { identityKeyOf, type LiveClients } from './liveClients.js';
import { isRefusal, type LiveRefusal } from './liveIdentity.js';
import type { LiveLimits } from './liveLimits.js';
import { MAX_LIVE_POSITION, parseLivePosition } from './liveProtocol.js';

export interface UpgradeGateOptions {
  path: string;
  limits: LiveLimits;
  logger: Logger;
  wss: WebSocketServer;
  clients: LiveClients;
  guard: ConnectionGuard;
  /** The servers the hub is attached to (another handler on one of them may own other paths). */
  servers: ReadonlySet<Server>;
  state(): 'starting' | 'running' | 'stopping';
  accept(ws: WebSocket, req: IncomingMessage, identity: LiveIdentity, identityKey: string, after?: bigint): void;
}

const noop = () => undefined;

export class UpgradeGate {
  /** Upgrades whose identity is being resolved (they count against the connection limit). */
  private pending = 0;
  /** Refused upgrades, by HTTP status. */
  readonly refused: Record<string, number> = {};

  constructor(private readonly options: UpgradeGateOptions) {}

  readonly onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    const { limits } = this.options;
    socket.on('error', noop);
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://localhost');
    } catch {
      return this.refuse(socket, { refused: 400, reason: 'malformed request target', code: 'invalid_input' });
    }
    if (url.pathname !== this.options.path) {
      // another upgrade handler on the same server (a dev server's HMR…) may own other paths
      if ([...this.options.servers].some((s) => s.listenerCount('upgrade') > 1)) return;
      return this.refuse(socket, { refused: 404, reason: 'no websocket endpoint here', code: 'not_found' });
    }
    if (this.options.state() !== 'running') {
      return this.refuse(socket, { refused: 503, reason: 'the live push is not running', code: 'unavailable' });
    }
    if (this.options.clients.size + this.pending >= limits.maxConnections) {
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
    this.options.guard
      .resolveUpgrade(req)
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
          if (this.options.clients.connectionsOf(key) >= limits.maxConnectionsPerIdentity) {
            return this.refuse(socket, {
              refused: 429,
              reason: 'too many live connections for this account or link',
              code: 'rate_limited',
              headers: { 'Retry-After': '5' },
            });
          }
          if (this.options.state() === 'stopping') {
            return this.refuse(socket, { refused: 503, reason: 'the live push is stopping', code: 'unavailable' });
          }
          if (socket.destroyed || !socket.writable) return;
          this.options.wss.handleUpgrade(req, socket, head, (ws) => this.options.accept(ws, req, result, key, after));
        },
        (error: unknown) => {
          this.pending--;
          this.options.logger.error({ err: error }, 'live push: resolving an upgrade identity failed');
          this.refuse(socket, { refused: 503, reason: 'identity could not be checked; retry', code: 'unavailable' });
        },
      )
      .catch((error: unknown) => {
        this.options.logger.error({ err: error }, 'live push: upgrade failed');
        socket.destroy();
      });
  };

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
}
