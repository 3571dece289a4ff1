/**
 * What live clients send (viewing, typing, left, ping): rate-limited per connection, parsed,
 * and answered or handed to presence.
 */
import type { RawData } from 'ws';
import type { Logger } from '../../platform/logger.js';
import type { LiveClient, LiveClients } from './liveClients.js';
import type { LiveLimits } from './liveLimits.js';
import { clientMessage, CloseCodes, type ClientMessage } from './liveProtocol.js';
import type { PresenceRelay } from './presenceRelay.js';

export class ClientMessages {
  constructor(
    private readonly clients: LiveClients,
    private readonly presence: PresenceRelay,
    private readonly limits: LiveLimits,
    private readonly logger: Logger,
  ) {}

  onMessage(client: LiveClient, data: RawData, isBinary: boolean): void {
    client.alive = true;
    if (client.closed || !this.takeToken(client)) return;
    if (isBinary) return this.clients.sendError(client, 'binary_not_accepted', 'send JSON text frames');
    let parsed: unknown;
    try {
      parsed = JSON.parse(rawText(data));
    } catch {
      return this.clients.sendError(client, 'bad_json', 'a frame must be one JSON object');
    }
    const result = clientMessage.safeParse(parsed);
    if (!result.success) {
      return this.clients.sendError(
        client,
        'bad_message',
        'not a message this server understands (viewing, typing, left, ping)',
        result.error.issues.map((i) => ({ path: i.path.join('.') || '(root)', message: i.message })),
      );
    }
    this.handle(client, result.data).catch((error: unknown) => {
      this.logger.warn({ err: error, client: client.id }, 'live push: a client message failed');
      this.clients.sendError(client, 'internal', 'the message could not be handled');
    });
  }

  /** The first message dropped is answered; a client that goes on far past its rate is closed. */
  private takeToken(client: LiveClient): boolean {
    if (client.messages.take()) return true;
    const dropped = client.messages.droppedInARow;
    if (dropped === 1) this.clients.sendError(client, 'rate_limited', 'too many messages; slow down');
    if (dropped > this.limits.messagesPerWindow * 2) {
      this.clients.disconnect(client, CloseCodes.tooManyMessages, 'too many messages');
    }
    return false;
  }

  private async handle(client: LiveClient, message: ClientMessage): Promise<void> {
    switch (message.type) {
      case 'ping':
        this.clients.send(
          client,
          JSON.stringify({ type: 'pong', ...(message.id !== undefined ? { id: message.id } : {}) }),
        );
        return;
      case 'left':
        return this.presence.left(client, message.threadId);
      case 'viewing':
        return this.presence.markPresent(client, message.threadId, false, false);
      case 'typing':
        return this.presence.markPresent(client, message.threadId, true, message.internal === true);
    }
  }
}

function rawText(data: RawData): string {
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data).toString('utf8');
}
