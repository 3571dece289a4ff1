/** Subscriptions to `$all`: the server-side filter, then catch-up and live over the client's subscription. */
import { eventTypeFilter, excludeSystemEvents, streamNameFilter, type Filter } from '@kurrent/kurrentdb-client';
import {
  comparePositions,
  EventStoreUnavailableError,
  matchesFilter,
  type Position,
  type RecordedEvent,
  type Subscription,
  type SubscriptionFilter,
} from '../port.js';
import type { KurrentDbSubscriptionSource } from './kurrentdbConnection.js';
import { isSystemEvent, toRecordedEvent } from './kurrentdbRecords.js';

/**
 * The server-side filter for a subscription. KurrentDB filters on one dimension only: stream
 * prefixes win when both are given; event types are matched as prefixes on the server and
 * exactly on the client (matchesFilter).
 */
export function toServerFilter(filter: SubscriptionFilter | undefined): Filter {
  if (filter?.streamPrefixes?.length) return streamNameFilter({ prefixes: [...filter.streamPrefixes] });
  if (filter?.eventTypes?.length) return eventTypeFilter({ prefixes: [...filter.eventTypes] });
  return excludeSystemEvents();
}

/**
 * Catch-up then live, over the client's $all subscription. `position` moves with every event that
 * reaches the client (delivered, or dropped by the client-side filter); events the server-side
 * filter skips do not move it. A server that does not confirm the subscription within the deadline,
 * or a connection lost later, ends the iteration with EventStoreUnavailableError.
 */
export class KurrentDbSubscription implements Subscription {
  private current: Position;
  private source: KurrentDbSubscriptionSource | undefined;
  private started = false;
  private closed = false;

  constructor(
    private readonly open: () => KurrentDbSubscriptionSource,
    after: Position,
    private readonly filter: SubscriptionFilter | undefined,
    private readonly confirmWithinMs: number,
    private readonly toStoreError: (error: unknown) => unknown,
    private readonly onClose: (subscription: KurrentDbSubscription) => void,
  ) {
    this.current = after;
  }

  get position(): Position {
    return this.current;
  }

  [Symbol.asyncIterator](): AsyncIterator<RecordedEvent> {
    if (this.started) throw new Error('a subscription can be iterated only once');
    this.started = true;
    return this.iterate();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.onClose(this);
    const source = this.source;
    if (!source) return;
    try {
      await source.unsubscribe(); // cancels the gRPC call
    } catch {
      // the call may never have started (connection failure): nothing to cancel
    }
    source.destroy(); // a cancelled call does not end the piped stream: end our iteration
  }

  private async *iterate(): AsyncGenerator<RecordedEvent, void, undefined> {
    if (this.closed) return;
    let source: KurrentDbSubscriptionSource;
    try {
      source = this.open();
    } catch (error) {
      throw this.toStoreError(error);
    }
    this.source = source;
    let confirmed = false;
    const unconfirmed = setTimeout(() => {
      if (!confirmed && !this.closed) {
        source.destroy(
          new EventStoreUnavailableError('kurrentdb', `no subscription confirmation within ${this.confirmWithinMs} ms`),
        );
      }
    }, this.confirmWithinMs);
    source.once('confirmation', () => {
      confirmed = true;
      clearTimeout(unconfirmed);
    });
    try {
      for await (const resolved of source) {
        confirmed = true;
        clearTimeout(unconfirmed);
        if (this.closed) return;
        if (!resolved.event) continue;
        const event = toRecordedEvent(resolved.event, resolved.commitPosition);
        if (comparePositions(event.position, this.current) <= 0) continue;
        this.current = event.position;
        if (isSystemEvent(event) || !matchesFilter(event, this.filter)) continue;
        yield event;
      }
    } catch (error) {
      if (!this.closed) throw this.toStoreError(error); // closing destroys the stream, which ends it with an error
    } finally {
      clearTimeout(unconfirmed);
      await this.close();
    }
  }
}
