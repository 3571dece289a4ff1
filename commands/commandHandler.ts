import { createHash, randomUUID } from 'node:crypto';
import { DomainError, type Decider } from '../domain/shared.js';
import { eventSchemaVersion, parseDomainEvent, type DomainEvent } from '../domain/events.js';
import {
  formatPosition,
  WrongExpectedVersionError,
  type EventMetadata,
  type EventStore,
  type JsonObject,
  type JsonValue,
  type Position,
  type RecordedEvent,
} from '../eventstore/port.js';
import pRetry from 'p-retry';
import { backoffDelay } from '../platform/backoff.js';

/** The answer of every command: where the stream is now, and where the log is, for read-your-writes. */
export interface CommandOutcome<State> {
  streamName: string;
  /** Revision of the stream after the command (-1 when it does not exist). */
  revision: number;
  /** Global position of the command's last event (or of the stream's last event on a no-op). */
  position: string | null;
  state: State;
  /** Types of the events this command appended ([] for a no-op). */
  appended: string[];
}

export interface CommandOptions<State> {
  /** The revision the client saw (If-Match): honoured exactly, 412 on mismatch, no retry. */
  ifMatch?: number;
  /** Makes event ids a function of the request, so a retried request cannot append twice. */
  idempotencyKeyHash?: string;
  metadata: Pick<EventMetadata, 'actor' | 'correlationId' | 'causationId'>;
  /** More metadata on every event appended (plain JSON, covered by the hash chain), e.g. the digest of an inbound email. */
  eventMetadata?: Readonly<Record<string, JsonValue>>;
  /** Runs on the loaded state before deciding: throws to refuse (404 for what the caller may not see). */
  authorize?: (state: State) => void;
  maxRetries?: number;
  /**
   * Each appended event's id as a function of the event (overrides the idempotency key's): for
   * events that must be unique by what they are, e.g. one breach per (thread, metric, cycle).
   */
  eventId?: (event: DomainEvent, index: number) => string;
}

export interface LoadedStream<State> {
  state: State;
  revision: number;
  lastPosition: Position | undefined;
  events: RecordedEvent[];
}

export async function loadStream<Command, Event extends DomainEvent, State>(
  eventStore: EventStore,
  decider: Decider<Command, Event, State>,
  streamName: string,
): Promise<LoadedStream<State>> {
  const events = await eventStore.readStream(streamName);
  let state = decider.initialState;
  for (const recorded of events) {
    const version = typeof recorded.metadata.schemaVersion === 'number' ? recorded.metadata.schemaVersion : 1;
    state = decider.evolve(state, parseDomainEvent(recorded.type, recorded.data, version) as Event);
  }
  const last = events[events.length - 1];
  return { state, revision: last ? last.revision : -1, lastPosition: last?.position, events };
}

/** A UUID that is a pure function of its input (RFC 9562 version 8 layout). */
export function deterministicUuid(input: string): string {
  const hex = createHash('sha256').update(input).digest('hex');
  const variant = ((parseInt(hex[16] ?? '0', 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** The last event an earlier run of the same idempotent request appended, if it did. */
function findEarlierRun<State>(loaded: LoadedStream<State>, keyHash: string): RecordedEvent | undefined {
  const firstId = deterministicUuid(`${keyHash}:0`);
  const start = loaded.events.findIndex((e) => e.id === firstId);
  if (start < 0) return undefined;
  let last = start;
  while (loaded.events[last + 1]?.id === deterministicUuid(`${keyHash}:${last + 1 - start}`)) last++;
  return loaded.events[last];
}

/**
 * Load the stream, decide, append with the loaded revision as the expected one. A concurrent
 * writer makes the append fail; then decide again on the new state, a bounded number of times
 * (unless the client pinned the revision with If-Match: then 412).
 */
export async function handleCommand<Command, Event extends DomainEvent, State>(
  eventStore: EventStore,
  decider: Decider<Command, Event, State>,
  streamName: string,
  command: Command,
  options: CommandOptions<State>,
): Promise<CommandOutcome<State>> {
  try {
    return await pRetry(() => decideAndAppend(eventStore, decider, streamName, command, options), {
      retries: options.maxRetries ?? 25,
      // the wait is the fully jittered one below, not p-retry's own
      minTimeout: 0,
      maxTimeout: 0,
      shouldRetry: ({ error }) => error instanceof WrongExpectedVersionError,
      onFailedAttempt: async ({ error, retriesConsumed, retriesLeft }) => {
        if (!(error instanceof WrongExpectedVersionError) || retriesLeft <= 0) return;
        // exponential, fully jittered backoff (capped at 50 ms) spreads the losers of a race apart
        const ms = backoffDelay(retriesConsumed, CONFLICT_BACKOFF);
        await new Promise((r) => setTimeout(r, ms));
      },
    });
  } catch (error) {
    if (error instanceof WrongExpectedVersionError) {
      throw new DomainError('conflict', 'concurrent_changes', `${streamName}: gave up after conflicting appends`);
    }
    throw error;
  }
}

const CONFLICT_BACKOFF = { baseMs: 1, capMs: 50, random: Math.random };

/** One attempt: load, decide, append; a concurrent writer makes it throw WrongExpectedVersionError. */
async function decideAndAppend<Command, Event extends DomainEvent, State>(
  eventStore: EventStore,
  decider: Decider<Command, Event, State>,
  streamName: string,
  command: Command,
  options: CommandOptions<State>,
): Promise<CommandOutcome<State>> {
  const loaded = await loadStream(eventStore, decider, streamName);
  options.authorize?.(loaded.state);
  if (options.ifMatch !== undefined && options.ifMatch !== loaded.revision) {
    throw staleRevision(loaded.revision);
  }
  const earlier = options.idempotencyKeyHash ? findEarlierRun(loaded, options.idempotencyKeyHash) : undefined;
  if (earlier) {
    // This request ran before (a retry after a lost answer, or a concurrent twin): answer
    // with what it appended instead of deciding again on a state it already changed.
    return {
      streamName,
      revision: earlier.revision,
      position: formatPosition(earlier.position),
      state: loaded.state,
      appended: [],
    };
  }
  const decided = decider.decide(command, loaded.state);
  if (decided.length === 0) {
    return {
      streamName,
      revision: loaded.revision,
      position: loaded.lastPosition ? formatPosition(loaded.lastPosition) : null,
      state: loaded.state,
      appended: [],
    };
  }
  const causationId = options.metadata.causationId ?? options.idempotencyKeyHash;
  const correlationId = options.metadata.correlationId ?? randomUUID();
  const toAppend = decided.map((event, index) => ({
    id: options.eventId
      ? options.eventId(event, index)
      : options.idempotencyKeyHash
        ? deterministicUuid(`${options.idempotencyKeyHash}:${index}`)
        : randomUUID(),
    type: event.type,
    data: event.data as unknown as JsonObject,
    metadata: {
      ...options.eventMetadata,
      ...(options.metadata.actor ? { actor: options.metadata.actor } : {}),
      correlationId,
      ...(causationId ? { causationId } : {}),
      schemaVersion: eventSchemaVersion(event.type),
    },
  }));
  try {
    const result = await eventStore.append(streamName, toAppend, {
      expected: loaded.revision < 0 ? 'no_stream' : loaded.revision,
    });
    const state = decided.reduce(decider.evolve, loaded.state);
    return {
      streamName,
      revision: result.nextRevision,
      position: formatPosition(result.position),
      state: result.duplicate ? (await loadStream(eventStore, decider, streamName)).state : state,
      appended: decided.map((e) => e.type),
    };
  } catch (error) {
    if (!(error instanceof WrongExpectedVersionError)) throw error;
    if (options.ifMatch !== undefined) {
      throw staleRevision(Number(error.actual));
    }
    throw error;
  }
}

/** The revision the caller pinned (If-Match) is not the stream's any more. */
function staleRevision(currentRevision: number): DomainError {
  return new DomainError('stale', 'stale_revision', `the stream is at revision ${currentRevision}`, {
    currentRevision,
  });
}
