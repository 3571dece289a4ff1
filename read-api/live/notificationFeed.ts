import pg from 'pg';
import type { Logger } from '../../platform/logger.js';
import { backoffDelay } from '../../platform/backoff.js';

export interface NotificationFeedOptions {
  connectionString: string;
  channels: readonly string[];
  applicationName: string;
  logger: Logger;
  onNotification(channel: string, payload: string): void;
  /** Called after every (re)connection, once LISTEN is in place: catch up from the log from here. */
  onConnected(reconnected: boolean): void;
  /** How often the connection is probed (a half-open TCP connection otherwise goes unnoticed). */
  probeMs?: number;
}

/**
 * One dedicated connection that LISTENs (a pooled one would lose its LISTEN when returned).
 * When it drops, it reconnects with backoff and says so; the hub then reads the change log
 * from its last id, so nothing committed while it was away is missed.
 */
export class NotificationFeed {
  private client: pg.Client | undefined;
  private closed = false;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private probeTimer: NodeJS.Timeout | undefined;
  private attempts = 0;
  private everConnected = false;

  constructor(private readonly options: NotificationFeedOptions) {}

  get connected(): boolean {
    return this.client !== undefined;
  }

  /** The first connection: throws when it fails (fail fast at start). */
  async start(): Promise<void> {
    await this.connect();
    const probeMs = this.options.probeMs ?? 15_000;
    this.probeTimer = setInterval(() => void this.probe(), probeMs);
    this.probeTimer.unref();
  }

  private async connect(): Promise<void> {
    const client = new pg.Client({
      connectionString: this.options.connectionString,
      application_name: this.options.applicationName,
      keepAlive: true,
    });
    client.on('notification', (message) => {
      if (this.client === client) this.options.onNotification(message.channel, message.payload ?? '');
    });
    client.on('error', (error) => this.lost(client, error));
    client.on('end', () => this.lost(client, new Error('connection ended')));
    try {
      await client.connect();
      for (const channel of this.options.channels) await client.query(`LISTEN ${channel}`);
    } catch (error) {
      client.removeAllListeners('end');
      await client.end().catch(() => undefined);
      throw error;
    }
    if (this.closed) {
      await client.end().catch(() => undefined);
      return;
    }
    this.client = client;
    this.attempts = 0;
    const reconnected = this.everConnected;
    this.everConnected = true;
    this.options.onConnected(reconnected);
  }

  private lost(client: pg.Client, error: Error): void {
    // only an established connection is lost here; a failing attempt rejects in connect()
    if (this.client !== client) return;
    this.client = undefined;
    client.removeAllListeners('notification');
    if (this.closed) return;
    this.options.logger.warn({ err: error.message }, 'live push: notification connection lost; reconnecting');
    void client.end().catch(() => undefined);
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (this.closed || this.reconnectTimer) return;
    const delay = backoffDelay(this.attempts, { baseMs: 100, capMs: 5000 });
    this.attempts++;
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      this.connect().catch((error: unknown) => {
        this.options.logger.warn({ err: (error as Error).message }, 'live push: reconnect failed');
        this.scheduleReconnect();
      });
    }, delay);
    this.reconnectTimer.unref();
  }

  private async probe(): Promise<void> {
    const client = this.client;
    if (!client) return;
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        client.query('SELECT 1'),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error('probe timed out')), 5000);
        }),
      ]);
    } catch (error) {
      this.lost(client, error as Error);
    } finally {
      clearTimeout(timer);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.reconnectTimer);
    clearInterval(this.probeTimer);
    const client = this.client;
    this.client = undefined;
    if (client) {
      client.removeAllListeners('notification');
      await client.end().catch(() => undefined);
    }
  }
}
