/** The client, its options, and one call to it within the deadline with the port's errors. */
import type {
  AllStreamResolvedEvent,
  AppendResult as KdbAppendResult,
  AppendToStreamOptions,
  EventData,
  GetStreamMetadataResult,
  ReadAllOptions as KdbReadAllOptions,
  ReadStreamOptions as KdbReadStreamOptions,
  ResolvedEvent,
  SubscribeToAllOptions,
} from '@kurrent/kurrentdb-client';
import type { EventStoreUnavailableError } from '../port.js';
import { toStoreError, unavailable } from './kurrentdbErrors.js';

export const DEFAULT_DEADLINE_MS = 10_000;

export interface KurrentDbEventStoreOptions {
  /** Every call (append, read, metadata, head, subscription confirmation) answers within this. */
  deadlineMs?: number;
  /** The server's `MaxAppendSize` in bytes, counted as the server counts (see above). */
  maxAppendSize?: number;
  /** How many of a stream's newest events an append looks through for its ids. */
  idempotencyWindow?: number;
  /** What EventStoreUnavailableError tells the caller to wait before a retry. */
  retryAfterSeconds?: number;
}

/** What a subscription of the client offers that the adapter uses. */
export interface KurrentDbSubscriptionSource extends AsyncIterable<AllStreamResolvedEvent> {
  unsubscribe(): Promise<void>;
  destroy(error?: Error): unknown;
  once(event: 'confirmation', listener: () => void): unknown;
}

/** The part of `KurrentDBClient` the adapter uses. */
export interface KurrentDbClientLike {
  appendToStream(streamName: string, events: EventData[], options?: AppendToStreamOptions): Promise<KdbAppendResult>;
  readStream(streamName: string, options?: KdbReadStreamOptions): AsyncIterable<ResolvedEvent>;
  readAll(options?: KdbReadAllOptions): AsyncIterable<AllStreamResolvedEvent>;
  subscribeToAll(options?: SubscribeToAllOptions): KurrentDbSubscriptionSource;
  getStreamMetadata(streamName: string): Promise<GetStreamMetadataResult>;
  dispose(): Promise<void>;
}

/** The client with the deadline and the retry hint every call of the adapter shares. */
export class KurrentDbConnection {
  closed = false;

  constructor(
    readonly client: KurrentDbClientLike,
    readonly deadlineMs: number,
    private readonly retryAfterSeconds: number,
  ) {}

  unavailable(reason: string, cause?: unknown): EventStoreUnavailableError {
    return unavailable(reason, this.retryAfterSeconds, cause);
  }

  /** The port's error for whatever the client threw; errors it has no name for pass through. */
  toStoreError(error: unknown, streamName?: string): unknown {
    return toStoreError(error, this.retryAfterSeconds, streamName);
  }

  /** Runs one call of the client within the deadline; its errors become the port's. */
  async call<T>(what: string, run: () => Promise<T>, streamName?: string): Promise<T> {
    if (this.closed) throw new Error('the KurrentDB event store is closed');
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(this.unavailable(`${what} did not answer within ${this.deadlineMs} ms`)),
        this.deadlineMs,
      );
    });
    try {
      return await Promise.race([run(), deadline]);
    } catch (error) {
      throw this.toStoreError(error, streamName);
    } finally {
      clearTimeout(timer);
    }
  }
}
