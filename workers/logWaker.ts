import { START, type EventStore, type Subscription } from '../eventstore/port.js';

/**
 * Wakes waiters when the log grows, whatever the store: it follows the log from its head with
 * a live subscription (LISTEN/NOTIFY-driven on Postgres) and bumps a counter per event.
 */
export class LogWaker {
  private subscription: Subscription | undefined;
  private readonly waiters = new Set<() => void>();
  private generation = 0;

  constructor(private readonly eventStore: EventStore) {}

  async start(): Promise<void> {
    const head = await this.eventStore.headPosition().catch(() => START);
    const subscription = this.eventStore.subscribeToAll({ after: head });
    this.subscription = subscription;
    void (async () => {
      try {
        for await (const _ of subscription) this.wake();
      } catch {
        // the store went away: waiters fall back to their timeouts
      }
    })();
  }

  private wake(): void {
    this.generation++;
    for (const waiter of [...this.waiters]) waiter();
  }

  /**
   * A mark to wait from: take it before reading the log, and an append that lands between the
   * read and the wait still wakes the waiter at once (instead of after the timeout).
   */
  mark(): number {
    return this.generation;
  }

  /** Resolves on the first append after `since` (default: now), or after `timeoutMs`. */
  wait(timeoutMs: number, since = this.generation): Promise<void> {
    const seen = since;
    return new Promise((resolve) => {
      if (this.generation !== seen) return resolve();
      const done = () => {
        clearTimeout(timer);
        this.waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      timer.unref();
      this.waiters.add(done);
    });
  }

  async stop(): Promise<void> {
    await this.subscription?.close();
    for (const waiter of [...this.waiters]) waiter();
  }
}
