/**
 * The KurrentDB adapter of the EventStore port, on `@kurrent/kurrentdb-client` 1.x.
 *
 * It answers as the Postgres adapter does where KurrentDB on its own would not: re-appends of the
 * same event ids (in every expected-revision mode), deleted and truncated streams, appends above
 * the server's size limit, an unreachable server. See README.md next to this file for what the
 * server does in each case, what the adapter adds and what it cannot guarantee.
 */
import {
  ANY,
  BACKWARDS,
  CancelledError,
  DeadlineExceededError,
  END,
  FORWARDS,
  KurrentDBClient,
  MaxAppendSizeExceededError,
  NO_STREAM,
  NotLeaderError,
  START as KDB_START,
  STREAM_EXISTS,
  StreamDeletedError as KdbStreamDeletedError,
  StreamNotFoundError,
  StreamTombstonedError,
  TimeoutError,
  UnavailableError,
  WrongExpectedVersionError as KdbWrongExpectedVersionError,
  AppendRecordSizeExceededError,
  eventTypeFilter,
  excludeSystemEvents,
  jsonEvent,
  streamNameFilter,
  type AllStreamResolvedEvent,
  type AppendResult as KdbAppendResult,
  type AppendStreamState,
  type AppendToStreamOptions,
  type CurrentStreamState,
  type EventData,
  type Filter,
  type GetStreamMetadataResult,
  type Position as KdbPosition,
  type ReadAllOptions as KdbReadAllOptions,
  type ReadPosition,
  type ReadRevision,
  type ReadStreamOptions as KdbReadStreamOptions,
  type ResolvedEvent,
  type SubscribeToAllOptions,
} from '@kurrent/kurrentdb-client';
import {
  comparePositions,
  EventStoreError,
  EventStoreUnavailableError,
  EventStoreValidationError,
  formatPosition,
  IdempotencyConflictError,
  matchesFilter,
  START,
  StreamDeletedError,
  WrongExpectedVersionError,
  type AppendResult,
  type EventMetadata,
  type EventStore,
  type EventStoreHealth,
  type EventToAppend,
  type ExpectedRevision,
  type JsonObject,
  type JsonValue,
  type Position,
  type ReadAllOptions,
  type ReadStreamOptions,
  type RecordedEvent,
  type SubscribeOptions,
  type Subscription,
  type SubscriptionFilter,
} from '../port.js';
import { validateAppend, validateLimit, validateStreamName } from '../validation.js';

/** readAll without a limit answers one page of this size, like the Postgres adapter. */
const DEFAULT_READ_ALL_LIMIT = 1000;
/** headPosition() pages backwards through `$all` this many events at a time, past system events. */
const HEAD_PAGE = 100;
const HEALTH_TIMEOUT_MS = 5000;

/**
 * `MaxAppendSize` of KurrentDB up to 25.0 (1 MiB; 25.1 raised the default to 256 MiB). The server
 * counts, per event, the data and metadata bytes plus twice the length of the type
 * (`Event.SizeOnDisk`); the adapter counts the same way before it sends anything.
 */
export const KURRENTDB_DEFAULT_MAX_APPEND_SIZE = 1024 * 1024;
/** How many of a stream's newest events an append looks through for its own ids (see README). */
export const DEFAULT_IDEMPOTENCY_WINDOW = 64;
export const DEFAULT_DEADLINE_MS = 10_000;

/** KurrentDB's names for the two metadata fields its own projections follow. */
const toServerKey: Record<string, string> = { correlationId: '$correlationId', causationId: '$causationId' };
const fromServerKey: Record<string, string> = { $correlationId: 'correlationId', $causationId: 'causationId' };

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

/** The fields of the client's recorded events (stream, $all and subscription reads) that we use. */
interface KdbRecord {
  streamId: string;
  id: string;
  revision: bigint;
  type: string;
  created: Date;
  data: unknown;
  metadata: unknown;
  position?: KdbPosition | undefined;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value) || value instanceof Uint8Array) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

/** JSON objects pass through; bytes holding a JSON object are parsed; anything else becomes {}. */
function toJsonObject(value: unknown): JsonObject {
  if (value instanceof Uint8Array) {
    try {
      return toJsonObject(JSON.parse(Buffer.from(value).toString('utf8')) as unknown);
    } catch {
      return {};
    }
  }
  return isPlainObject(value) ? (value as JsonObject) : {};
}

/**
 * Our metadata as KurrentDB stores it: `correlationId`/`causationId` under KurrentDB's own
 * `$correlationId`/`$causationId` (which `$by_correlation_id` and `linkTo`/`emit` follow), and a
 * key of ours that starts with `$` (reserved by KurrentDB) behind one more `$`. One to one, so a
 * read gives back exactly what was written.
 */
export function toServerMetadata(metadata: EventMetadata | undefined): JsonObject {
  const stored: JsonObject = {};
  for (const [key, value] of Object.entries(metadata ?? {})) {
    if (value === undefined) continue;
    const name = toServerKey[key] ?? (key.startsWith('$') ? `$${key}` : key);
    stored[name] = value as JsonValue;
  }
  return stored;
}

/** The inverse of toServerMetadata; events of other writers keep what has no inverse. */
export function fromServerMetadata(stored: JsonObject): EventMetadata {
  const metadata: EventMetadata = {};
  for (const [key, value] of Object.entries(stored)) {
    const plain = fromServerKey[key];
    // a plain `correlationId` beside `$correlationId` can only come from another writer: keep both
    const name = plain && !(plain in stored) ? plain : key.startsWith('$$') ? key.slice(1) : key;
    metadata[name] = value;
  }
  return metadata;
}

function toPosition(position: KdbPosition): Position {
  return { commit: BigInt(position.commit), prepare: BigInt(position.prepare) };
}

function toRecordedEvent(record: KdbRecord, commitPosition: bigint | undefined): RecordedEvent {
  // `position` is on every $all event, and on stream events from servers newer than 22.6.
  const position = record.position
    ? toPosition(record.position)
    : commitPosition !== undefined
      ? { commit: commitPosition, prepare: commitPosition }
      : START;
  return {
    id: record.id,
    streamName: record.streamId,
    revision: Number(record.revision),
    position,
    type: record.type,
    data: toJsonObject(record.data),
    metadata: fromServerMetadata(toJsonObject(record.metadata)),
    createdAt: record.created,
  };
}

/** KurrentDB's own events: `$`-prefixed types (`$metadata`, `$>` links, `$streamDeleted`...) or streams. */
function isSystemEvent(event: { streamName: string; type: string }): boolean {
  return event.streamName.startsWith('$') || event.type.startsWith('$');
}

function toStreamState(expected: ExpectedRevision): AppendStreamState {
  switch (expected) {
    case 'no_stream':
      return NO_STREAM;
    case 'exists':
      return STREAM_EXISTS;
    case 'any':
      return ANY;
    default:
      return BigInt(expected);
  }
}

function toActual(state: CurrentStreamState): number | 'no_stream' {
  return typeof state === 'bigint' && state >= 0n ? Number(state) : 'no_stream';
}

/** START (or any negative part) reads from the beginning of the log. */
function toReadPosition(after: Position): ReadPosition {
  return after.commit < 0n || after.prepare < 0n ? KDB_START : { commit: after.commit, prepare: after.prepare };
}

/**
 * The server-side filter for a subscription. KurrentDB filters on one dimension only: stream
 * prefixes win when both are given; event types are matched as prefixes on the server and
 * exactly on the client (matchesFilter).
 */
function toServerFilter(filter: SubscriptionFilter | undefined): Filter {
  if (filter?.streamPrefixes?.length) return streamNameFilter({ prefixes: [...filter.streamPrefixes] });
  if (filter?.eventTypes?.length) return eventTypeFilter({ prefixes: [...filter.eventTypes] });
  return excludeSystemEvents();
}

/** gRPC status codes that say "not now" rather than "no": unavailable, deadline exceeded, internal. */
const unavailableCodes = new Set([4, 13, 14]);

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The raw gRPC metadata entry `exception` (the server's name for an error the client may not know). */
function serverException(error: unknown): string | undefined {
  const raw = (error as { _raw?: unknown; metadata?: unknown })._raw ?? error;
  const metadata = (raw as { metadata?: { get?: (key: string) => unknown[] } } | null)?.metadata;
  const value = typeof metadata?.get === 'function' ? metadata.get('exception')?.[0] : undefined;
  return typeof value === 'string' ? value : undefined;
}

export class KurrentDbEventStore implements EventStore {
  readonly adapter = 'kurrentdb' as const;
  private readonly subscriptions = new Set<KurrentDbSubscription>();
  private readonly appending = new Map<string, { ids: Set<string>; done: Promise<unknown> }[]>();
  private readonly deadlineMs: number;
  private readonly maxAppendSize: number;
  private readonly idempotencyWindow: number;
  private readonly retryAfterSeconds: number;
  private closed = false;

  constructor(
    private readonly client: KurrentDbClientLike,
    options: KurrentDbEventStoreOptions = {},
  ) {
    this.deadlineMs = options.deadlineMs ?? DEFAULT_DEADLINE_MS;
    this.maxAppendSize = options.maxAppendSize ?? KURRENTDB_DEFAULT_MAX_APPEND_SIZE;
    this.idempotencyWindow = Math.max(1, options.idempotencyWindow ?? DEFAULT_IDEMPOTENCY_WINDOW);
    this.retryAfterSeconds = options.retryAfterSeconds ?? 5;
  }

  /** e.g. `kurrentdb://localhost:2113?tls=false`. The client connects lazily, on the first call. */
  static connect(connectionString: string, options: KurrentDbEventStoreOptions = {}): KurrentDbEventStore {
    return new KurrentDbEventStore(KurrentDBClient.connectionString(connectionString), options);
  }

  /* ---------------------------------------------------------------- errors */

  private unavailable(reason: string, cause?: unknown): EventStoreUnavailableError {
    return new EventStoreUnavailableError('kurrentdb', reason, this.retryAfterSeconds, { cause });
  }

  /** The port's error for whatever the client threw; errors it has no name for pass through. */
  private toStoreError(error: unknown, streamName?: string): unknown {
    if (error instanceof EventStoreError) return error;
    if (error instanceof KdbStreamDeletedError || error instanceof StreamTombstonedError) {
      return new StreamDeletedError(streamName ?? ('streamName' in error ? error.streamName : error.stream));
    }
    if (error instanceof MaxAppendSizeExceededError) {
      return new EventStoreValidationError([
        { path: 'events', message: `hold more than the server's MaxAppendSize of ${error.maxAppendSize} bytes` },
      ]);
    }
    if (
      error instanceof AppendRecordSizeExceededError ||
      serverException(error) === 'maximum-append-event-size-exceeded' ||
      /maximum append (event )?size/i.test(errorText(error))
    ) {
      return new EventStoreValidationError([
        { path: 'events', message: `too large for the server: ${errorText(error)}` },
      ]);
    }
    if (
      error instanceof UnavailableError ||
      error instanceof DeadlineExceededError ||
      error instanceof TimeoutError ||
      error instanceof CancelledError ||
      error instanceof NotLeaderError
    ) {
      return this.unavailable(errorText(error) || error.type, error);
    }
    const code = (error as { code?: unknown } | null)?.code;
    if (typeof code === 'number' && unavailableCodes.has(code)) return this.unavailable(errorText(error), error);
    if (/^Failed to discover after \d+ attempts/.test(errorText(error)))
      return this.unavailable(errorText(error), error);
    return error;
  }

  /** Runs one call of the client within the deadline; its errors become the port's. */
  private async call<T>(what: string, run: () => Promise<T>, streamName?: string): Promise<T> {
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

  /* ---------------------------------------------------------------- append */

  async append(
    streamName: string,
    events: EventToAppend[],
    options: { expected?: ExpectedRevision } = {},
  ): Promise<AppendResult> {
    const expected = options.expected ?? 'any';
    const json = validateAppend(streamName, events, expected);
    const metadata = events.map((event) => toServerMetadata(event.metadata));
    this.checkServerSize(events, json, metadata);
    const proposed = events.map((event, i) =>
      jsonEvent({ id: event.id, type: event.type, data: event.data, metadata: metadata[i] }),
    );
    const ids = new Set(events.map((event) => event.id.toLowerCase()));
    return this.oneAtATime(streamName, ids, () => this.appendOnce(streamName, expected, proposed, ids));
  }

  /** The server's own count (`Event.SizeOnDisk`): data + metadata bytes + 2 × the type's length. */
  private checkServerSize(events: EventToAppend[], json: { data: string }[], metadata: JsonObject[]): void {
    let bytes = 0;
    events.forEach((event, i) => {
      bytes += Buffer.byteLength(json[i]!.data, 'utf8');
      bytes += Buffer.byteLength(JSON.stringify(metadata[i]), 'utf8');
      bytes += 2 * event.type.length;
    });
    if (bytes > this.maxAppendSize) {
      throw new EventStoreValidationError([
        {
          path: 'events',
          message: `hold ${bytes} bytes as KurrentDB counts them (data, metadata, twice the type), more than its MaxAppendSize of ${this.maxAppendSize}`,
        },
      ]);
    }
  }

  /**
   * Appends of the same ids to one stream from this process run one after the other, so the
   * second sees the first in the stream and answers `duplicate: true` (the server would answer
   * both as written). Appends with other ids do not wait.
   */
  private async oneAtATime<T>(streamName: string, ids: Set<string>, run: () => Promise<T>): Promise<T> {
    for (;;) {
      const overlapping = (this.appending.get(streamName) ?? []).filter((other) =>
        [...ids].some((id) => other.ids.has(id)),
      );
      if (overlapping.length === 0) break;
      await Promise.allSettled(overlapping.map((other) => other.done));
    }
    const done = run();
    const entry = { ids, done };
    const list = this.appending.get(streamName) ?? [];
    list.push(entry);
    this.appending.set(streamName, list);
    try {
      return await done;
    } finally {
      const rest = (this.appending.get(streamName) ?? []).filter((other) => other !== entry);
      if (rest.length) this.appending.set(streamName, rest);
      else this.appending.delete(streamName);
    }
  }

  private async appendOnce(
    streamName: string,
    expected: ExpectedRevision,
    proposed: EventData[],
    ids: Set<string>,
  ): Promise<AppendResult> {
    // Is this a re-append? The server only knows in some modes (README); the stream's tail tells.
    const tail = await this.tail(streamName, proposed.length);
    const earlier = this.earlierAppend(streamName, tail, ids);
    if (earlier) return earlier;
    let result: KdbAppendResult;
    try {
      result = await this.call(
        'append',
        () =>
          this.client.appendToStream(streamName, proposed, {
            streamState: toStreamState(expected),
            deadline: this.deadlineMs,
          }),
        streamName,
      );
    } catch (error) {
      if (!(error instanceof KdbWrongExpectedVersionError)) throw error;
      return this.refused(streamName, expected, ids, toActual(error.actualState));
    }
    if (!result.success) {
      // Only with `throwOnAppendFailure=false` in the connection string; the revision it reports
      // is not reliable on the batch-append path, so the tail is read again.
      return this.refused(streamName, expected, ids, undefined);
    }
    const nextRevision = Number(result.nextExpectedRevision);
    if (!result.position) {
      // Old servers answered an idempotent write without a position.
      const read = await this.readRaw(streamName, BigInt(nextRevision), FORWARDS, 1);
      const position = read === 'not_found' ? START : (read[0]?.position ?? START);
      return { nextRevision, position, duplicate: true };
    }
    const position = toPosition(result.position);
    // The server answers a write it found already done (its own idempotency, beyond our window)
    // with the first write's position, which is not after the head we read.
    const head = tail[0]?.position;
    const duplicate = head !== undefined && comparePositions(position, head) <= 0;
    return { nextRevision, position, duplicate };
  }

  /**
   * The server refused the expected revision. A twin that won the race, or a partial re-append the
   * server found in its cache, is answered as Postgres answers it; otherwise a version error.
   */
  private async refused(
    streamName: string,
    expected: ExpectedRevision,
    ids: Set<string>,
    actual: number | 'no_stream' | undefined,
  ): Promise<AppendResult> {
    const tail = await this.tail(streamName, ids.size);
    const earlier = this.earlierAppend(streamName, tail, ids);
    if (earlier) return earlier;
    const current = actual ?? tail[0]?.revision ?? 'no_stream';
    // `any` (and `exists` on a stream that exists) fail only on a partial re-append
    // (CommitDecision.CorruptedIdempotency in the server's IndexWriter.CheckCommit).
    if (expected === 'any' || (expected === 'exists' && current !== 'no_stream')) {
      throw new IdempotencyConflictError(streamName, [...ids]);
    }
    throw new WrongExpectedVersionError(streamName, expected, current);
  }

  /** The first append's answer if every id is in the tail; a conflict if only some are. */
  private earlierAppend(streamName: string, tail: RecordedEvent[], ids: Set<string>): AppendResult | undefined {
    const found = tail.filter((event) => ids.has(event.id.toLowerCase()));
    if (found.length === 0) return undefined;
    if (found.length < ids.size) throw new IdempotencyConflictError(streamName, [...ids]);
    const last = found.reduce((a, b) => (b.revision > a.revision ? b : a));
    return { nextRevision: last.revision, position: last.position, duplicate: true };
  }

  /**
   * The stream's newest events, newest first: enough to hold any earlier append of `count`
   * events whose last event is among the newest `idempotencyWindow`. [] for a stream that was
   * never written; StreamDeletedError for a deleted one (which takes no more events).
   */
  private async tail(streamName: string, count: number): Promise<RecordedEvent[]> {
    const events = await this.readRaw(streamName, END, BACKWARDS, this.idempotencyWindow + count - 1);
    if (events === 'not_found') {
      if (await this.wasDeleted(streamName)) throw new StreamDeletedError(streamName);
      return [];
    }
    return events;
  }

  /* ----------------------------------------------------------------- reads */

  /** One read of a stream as the server answers it; 'not_found' when it says so. */
  private async readRaw(
    streamName: string,
    fromRevision: ReadRevision,
    direction: typeof FORWARDS | typeof BACKWARDS,
    maxCount: number | undefined,
  ): Promise<RecordedEvent[] | 'not_found'> {
    return this.call(
      'readStream',
      async () => {
        const events: RecordedEvent[] = [];
        try {
          for await (const resolved of this.client.readStream(streamName, {
            direction,
            fromRevision,
            ...(maxCount !== undefined ? { maxCount } : {}),
          })) {
            if (resolved.event) events.push(toRecordedEvent(resolved.event, resolved.commitPosition));
          }
        } catch (error) {
          if (error instanceof StreamNotFoundError) return 'not_found' as const;
          throw error;
        }
        return events;
      },
      streamName,
    );
  }

  /**
   * A stream the server reads as not found was deleted when its metadata has a `$tb`: Int64.MaxValue
   * after a soft delete, or a revision past its last event after a truncation of everything.
   */
  private async wasDeleted(streamName: string): Promise<boolean> {
    const { metadata } = await this.call(
      'getStreamMetadata',
      () => this.client.getStreamMetadata(streamName),
      streamName,
    );
    const truncateBefore = metadata?.truncateBefore;
    return typeof truncateBefore === 'number' && truncateBefore > 0;
  }

  async readStream(streamName: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    const issues = validateStreamName(streamName);
    if (issues.length) throw new EventStoreValidationError(issues);
    validateLimit(options.limit);
    const direction = options.direction ?? 'forwards';
    const from = options.fromRevision ?? (direction === 'forwards' ? 'start' : 'end');
    if (typeof from === 'number' && (!Number.isSafeInteger(from) || from < 0)) {
      throw new EventStoreValidationError([{ path: 'fromRevision', message: 'must be an integer >= 0' }]);
    }
    const fromRevision: ReadRevision = from === 'start' ? KDB_START : from === 'end' ? END : BigInt(from);
    const events = await this.readRaw(
      streamName,
      fromRevision,
      direction === 'forwards' ? FORWARDS : BACKWARDS,
      options.limit,
    );
    if (events === 'not_found') {
      if (await this.wasDeleted(streamName)) throw new StreamDeletedError(streamName);
      return [];
    }
    // The server reads a truncated stream ($tb, $maxCount, $maxAge, a soft delete followed by a
    // new append) from its first remaining event. Revisions are contiguous, so a window that does
    // not start (forwards) or end (backwards) where Postgres's would is missing deleted events.
    if (direction === 'forwards') {
      const start = from === 'start' ? 0 : from === 'end' ? Number.POSITIVE_INFINITY : from;
      if (events.length > 0 && events[0]!.revision > start) throw new StreamDeletedError(streamName);
    } else {
      const last = events[events.length - 1];
      const short = options.limit === undefined || events.length < options.limit;
      if (last ? last.revision > 0 && short : true) throw new StreamDeletedError(streamName);
    }
    return events;
  }

  async readAll(options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    validateLimit(options.limit);
    const limit = options.limit ?? DEFAULT_READ_ALL_LIMIT;
    return this.call('readAll', async () => {
      const events: RecordedEvent[] = [];
      // Reads from a position include the event at it: ask for one more, drop what is not after `seen`.
      let seen = options.after ?? START;
      let from = toReadPosition(seen);
      while (events.length < limit) {
        const want = limit - events.length + 1;
        let answered = 0;
        let progressed = false;
        const reads = this.client.readAll({
          direction: FORWARDS,
          fromPosition: from,
          maxCount: want,
          filter: excludeSystemEvents(),
        });
        for await (const resolved of reads) {
          answered++;
          if (!resolved.event) continue;
          const event = toRecordedEvent(resolved.event, resolved.commitPosition);
          if (comparePositions(event.position, seen) <= 0) continue;
          seen = event.position;
          progressed = true;
          if (isSystemEvent(event)) continue;
          events.push(event);
          if (events.length >= limit) break;
        }
        // A short page is the end of the log; a page with nothing new would loop forever.
        if (answered < want || !progressed) break;
        from = { commit: seen.commit, prepare: seen.prepare };
      }
      return events;
    });
  }

  subscribeToAll(options: SubscribeOptions = {}): Subscription {
    if (this.closed) throw new Error('the KurrentDB event store is closed');
    const after = options.after ?? START;
    const filter = options.filter;
    const subscription = new KurrentDbSubscription(
      // Subscriptions from a position are exclusive of it on the server; the client guards too.
      () => this.client.subscribeToAll({ fromPosition: toReadPosition(after), filter: toServerFilter(filter) }),
      after,
      filter,
      this.deadlineMs,
      (error) => this.toStoreError(error),
      (closed) => this.subscriptions.delete(closed),
    );
    this.subscriptions.add(subscription);
    return subscription;
  }

  /** The newest event that is not KurrentDB's own, however many system events came after it. */
  async headPosition(): Promise<Position> {
    return this.call('headPosition', async () => {
      let from: ReadPosition = END;
      let oldest: Position | undefined;
      for (;;) {
        let answered = 0;
        let progressed = false;
        // The server filter skips `$` event types; `$` streams with other types are skipped here.
        for await (const resolved of this.client.readAll({
          direction: BACKWARDS,
          fromPosition: from,
          maxCount: HEAD_PAGE,
          filter: excludeSystemEvents(),
        })) {
          answered++;
          if (!resolved.event) continue;
          const event = toRecordedEvent(resolved.event, resolved.commitPosition);
          if (oldest && comparePositions(event.position, oldest) >= 0) continue;
          oldest = event.position;
          progressed = true;
          if (!isSystemEvent(event)) return event.position;
        }
        if (answered < HEAD_PAGE || !progressed || !oldest) return START;
        from = { commit: oldest.commit, prepare: oldest.prepare };
      }
    });
  }

  async health(): Promise<EventStoreHealth> {
    if (this.closed) return { ok: false, adapter: this.adapter, detail: 'closed' };
    let timer: NodeJS.Timeout | undefined;
    const ms = Math.min(this.deadlineMs, HEALTH_TIMEOUT_MS);
    try {
      const head = await Promise.race([
        this.headPosition(),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(this.unavailable(`KurrentDB did not answer within ${ms} ms`)), ms);
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
    if (this.closed) return;
    this.closed = true;
    await Promise.allSettled([...this.subscriptions].map((subscription) => subscription.close()));
    await this.client.dispose();
  }
}

/**
 * Catch-up then live, over the client's $all subscription. `position` moves with every event that
 * reaches the client (delivered, or dropped by the client-side filter); events the server-side
 * filter skips do not move it. A server that does not confirm the subscription within the deadline,
 * or a connection lost later, ends the iteration with EventStoreUnavailableError.
 */
class KurrentDbSubscription implements Subscription {
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
