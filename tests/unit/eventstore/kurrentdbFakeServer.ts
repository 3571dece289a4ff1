import { PassThrough } from 'node:stream';
import {
  MaxAppendSizeExceededError,
  StreamDeletedError,
  StreamNotFoundError,
  WrongExpectedVersionError,
  type AllStreamResolvedEvent,
  type AppendResult,
  type AppendToStreamOptions,
  type EventData,
  type Filter,
  type GetStreamMetadataResult,
  type Position,
  type ReadAllOptions,
  type ReadStreamOptions,
  type ResolvedEvent,
  type SubscribeToAllOptions,
} from '@kurrent/kurrentdb-client';
import type {
  KurrentDbClientLike,
  KurrentDbSubscriptionSource,
} from '../../../eventstore/kurrentdb/kurrentdbEventStore.js';

/**
 * An in-memory stand-in for a KurrentDB node behind `@kurrent/kurrentdb-client`, for the tests that
 * cannot reach a real server. It models what the server's source says, not more:
 *
 * - appends decide as `IndexWriter.CheckCommit` does: `any`/`exists` find re-appended ids only in a
 *   bounded in-memory cache of committed event ids (`_committedEvents`, lost on restart:
 *   `restart()`); an exact revision below the current one compares the ids stored at the next
 *   revisions (idempotent, or a version error); an exact revision equal to the current one writes;
 *   a partial match is `CorruptedIdempotency`, answered as a wrong expected version; a hard-deleted
 *   stream refuses every append (StreamDeleted); `no_stream`, `any` or the current revision on a
 *   soft-deleted stream write after its last revision and move `$tb` there
 *   (`StorageWriterService.SoftUndeleteStream`);
 * - the size check of the gRPC append (`Event.SizeOnDisk`: data + metadata + 2 × type length,
 *   against `MaxAppendSize`);
 * - reads as `IndexReader` answers them: a soft-deleted stream (`$tb` = Int64.MaxValue) is not
 *   found, a tombstoned one is deleted, `$tb` and `$maxCount` hide the events before them;
 * - `$all` holds KurrentDB's own events too (`$metadata` in `$$stream`, `$streamDeleted`).
 *
 * It is a model for the adapter's logic; the contract suite against a real server
 * (tests/contract/kurrentdb.int.test.ts) is the proof.
 */

/** `EventNumber.DeletedStream` (Int64.MaxValue) as the client parses it from JSON metadata. */
const DELETED_STREAM = JSON.parse('9223372036854775807') as number;

interface StoredEvent {
  streamId: string;
  revision: number;
  id: string;
  type: string;
  data: unknown;
  metadata: Uint8Array;
  created: Date;
  position: Position;
}

interface StreamState {
  last: number;
  tombstoned: boolean;
  truncateBefore?: number;
  maxCount?: number;
}

type Decision =
  | { kind: 'ok'; current: number; softDeleted: boolean }
  | { kind: 'idempotent'; last: number }
  | { kind: 'wrong_expected_version'; current: number }
  | { kind: 'deleted' };

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

class FakeSubscription extends PassThrough implements KurrentDbSubscriptionSource {
  constructor(private readonly onEnd: () => void) {
    super({ objectMode: true });
    this.on('close', onEnd);
  }
  async unsubscribe(): Promise<void> {
    this.onEnd();
    this.end();
  }
}

export interface FakeKurrentDbOptions {
  /** The server's MaxAppendSize (1 MiB up to 25.0). */
  maxAppendSize?: number;
  /** How many committed event ids the server remembers (it counts 8 MiB of them). */
  cacheSize?: number;
  /** Subscriptions never confirm (a node that accepted the call and went quiet). */
  silentSubscriptions?: boolean;
}

export class FakeKurrentDb implements KurrentDbClientLike {
  private readonly log: StoredEvent[] = [];
  private readonly streams = new Map<string, StreamState>();
  private readonly committed = new Map<string, { streamId: string; revision: number }>();
  private readonly live = new Set<(event: StoredEvent) => void>();
  private nextPosition = 1_000n;
  private readonly maxAppendSize: number;
  private readonly cacheSize: number;
  private readonly silentSubscriptions: boolean;
  /** Every append request that reached the server. */
  appendCalls = 0;

  constructor(options: FakeKurrentDbOptions = {}) {
    this.maxAppendSize = options.maxAppendSize ?? 1024 * 1024;
    this.cacheSize = options.cacheSize ?? 100_000;
    this.silentSubscriptions = options.silentSubscriptions ?? false;
  }

  /* ------------------------------------------------------------- the client */

  async appendToStream(
    streamName: string,
    events: EventData[],
    options: AppendToStreamOptions = {},
  ): Promise<AppendResult> {
    await tick();
    this.appendCalls++;
    const encoded = events.map((event) => this.encode(event));
    const size = encoded.reduce((sum, e) => sum + e.dataBytes + e.metadata.length + 2 * e.type.length, 0);
    if (size > this.maxAppendSize) throw MaxAppendSizeExceededError.fromMaxAppendSize(this.maxAppendSize);
    const state = options.streamState ?? 'any';
    const ids = events.map((event) => event.id.toLowerCase());
    const decision = this.checkCommit(streamName, state, ids);
    switch (decision.kind) {
      case 'deleted':
        throw StreamDeletedError.fromStreamName(streamName);
      case 'wrong_expected_version':
        throw new WrongExpectedVersionError(undefined, {
          streamName,
          expected: state,
          current: decision.current < 0 ? 'no_stream' : BigInt(decision.current),
        });
      case 'idempotent': {
        const last = this.stored(streamName, decision.last)!;
        return { success: true, nextExpectedRevision: BigInt(decision.last), position: last.position };
      }
      case 'ok': {
        let revision = decision.current;
        let position: Position | undefined;
        for (const event of encoded) {
          revision++;
          position = this.write({ ...event, streamId: streamName, revision });
          this.remember(event.id, streamName, revision);
        }
        const stream = this.streams.get(streamName) ?? { last: -1, tombstoned: false };
        stream.last = revision;
        this.streams.set(streamName, stream);
        if (decision.softDeleted) this.setMetadata(streamName, { truncateBefore: decision.current + 1 });
        return { success: true, nextExpectedRevision: BigInt(revision), position: position! };
      }
    }
  }

  readStream(streamName: string, options: ReadStreamOptions = {}): AsyncIterable<ResolvedEvent> {
    return this.streamReads(streamName, options);
  }

  private async *streamReads(streamName: string, options: ReadStreamOptions = {}): AsyncGenerator<ResolvedEvent> {
    await tick();
    const stream = this.streams.get(streamName);
    if (stream?.tombstoned) throw StreamDeletedError.fromStreamName(streamName);
    if (!stream || stream.last < 0 || stream.truncateBefore === DELETED_STREAM) {
      throw new StreamNotFoundError(undefined, streamName);
    }
    let min = 0;
    if (stream.maxCount !== undefined) min = Math.max(min, stream.last - stream.maxCount + 1);
    if (stream.truncateBefore !== undefined) min = Math.max(min, stream.truncateBefore);
    const visible = this.log.filter((e) => e.streamId === streamName && e.revision >= min);
    const backwards = options.direction === 'backwards';
    const from = options.fromRevision ?? 'start';
    const bound =
      from === 'start'
        ? backwards
          ? -1
          : 0
        : from === 'end'
          ? backwards
            ? stream.last
            : stream.last + 1
          : Number(from);
    const window = backwards
      ? visible.filter((e) => e.revision <= bound).reverse()
      : visible.filter((e) => e.revision >= bound);
    const max = Number(options.maxCount ?? Number.MAX_SAFE_INTEGER);
    for (const event of window.slice(0, max)) yield this.resolved(event) as ResolvedEvent;
  }

  readAll(options: ReadAllOptions = {}): AsyncIterable<AllStreamResolvedEvent> {
    return this.allReads(options);
  }

  private async *allReads(options: ReadAllOptions = {}): AsyncGenerator<AllStreamResolvedEvent> {
    await tick();
    const backwards = options.direction === 'backwards';
    const from = options.fromPosition ?? (backwards ? 'end' : 'start');
    let events = this.log.filter((e) => matches(options.filter, e));
    if (typeof from === 'object') {
      const at = from.commit;
      events = backwards ? events.filter((e) => e.position.commit < at) : events.filter((e) => e.position.commit >= at);
    }
    if (backwards) events = [...events].reverse();
    const max = Number(options.maxCount ?? Number.MAX_SAFE_INTEGER);
    for (const event of events.slice(0, max)) yield this.resolved(event) as AllStreamResolvedEvent;
  }

  subscribeToAll(options: SubscribeToAllOptions = {}): KurrentDbSubscriptionSource {
    const push = (event: StoredEvent) => {
      if (matches(options.filter, event)) subscription.write(this.resolved(event));
    };
    const subscription = new FakeSubscription(() => this.live.delete(push));
    if (this.silentSubscriptions) return subscription;
    setImmediate(() => {
      if (subscription.destroyed) return;
      subscription.emit('confirmation');
      const from = options.fromPosition ?? 'start';
      const after = typeof from === 'object' ? from.commit : from === 'end' ? this.nextPosition : -1n;
      for (const event of this.log) if (event.position.commit > after) push(event);
      this.live.add(push);
    });
    return subscription;
  }

  async getStreamMetadata(streamName: string): Promise<GetStreamMetadataResult> {
    await tick();
    const stream = this.streams.get(streamName);
    if (!stream || (stream.truncateBefore === undefined && stream.maxCount === undefined)) return { streamName };
    const metadata: Record<string, number> = {};
    if (stream.truncateBefore !== undefined) metadata.truncateBefore = stream.truncateBefore;
    if (stream.maxCount !== undefined) metadata.maxCount = stream.maxCount;
    return { streamName, metadata };
  }

  async dispose(): Promise<void> {
    this.live.clear();
  }

  /* --------------------------------------------------- what tests do to it */

  /** A node restart: the cache of committed event ids is gone. */
  restart(): void {
    this.committed.clear();
  }

  /** Soft delete: `$tb` = Int64.MaxValue in the stream's metadata. */
  deleteStream(streamName: string): void {
    this.setMetadata(streamName, { truncateBefore: DELETED_STREAM });
  }

  /** Hard delete: a `$streamDeleted` tombstone; the stream takes nothing ever again. */
  tombstoneStream(streamName: string): void {
    const stream = this.streams.get(streamName) ?? { last: -1, tombstoned: false };
    stream.tombstoned = true;
    this.streams.set(streamName, stream);
    this.write(this.systemEvent(streamName, '$streamDeleted', Number.MAX_SAFE_INTEGER));
  }

  truncateStream(streamName: string, truncateBefore: number): void {
    this.setMetadata(streamName, { truncateBefore });
  }

  /** KurrentDB's own events: `$`-typed ones and, every other one, a plain type in a `$` stream. */
  appendSystemEvents(count: number): void {
    for (let i = 0; i < count; i++) {
      this.write(
        i % 2
          ? this.systemEvent('$stats-fake', '$statsCollected', i)
          : this.systemEvent('$projections-x', 'Checkpoint', i),
      );
    }
  }

  /** An event's metadata as the server stores it. */
  storedMetadata(streamName: string, revision: number): Record<string, unknown> {
    const event = this.stored(streamName, revision);
    if (!event) throw new Error(`no event ${revision}@${streamName}`);
    return JSON.parse(Buffer.from(event.metadata).toString('utf8')) as Record<string, unknown>;
  }

  /** Events of a stream as stored, deleted or not. */
  storedEvents(streamName: string): StoredEvent[] {
    return this.log.filter((e) => e.streamId === streamName);
  }

  /* --------------------------------------------------------------- inside */

  /** What the server decides for an append (after IndexWriter.CheckCommit). */
  private checkCommit(streamName: string, state: AppendToStreamOptions['streamState'], ids: string[]): Decision {
    const expected =
      state === 'any' || state === undefined
        ? -2
        : state === 'no_stream'
          ? -1
          : state === 'stream_exists'
            ? -4
            : Number(state);
    const stream = this.streams.get(streamName);
    if (!stream) {
      return expected === -2 || expected === -1
        ? { kind: 'ok', current: -1, softDeleted: false }
        : { kind: 'wrong_expected_version', current: -1 };
    }
    if (stream.tombstoned) return { kind: 'deleted' };
    const current = stream.last;
    const softDeleted = stream.truncateBefore === DELETED_STREAM;
    if (expected === -4 && softDeleted) return { kind: 'wrong_expected_version', current };
    if (expected === -4 && current < 0 && stream.truncateBefore === undefined && stream.maxCount === undefined) {
      return { kind: 'wrong_expected_version', current };
    }
    if (expected === -2 || expected === -4) {
      // weak check: only the cache of recently committed ids
      let last: number | undefined;
      for (const id of ids) {
        const known = this.committed.get(id);
        if (known && known.streamId === streamName) {
          last = known.revision;
          continue;
        }
        if (last !== undefined) return { kind: 'wrong_expected_version', current }; // CorruptedIdempotency
        return { kind: 'ok', current, softDeleted };
      }
      return { kind: 'idempotent', last: last! };
    }
    if (expected < current) {
      // strong check: the ids stored at the revisions this append would have taken
      let revision = expected;
      for (let i = 0; i < ids.length; i++) {
        revision++;
        const known = this.committed.get(ids[i]!);
        const atRevision = this.stored(streamName, revision);
        if ((known?.streamId === streamName && known.revision === revision) || atRevision?.id === ids[i]) continue;
        if (i > 0) return { kind: 'wrong_expected_version', current }; // CorruptedIdempotency
        if (expected === -1 && softDeleted) return { kind: 'ok', current, softDeleted };
        return { kind: 'wrong_expected_version', current };
      }
      return { kind: 'idempotent', last: revision };
    }
    if (expected > current) return { kind: 'wrong_expected_version', current };
    return { kind: 'ok', current, softDeleted };
  }

  private encode(event: EventData): {
    id: string;
    type: string;
    data: unknown;
    dataBytes: number;
    metadata: Uint8Array;
  } {
    const dataText = JSON.stringify(event.data);
    const metadataText = event.metadata === undefined ? '' : JSON.stringify(event.metadata);
    return {
      id: event.id.toLowerCase(),
      type: event.type,
      data: JSON.parse(dataText) as unknown,
      dataBytes: Buffer.byteLength(dataText, 'utf8'),
      metadata: Buffer.from(metadataText, 'utf8'),
    };
  }

  private write(event: Omit<StoredEvent, 'position' | 'created'> & { dataBytes?: number }): Position {
    this.nextPosition += 100n;
    const position = { commit: this.nextPosition, prepare: this.nextPosition };
    const stored: StoredEvent = {
      streamId: event.streamId,
      revision: event.revision,
      id: event.id,
      type: event.type,
      data: event.data,
      metadata: event.metadata,
      created: new Date(),
      position,
    };
    this.log.push(stored);
    for (const push of [...this.live]) push(stored);
    return position;
  }

  private remember(id: string, streamId: string, revision: number): void {
    this.committed.set(id, { streamId, revision });
    if (this.committed.size > this.cacheSize) {
      const oldest = this.committed.keys().next().value;
      if (oldest !== undefined) this.committed.delete(oldest);
    }
  }

  private setMetadata(streamName: string, metadata: { truncateBefore?: number }): void {
    const stream = this.streams.get(streamName) ?? { last: -1, tombstoned: false };
    if (metadata.truncateBefore !== undefined) stream.truncateBefore = metadata.truncateBefore;
    this.streams.set(streamName, stream);
    const meta = `$$${streamName}`;
    const metaStream = this.streams.get(meta) ?? { last: -1, tombstoned: false };
    metaStream.last++;
    this.streams.set(meta, metaStream);
    this.write({ ...this.systemEvent(meta, '$metadata', metaStream.last), data: { $tb: metadata.truncateBefore } });
  }

  private systemEvent(streamId: string, type: string, revision: number): Omit<StoredEvent, 'position' | 'created'> {
    return { streamId, revision, id: crypto.randomUUID(), type, data: {}, metadata: new Uint8Array() };
  }

  private stored(streamName: string, revision: number): StoredEvent | undefined {
    return this.log.find((e) => e.streamId === streamName && e.revision === revision);
  }

  private resolved(event: StoredEvent): { event: Record<string, unknown>; commitPosition: bigint } {
    const metadataText = Buffer.from(event.metadata).toString('utf8');
    return {
      event: {
        streamId: event.streamId,
        id: event.id,
        revision: BigInt(event.revision),
        type: event.type,
        data: event.data,
        metadata: metadataText ? (JSON.parse(metadataText) as unknown) : undefined,
        isJson: true,
        created: event.created,
        position: event.position,
      },
      commitPosition: event.position.commit,
    };
  }
}

function matches(filter: Filter | undefined, event: StoredEvent): boolean {
  if (!filter) return true;
  const value = filter.filterOn === 'streamName' ? event.streamId : event.type;
  if ('regex' in filter && filter.regex) return new RegExp(filter.regex).test(value);
  if ('prefixes' in filter && filter.prefixes) return filter.prefixes.some((prefix) => value.startsWith(prefix));
  return true;
}
