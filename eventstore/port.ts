/**
 * The EventStore port: what the rest of the system may ask of an event store.
 * Two adapters implement it: `postgres` (the embedded default) and `kurrentdb`.
 */

/** A JSON value as it is stored in an event's data or metadata. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

/** Who caused an event. Never a secret or a raw token. */
export interface Actor {
  type: 'user' | 'guest' | 'host' | 'system';
  id: string;
}

export interface EventMetadata {
  correlationId?: string;
  causationId?: string;
  actor?: Actor;
  /** Anything else an adapter or the domain adds (schema version, hash chain, ...). */
  [key: string]: JsonValue | Actor | undefined;
}

/** An event on its way into the store. `id` makes re-appends idempotent. */
export interface EventToAppend {
  id: string;
  type: string;
  data: JsonObject;
  metadata?: EventMetadata;
}

/**
 * A position in the global order of the log. Both stores order by a pair:
 * Postgres (transaction id, sequence), KurrentDB (commit, prepare).
 * Treat it as opaque; compare with `comparePositions`, serialise with `formatPosition`.
 */
export interface Position {
  commit: bigint;
  prepare: bigint;
}

export const START: Position = Object.freeze({ commit: -1n, prepare: -1n });

export interface RecordedEvent {
  id: string;
  streamName: string;
  /** 0-based revision of the event in its stream. */
  revision: number;
  position: Position;
  type: string;
  data: JsonObject;
  metadata: EventMetadata;
  createdAt: Date;
}

/** Expected state of the stream before an append. A number is the exact current revision. */
export type ExpectedRevision = 'no_stream' | 'exists' | 'any' | number;

export interface AppendResult {
  /** Revision of the last event now in the stream. */
  nextRevision: number;
  /**
   * Position of the last appended event. What it promises: once a reader (a subscription, a
   * projection's checkpoint) has reached it, that reader has seen every event at or before it,
   * so a read can wait for it (read-your-writes). What it does not promise: that nothing sorts
   * before it later. On Postgres an append that commits after this one can sort before it, so
   * never start a subscription from a returned position: start from `headPosition()` or from a
   * position a subscription delivered (a checkpoint).
   */
  position: Position;
  /** True when every event id had been appended before and nothing was written. */
  duplicate: boolean;
}

export type Direction = 'forwards' | 'backwards';

export interface ReadStreamOptions {
  /** First revision to read (inclusive). Defaults to the start (forwards) or the end (backwards). */
  fromRevision?: number | 'start' | 'end';
  direction?: Direction;
  limit?: number;
}

export interface ReadAllOptions {
  /** Read events strictly after this position (a checkpoint); START reads from the beginning. */
  after?: Position;
  limit?: number;
}

export interface SubscriptionFilter {
  streamPrefixes?: string[];
  eventTypes?: string[];
}

export interface SubscribeOptions {
  after?: Position;
  filter?: SubscriptionFilter;
}

/** Catch-up then live. Iterate it; `close()` (or breaking out of the loop) ends it. */
export interface Subscription extends AsyncIterable<RecordedEvent> {
  close(): Promise<void>;
  /** The position of the last event delivered (or skipped by the filter). */
  readonly position: Position;
}

export interface EventStoreHealth {
  ok: boolean;
  adapter: string;
  detail?: string;
  head?: string;
  /**
   * Postgres: the oldest transaction anywhere in the cluster that holds a transaction id. No
   * subscriber sees an event committed after it began until it ends (see docs/event-store.md).
   */
  holdBack?: { oldestTransactionSeconds: number; database: string | null };
}

export interface EventStore {
  readonly adapter: 'postgres' | 'kurrentdb';
  append(streamName: string, events: EventToAppend[], options?: { expected?: ExpectedRevision }): Promise<AppendResult>;
  readStream(streamName: string, options?: ReadStreamOptions): Promise<RecordedEvent[]>;
  readAll(options?: ReadAllOptions): Promise<RecordedEvent[]>;
  subscribeToAll(options?: SubscribeOptions): Subscription;
  /**
   * The position of the last event in the log that every reader can see (START when empty):
   * nothing that commits later sorts at or before it, so it is a safe place to start a
   * subscription. On Postgres it can trail the newest committed event while an older
   * transaction is still running.
   */
  headPosition(): Promise<Position>;
  /**
   * How many events sort at or before a position (a rebuild's total), for a store that can
   * count them without reading them; absent otherwise.
   */
  countEvents?(upTo: Position): Promise<number>;
  health(): Promise<EventStoreHealth>;
  close(): Promise<void>;
}

export function comparePositions(a: Position, b: Position): number {
  if (a.commit !== b.commit) return a.commit < b.commit ? -1 : 1;
  if (a.prepare !== b.prepare) return a.prepare < b.prepare ? -1 : 1;
  return 0;
}

export function formatPosition(p: Position): string {
  return `${p.commit}-${p.prepare}`;
}

const positionPattern = /^(-1|\d{1,20})-(-1|\d{1,20})$/;

export function parsePosition(text: string): Position {
  const match = positionPattern.exec(text);
  if (!match?.[1] || !match[2]) throw new InvalidPositionError(text);
  return { commit: BigInt(match[1]), prepare: BigInt(match[2]) };
}

export function matchesFilter(event: RecordedEvent, filter: SubscriptionFilter | undefined): boolean {
  if (!filter) return true;
  if (filter.streamPrefixes?.length && !filter.streamPrefixes.some((p) => event.streamName.startsWith(p))) return false;
  if (filter.eventTypes?.length && !filter.eventTypes.includes(event.type)) return false;
  return true;
}

/* ----------------------------------------------------------------- errors */

export abstract class EventStoreError extends Error {
  abstract readonly code: string;
}

export class WrongExpectedVersionError extends EventStoreError {
  readonly code = 'wrong_expected_version';
  constructor(
    readonly streamName: string,
    readonly expected: ExpectedRevision,
    /** The current revision, or 'no_stream'. */
    readonly actual: number | 'no_stream',
  ) {
    super(`stream ${streamName}: expected ${String(expected)}, actual ${String(actual)}`);
    this.name = 'WrongExpectedVersionError';
  }
}

/** Some, but not all, of the event ids were appended before, or to another stream. */
export class IdempotencyConflictError extends EventStoreError {
  readonly code = 'idempotency_conflict';
  constructor(
    readonly streamName: string,
    readonly eventIds: string[],
  ) {
    super(`stream ${streamName}: event ids were already used by a different append`);
    this.name = 'IdempotencyConflictError';
  }
}

export interface ValidationIssue {
  path: string;
  message: string;
}

export class EventStoreValidationError extends EventStoreError {
  readonly code = 'invalid_input';
  constructor(readonly issues: ValidationIssue[]) {
    super(`invalid event store input: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`);
    this.name = 'EventStoreValidationError';
  }
}

/** The stream was deleted or tombstoned (KurrentDB); it takes no more events and reads as gone. */
export class StreamDeletedError extends EventStoreError {
  readonly code = 'stream_deleted';
  constructor(readonly streamName: string) {
    super(`stream ${streamName} was deleted`);
    this.name = 'StreamDeletedError';
  }
}

/**
 * The store cannot be reached right now (connection refused or lost, server shutting down,
 * no leader). Nothing was written, or the caller cannot know: retry after `retryAfterSeconds`
 * with the same event ids, which makes the retry idempotent.
 */
export class EventStoreUnavailableError extends EventStoreError {
  readonly code = 'unavailable';
  constructor(
    readonly adapter: 'postgres' | 'kurrentdb',
    readonly reason: string,
    readonly retryAfterSeconds = 5,
    options?: { cause?: unknown },
  ) {
    super(`the ${adapter} event store is unavailable: ${reason}`, options);
    this.name = 'EventStoreUnavailableError';
  }
}

export class InvalidPositionError extends EventStoreError {
  readonly code = 'invalid_position';
  constructor(readonly text: string) {
    super(`not a position: ${JSON.stringify(text.slice(0, 60))}`);
    this.name = 'InvalidPositionError';
  }
}
