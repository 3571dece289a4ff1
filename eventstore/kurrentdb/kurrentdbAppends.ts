/** Appends, with the re-append checks KurrentDB does not make on its own (README.md: "Re-appending the same event ids", "Size"). */
import {
  BACKWARDS,
  END,
  FORWARDS,
  WrongExpectedVersionError as KdbWrongExpectedVersionError,
  jsonEvent,
  type AppendResult as KdbAppendResult,
  type EventData,
} from '@kurrent/kurrentdb-client';
import {
  comparePositions,
  EventStoreValidationError,
  IdempotencyConflictError,
  START,
  StreamDeletedError,
  WrongExpectedVersionError,
  type AppendResult,
  type EventToAppend,
  type ExpectedRevision,
  type JsonObject,
  type RecordedEvent,
} from '../port.js';
import { validateAppend } from '../validation.js';
import type { KurrentDbConnection } from './kurrentdbConnection.js';
import { toServerMetadata } from './kurrentdbMetadata.js';
import { toActual, toPosition, toStreamState } from './kurrentdbPositions.js';
import type { KurrentDbReads } from './kurrentdbReads.js';

/**
 * `MaxAppendSize` of KurrentDB up to 25.0 (1 MiB; 25.1 raised the default to 256 MiB). The server
 * counts, per event, the data and metadata bytes plus twice the length of the type
 * (`Event.SizeOnDisk`); the adapter counts the same way before it sends anything.
 */
export const KURRENTDB_DEFAULT_MAX_APPEND_SIZE = 1024 * 1024;
/** How many of a stream's newest events an append looks through for its own ids (see README). */
export const DEFAULT_IDEMPOTENCY_WINDOW = 64;

export class KurrentDbAppends {
  private readonly appending = new Map<string, { ids: Set<string>; done: Promise<unknown> }[]>();

  constructor(
    private readonly connection: KurrentDbConnection,
    private readonly reads: KurrentDbReads,
    private readonly maxAppendSize: number,
    private readonly idempotencyWindow: number,
  ) {}

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
      result = await this.connection.call(
        'append',
        () =>
          this.connection.client.appendToStream(streamName, proposed, {
            streamState: toStreamState(expected),
            deadline: this.connection.deadlineMs,
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
      const read = await this.reads.readRaw(streamName, BigInt(nextRevision), FORWARDS, 1);
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
    const events = await this.reads.readRaw(streamName, END, BACKWARDS, this.idempotencyWindow + count - 1);
    if (events === 'not_found') {
      if (await this.reads.wasDeleted(streamName)) throw new StreamDeletedError(streamName);
      return [];
    }
    return events;
  }
}
