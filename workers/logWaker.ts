import type { EventStore, Position, Subscription } from '../eventstore/port.js';

/**
 * Wakes waiters when the log grows, whatever the store: it follows the log from its head with
 * a live subscription (LISTEN/NOTIFY-driven on Postgres) and bumps a counter per event.
 */
export class LogWaker {
  private subscription: Subscription | undefined;
  private readonly waiters = new Set<() => void>();
  private generation = 0;
  private stopped = false;

  constructor(
    private readonly eventStore: EventStore,
    /** Pause before following the log again after the store went away. */
    private readonly retryMs = 1000,
  ) {}

  async start(): Promise<void> {
    this.stopped = false;
    const head = await this.eventStore.headPosition().catch(() => undefined);
    void this.follow(head);
  }

  /**
   * Follows the log from `after` (its head); when the store goes away (a database restart), the
   * waiters fall back to their timeouts, and the waker follows the log again from its new head
   * once the store answers, waking everyone once for what it may have missed.
   */
  private async follow(after: Position | undefined): Promise<void> {
    let from = after;
    while (!this.stopped) {
      if (!from) {
        from = await this.eventStore.headPosition().catch(() => undefined);
        if (!from) {
          await new Promise((r) => setTimeout(r, this.retryMs).unref());
          continue;
        }
        this.wake();
      }
      const subscription = this.eventStore.subscribeToAll({ after: from });
      this.subscription = subscription;
      try {
        for await (const _ of subscription) this.wake();
      } catch {
        // the store went away: follow again from its head when it is back
      }
      from = undefined;
      if (!this.stopped) await new Promise((r) => setTimeout(r, this.retryMs).unref());
    }
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

  /** Releases every waiter now (a worker sharing this waker is stopping). */
  wakeAll(): void {
    for (const waiter of [...this.waiters]) waiter();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.subscription?.close();
    this.wakeAll();
  }
}
