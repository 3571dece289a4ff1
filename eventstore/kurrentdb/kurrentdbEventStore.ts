/**
 * The KurrentDB adapter of the EventStore port, on `@kurrent/kurrentdb-client` 1.x.
 *
 * It answers as the Postgres adapter does where KurrentDB on its own would not: re-appends of the
 * same event ids (in every expected-revision mode), deleted and truncated streams, appends above
 * the server's size limit, an unreachable server. See README.md next to this file for what the
 * server does in each case, what the adapter adds and what it cannot guarantee.
 *
 * This file wires the jobs together: the connection (kurrentdbConnection.ts, errors in
 * kurrentdbErrors.ts), appends (kurrentdbAppends.ts), reads (kurrentdbReads.ts) and
 * subscriptions (kurrentdbSubscription.ts), over the mappings of records, positions and metadata.
 */
import { KurrentDBClient } from '@kurrent/kurrentdb-client';
import {
  formatPosition,
  START,
  type AppendResult,
  type EventStore,
  type EventStoreHealth,
  type EventToAppend,
  type ExpectedRevision,
  type Position,
  type ReadAllOptions,
  type ReadStreamOptions,
  type RecordedEvent,
  type SubscribeOptions,
  type Subscription,
} from '../port.js';
import { DEFAULT_IDEMPOTENCY_WINDOW, KURRENTDB_DEFAULT_MAX_APPEND_SIZE, KurrentDbAppends } from './kurrentdbAppends.js';
import {
  DEFAULT_DEADLINE_MS,
  KurrentDbConnection,
  type KurrentDbClientLike,
  type KurrentDbEventStoreOptions,
} from './kurrentdbConnection.js';
import { errorText } from './kurrentdbErrors.js';
import { toReadPosition } from './kurrentdbPositions.js';
import { KurrentDbReads } from './kurrentdbReads.js';
import { KurrentDbSubscription, toServerFilter } from './kurrentdbSubscription.js';

export { DEFAULT_IDEMPOTENCY_WINDOW, KURRENTDB_DEFAULT_MAX_APPEND_SIZE } from './kurrentdbAppends.js';
export {
  DEFAULT_DEADLINE_MS,
  type KurrentDbClientLike,
  type KurrentDbEventStoreOptions,
  type KurrentDbSubscriptionSource,
} from './kurrentdbConnection.js';

const HEALTH_TIMEOUT_MS = 5000;

export class KurrentDbEventStore implements EventStore {
  readonly adapter = 'kurrentdb' as const;
  private readonly subscriptions = new Set<KurrentDbSubscription>();
  private readonly connection: KurrentDbConnection;
  private readonly reads: KurrentDbReads;
  private readonly appends: KurrentDbAppends;

  constructor(client: KurrentDbClientLike, options: KurrentDbEventStoreOptions = {}) {
    this.connection = new KurrentDbConnection(
      client,
      options.deadlineMs ?? DEFAULT_DEADLINE_MS,
      options.retryAfterSeconds ?? 5,
    );
    this.reads = new KurrentDbReads(this.connection);
    this.appends = new KurrentDbAppends(
      this.connection,
      this.reads,
      options.maxAppendSize ?? KURRENTDB_DEFAULT_MAX_APPEND_SIZE,
      Math.max(1, options.idempotencyWindow ?? DEFAULT_IDEMPOTENCY_WINDOW),
    );
  }

  /** e.g. `kurrentdb://localhost:2113?tls=false`. The client connects lazily, on the first call. */
  static connect(connectionString: string, options: KurrentDbEventStoreOptions = {}): KurrentDbEventStore {
    return new KurrentDbEventStore(KurrentDBClient.connectionString(connectionString), options);
  }

  append(
    streamName: string,
    events: EventToAppend[],
    options: { expected?: ExpectedRevision } = {},
  ): Promise<AppendResult> {
    return this.appends.append(streamName, events, options);
  }

  readStream(streamName: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    return this.reads.readStream(streamName, options);
  }

  readAll(options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    return this.reads.readAll(options);
  }

  subscribeToAll(options: SubscribeOptions = {}): Subscription {
    if (this.connection.closed) throw new Error('the KurrentDB event store is closed');
    const after = options.after ?? START;
    const filter = options.filter;
    const subscription = new KurrentDbSubscription(
      // Subscriptions from a position are exclusive of it on the server; the client guards too.
      () =>
        this.connection.client.subscribeToAll({ fromPosition: toReadPosition(after), filter: toServerFilter(filter) }),
      after,
      filter,
      this.connection.deadlineMs,
      (error) => this.connection.toStoreError(error),
      (closed) => this.subscriptions.delete(closed),
    );
    this.subscriptions.add(subscription);
    return subscription;
  }

  /** The newest event that is not KurrentDB's own, however many system events came after it. */
  headPosition(): Promise<Position> {
    return this.reads.headPosition();
  }

  async health(): Promise<EventStoreHealth> {
    if (this.connection.closed) return { ok: false, adapter: this.adapter, detail: 'closed' };
    let timer: NodeJS.Timeout | undefined;
    const ms = Math.min(this.connection.deadlineMs, HEALTH_TIMEOUT_MS);
    try {
      const head = await Promise.race([
        this.headPosition(),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(this.connection.unavailable(`KurrentDB did not answer within ${ms} ms`)), ms);
        }),
      ]);
      return { ok: true, adapter: this.adapter, head: formatPosition(head) };
    } catch (error) {
      return { ok: false, adapter: this.adapter, detail: errorText(error) };
    } finally {
      clearTimeout(timer);
    }
  }

  async close(): Promise<void> {
    if (this.connection.closed) return;
    this.connection.closed = true;
    await Promise.allSettled([...this.subscriptions].map((subscription) => subscription.close()));
    await this.connection.client.dispose();
  }
}
