import pg from 'pg';

const ANNOUNCE_INTERVAL_MS = 5;

/**
 * One LISTEN connection shared by every live subscription of a store. A notification (or a
 * reconnect, after which some may have been missed) bumps `generation` and wakes the waiters;
 * subscriptions still poll, so a lost connection only slows them down.
 */
export class LogNotifier {
  generation = 0;
  private readonly waiters = new Set<() => void>();
  private users = 0;
  private client: pg.Client | undefined;
  private connecting: Promise<void> | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private closed = false;
  private announcing = false;
  private announceAgain = false;

  constructor(
    private readonly connectionString: string,
    private readonly channel: string,
  ) {}

  /** Counts a user; the connection lives while anyone uses it. Returns the release. */
  register(): () => void {
    this.users++;
    if (!this.client && !this.connecting) this.connect();
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.users--;
      if (this.users === 0) void this.disconnect();
    };
  }

  /**
   * Tells every process that the log grew: wakes this process's subscriptions now and sends one
   * NOTIFY, coalescing the appends that happen while a NOTIFY is in flight into the next one.
   */
  announce(pool: pg.Pool): void {
    this.wake();
    if (this.announcing) {
      this.announceAgain = true;
      return;
    }
    this.announcing = true;
    pool
      // a hint, not data: its commit need not wait for the disk
      .query(`SELECT set_config('synchronous_commit', 'off', true), pg_notify('${this.channel}', '')`)
      .catch(() => undefined) // polling covers a lost notification
      // at most one NOTIFY per interval: other processes wake a few ms later, writers keep their disk
      .then(() => new Promise((resolve) => setTimeout(resolve, ANNOUNCE_INTERVAL_MS).unref()))
      .finally(() => {
        this.announcing = false;
        if (this.announceAgain && !this.closed) {
          this.announceAgain = false;
          this.announce(pool);
        }
      });
  }

  onWake(callback: () => void): () => void {
    this.waiters.add(callback);
    return () => this.waiters.delete(callback);
  }

  private wake(): void {
    this.generation++;
    for (const waiter of [...this.waiters]) waiter();
  }

  private connect(): void {
    if (this.closed) return;
    const client = new pg.Client({ connectionString: this.connectionString, application_name: 'event-log-listener' });
    client.on('notification', () => this.wake());
    client.on('error', () => {
      if (this.client === client) this.client = undefined;
      void client.end().catch(() => undefined);
      this.scheduleReconnect();
    });
    this.connecting = client
      .connect()
      .then(() => client.query(`LISTEN ${this.channel}`))
      .then(() => {
        this.client = client;
        if (this.users === 0 || this.closed) void this.disconnect();
        this.wake(); // anything committed while we were not listening
      })
      .catch(() => {
        void client.end().catch(() => undefined);
        this.scheduleReconnect();
      })
      .finally(() => {
        this.connecting = undefined;
      });
  }

  private scheduleReconnect(): void {
    if (this.closed || this.users === 0 || this.retryTimer) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      if (!this.client && !this.connecting) this.connect();
    }, 1000);
    this.retryTimer.unref();
  }

  private async disconnect(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    if (client) await client.end().catch(() => undefined);
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    await this.connecting;
    await this.disconnect();
    for (const waiter of [...this.waiters]) waiter();
  }
}
