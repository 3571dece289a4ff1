/** Reads of a stream and of `$all`, and the head of the log (README.md: "Deleted, tombstoned and truncated streams", "The rest"). */
import {
  BACKWARDS,
  END,
  FORWARDS,
  START as KDB_START,
  StreamNotFoundError,
  excludeSystemEvents,
  type ReadPosition,
  type ReadRevision,
} from '@kurrent/kurrentdb-client';
import {
  comparePositions,
  EventStoreValidationError,
  START,
  StreamDeletedError,
  type Position,
  type ReadAllOptions,
  type ReadStreamOptions,
  type RecordedEvent,
} from '../port.js';
import { validateLimit, validateStreamName } from '../validation.js';
import type { KurrentDbConnection } from './kurrentdbConnection.js';
import { toReadPosition } from './kurrentdbPositions.js';
import { isSystemEvent, toRecordedEvent } from './kurrentdbRecords.js';

/** readAll without a limit answers one page of this size, like the Postgres adapter. */
const DEFAULT_READ_ALL_LIMIT = 1000;
/** headPosition() pages backwards through `$all` this many events at a time, past system events. */
const HEAD_PAGE = 100;

export class KurrentDbReads {
  constructor(private readonly connection: KurrentDbConnection) {}

  /** One read of a stream as the server answers it; 'not_found' when it says so. */
  async readRaw(
    streamName: string,
    fromRevision: ReadRevision,
    direction: typeof FORWARDS | typeof BACKWARDS,
    maxCount: number | undefined,
  ): Promise<RecordedEvent[] | 'not_found'> {
    return this.connection.call(
      'readStream',
      async () => {
        const events: RecordedEvent[] = [];
        try {
          for await (const resolved of this.connection.client.readStream(streamName, {
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
  async wasDeleted(streamName: string): Promise<boolean> {
    const { metadata } = await this.connection.call(
      'getStreamMetadata',
      () => this.connection.client.getStreamMetadata(streamName),
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
    return this.connection.call('readAll', async () => {
      const events: RecordedEvent[] = [];
      // Reads from a position include the event at it: ask for one more, drop what is not after `seen`.
      let seen = options.after ?? START;
      let from = toReadPosition(seen);
      while (events.length < limit) {
        const want = limit - events.length + 1;
        let answered = 0;
        let progressed = false;
        const reads = this.connection.client.readAll({
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

  /** The newest event that is not KurrentDB's own, however many system events came after it. */
  async headPosition(): Promise<Position> {
    return this.connection.call('headPosition', async () => {
      let from: ReadPosition = END;
      let oldest: Position | undefined;
      for (;;) {
        let answered = 0;
        let progressed = false;
        // The server filter skips `$` event types; `$` streams with other types are skipped here.
        for await (const resolved of this.connection.client.readAll({
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
}
