/**
 * The KurrentDB adapter of the EventStore port, on `@kurrent/kurrentdb-client` 1.x.
 *
 * Positions are KurrentDB's own (commit, prepare) log positions; expected revisions map to the
 * client's `streamState`; re-appends of the same event ids are de-duplicated by the server.
 * See README.md next to this file for the mapping and the known differences from Postgres.
 */
import {
  ANY,
  BACKWARDS,
  END,
  FORWARDS,
  KurrentDBClient,
  NO_STREAM,
  START as KDB_START,
  STREAM_EXISTS,
  StreamNotFoundError,
  WrongExpectedVersionError as KdbWrongExpectedVersionError,
  eventTypeFilter,
  excludeSystemEvents,
  jsonEvent,
  streamNameFilter,
  type AllStreamSubscription,
  type AppendResult as KdbAppendResult,
  type AppendStreamState,
  type CurrentStreamState,
  type Filter,
  type Position as KdbPosition,
  type ReadPosition,
  type ReadRevision,
} from '@kurrent/kurrentdb-client';
import {
  comparePositions,
  EventStoreValidationError,
  formatPosition,
  matchesFilter,
  START,
  WrongExpectedVersionError,
  type AppendResult,
  type EventMetadata,
  type EventStore,
  type EventStoreHealth,
  type EventToAppend,
  type ExpectedRevision,
  type JsonObject,
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
/** How many events headPosition() looks back through when the newest ones are system events. */
const HEAD_LOOKBACK = 100;
const HEALTH_TIMEOUT_MS = 5000;

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
    metadata: toJsonObject(record.metadata) as EventMetadata,
    createdAt: record.created,
  };
}

/** KurrentDB's own events: `$`-prefixed types (`$metadata`, `$>` links, `$statsCollected`...) or streams. */
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

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export class KurrentDbEventStore implements EventStore {
  readonly adapter = 'kurrentdb' as const;
  private readonly subscriptions = new Set<KurrentDbSubscription>();
  private closed = false;

  constructor(private readonly client: KurrentDBClient) {}

  /** e.g. `kurrentdb://localhost:2113?tls=false`. The client connects lazily, on the first call. */
  static connect(connectionString: string): KurrentDbEventStore {
    return new KurrentDbEventStore(KurrentDBClient.connectionString(connectionString));
  }

  async append(
    streamName: string,
    events: EventToAppend[],
    options: { expected?: ExpectedRevision } = {},
  ): Promise<AppendResult> {
    const expected = options.expected ?? 'any';
    validateAppend(streamName, events, expected);
    const proposed = events.map((event) =>
      jsonEvent({ id: event.id, type: event.type, data: event.data, metadata: event.metadata ?? {} }),
    );
    let result: KdbAppendResult;
    try {
      result = await this.client.appendToStream(streamName, proposed, { streamState: toStreamState(expected) });
    } catch (error) {
      if (error instanceof KdbWrongExpectedVersionError) {
        throw new WrongExpectedVersionError(streamName, expected, toActual(error.actualState));
      }
      throw error;
    }
    if (!result.success) {
      // Only with `throwOnAppendFailure=false` in the connection string; the revision it reports
      // is not reliable on the batch-append path, so ask the stream itself.
      throw new WrongExpectedVersionError(streamName, expected, await this.currentRevision(streamName));
    }
    const nextRevision = Number(result.nextExpectedRevision);
    if (result.position) {
      return { nextRevision, position: toPosition(result.position), duplicate: false };
    }
    // Servers answer "no position" for an idempotent re-append (older ones always did; current ones
    // usually return the original commit position instead, so `duplicate` is then false).
    const last = await this.readStream(streamName, { fromRevision: nextRevision, limit: 1 });
    return { nextRevision, position: last[0]?.position ?? START, duplicate: true };
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
    const events: RecordedEvent[] = [];
    try {
      const reads = this.client.readStream(streamName, {
        direction: direction === 'forwards' ? FORWARDS : BACKWARDS,
        fromRevision,
        ...(options.limit !== undefined ? { maxCount: options.limit } : {}),
      });
      for await (const resolved of reads) {
        if (resolved.event) events.push(toRecordedEvent(resolved.event, resolved.commitPosition));
      }
    } catch (error) {
      if (error instanceof StreamNotFoundError) return [];
      throw error;
    }
    return events;
  }

  async readAll(options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    validateLimit(options.limit);
    const limit = options.limit ?? DEFAULT_READ_ALL_LIMIT;
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
      (closed) => this.subscriptions.delete(closed),
    );
    this.subscriptions.add(subscription);
    return subscription;
  }

  async headPosition(): Promise<Position> {
    // The server filter skips `$` event types; look a little further for `$` streams with other types.
    for (const maxCount of [1, HEAD_LOOKBACK]) {
      let answered = 0;
      for await (const resolved of this.client.readAll({
        direction: BACKWARDS,
        fromPosition: END,
        maxCount,
        filter: excludeSystemEvents(),
      })) {
        answered++;
        if (!resolved.event) continue;
        const event = toRecordedEvent(resolved.event, resolved.commitPosition);
        if (!isSystemEvent(event)) return event.position;
      }
      if (answered < maxCount) break;
    }
    return START;
  }

  async health(): Promise<EventStoreHealth> {
    if (this.closed) return { ok: false, adapter: this.adapter, detail: 'closed' };
    try {
      const head = await withTimeout(this.headPosition(), HEALTH_TIMEOUT_MS, 'KurrentDB');
      return { ok: true, adapter: this.adapter, head: formatPosition(head) };
    } catch (error) {
      return { ok: false, adapter: this.adapter, detail: error instanceof Error ? error.message : String(error) };
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.allSettled([...this.subscriptions].map((subscription) => subscription.close()));
    await this.client.dispose();
  }

  /** The stream's last revision, or 'no_stream'. */
  private async currentRevision(streamName: string): Promise<number | 'no_stream'> {
    const last = await this.readStream(streamName, { direction: 'backwards', fromRevision: 'end', limit: 1 });
    return last[0]?.revision ?? 'no_stream';
  }
}

/**
 * Catch-up then live, over the client's $all subscription. `position` moves with every event that
 * reaches the client (delivered, or dropped by the client-side filter); events the server-side
 * filter skips do not move it.
 */
class KurrentDbSubscription implements Subscription {
  private current: Position;
  private source: AllStreamSubscription | undefined;
  private started = false;
  private closed = false;

  constructor(
    private readonly open: () => AllStreamSubscription,
    after: Position,
    private readonly filter: SubscriptionFilter | undefined,
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
    const source = this.open();
    this.source = source;
    try {
      for await (const resolved of source) {
        if (this.closed) return;
        if (!resolved.event) continue;
        const event = toRecordedEvent(resolved.event, resolved.commitPosition);
        if (comparePositions(event.position, this.current) <= 0) continue;
        this.current = event.position;
        if (isSystemEvent(event) || !matchesFilter(event, this.filter)) continue;
        yield event;
      }
    } catch (error) {
      if (!this.closed) throw error; // closing destroys the stream, which ends it with an error
    } finally {
      await this.close();
    }
  }
}
