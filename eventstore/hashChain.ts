import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import {
  comparePositions,
  WrongExpectedVersionError,
  type AppendResult,
  type EventMetadata,
  type EventStore,
  type EventToAppend,
  type ExpectedRevision,
  type JsonValue,
  type Position,
  type ReadAllOptions,
  type ReadStreamOptions,
  type RecordedEvent,
  type SubscribeOptions,
} from './port.js';

/**
 * Tamper-evident history: every event of a chained stream carries in `metadata.chain` the
 * SHA-256 of its content (stream, revision, id, type, data, other metadata) chained to the
 * previous event's hash. Changing, reordering or deleting any event breaks the chain from
 * there on; sealing chain heads with an HMAC (key outside the database) catches a rewrite of
 * the whole chain. It wraps any EventStore, so both adapters behave the same.
 */

export interface ChainLink {
  prev: string | null;
  hash: string;
}

/** Streams whose history auditors verify. */
export const chainedCategories = ['thread', 'threadEmail', 'guestLink', 'guestLinkEmail', 'systemConfig'] as const;

export function isChained(streamName: string): boolean {
  const category = streamName.split('-', 1)[0] ?? '';
  return (chainedCategories as readonly string[]).includes(category);
}

/** JSON with keys sorted at every level and no whitespace: one text per value. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v === undefined ? null : v)).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

function withoutChain(metadata: EventMetadata | undefined): Record<string, unknown> {
  const { chain: _chain, ...rest } = (metadata ?? {}) as Record<string, unknown>;
  return rest;
}

export function eventHash(
  streamName: string,
  revision: number,
  event: { id: string; type: string; data: unknown; metadata?: EventMetadata | undefined },
  prev: string | null,
): string {
  const content = canonicalJson({
    stream: streamName,
    revision,
    id: event.id.toLowerCase(),
    type: event.type,
    data: event.data,
    metadata: withoutChain(event.metadata),
    prev,
  });
  return createHash('sha256').update(content, 'utf8').digest('hex');
}

/** Adds chain links to events about to follow `prev` at `firstRevision`. */
export function chainEvents(
  streamName: string,
  events: EventToAppend[],
  firstRevision: number,
  prev: string | null,
): EventToAppend[] {
  let previous = prev;
  return events.map((event, i) => {
    const hash = eventHash(streamName, firstRevision + i, event, previous);
    const link: ChainLink = { prev: previous, hash };
    previous = hash;
    return { ...event, metadata: { ...(event.metadata ?? {}), chain: link as unknown as JsonValue } };
  });
}

export function chainOf(event: RecordedEvent): ChainLink | undefined {
  const link = event.metadata.chain as unknown;
  if (!link || typeof link !== 'object') return undefined;
  const { prev, hash } = link as Record<string, unknown>;
  if (typeof hash !== 'string' || (prev !== null && typeof prev !== 'string')) return undefined;
  return { prev, hash };
}

/* ------------------------------------------------------------------ seals */

export interface ChainSeal {
  streamName: string;
  revision: number;
  hash: string;
  hmac: string;
  sealedAt: string;
}

export function sealHmac(key: string, streamName: string, revision: number, hash: string): string {
  return createHmac('sha256', key).update(`${streamName}\n${revision}\n${hash}`, 'utf8').digest('hex');
}

/* ----------------------------------------------------------- verification */

export interface Verification {
  streamName: string;
  ok: boolean;
  checked: number;
  sealsChecked: number;
  /** The first revision whose link is broken (or where an event is missing), null when intact. */
  firstBrokenRevision: number | null;
  reason: string | null;
}

/** Checks a whole stream (read forwards) against its chain and the seals of its heads. */
export function verifyChain(
  streamName: string,
  events: RecordedEvent[],
  seals: ChainSeal[] = [],
  sealKey?: string,
): Verification {
  const broken = (revision: number, reason: string, checked: number): Verification => ({
    streamName,
    ok: false,
    checked,
    sealsChecked: 0,
    firstBrokenRevision: revision,
    reason,
  });
  let prev: string | null = null;
  const hashes = new Map<number, string>();
  for (let i = 0; i < events.length; i++) {
    const event = events[i]!;
    if (event.revision !== i)
      return broken(i, `event at revision ${i} is missing (found revision ${event.revision})`, i);
    if (i > 0 && comparePositions(events[i - 1]!.position, event.position) >= 0) {
      return broken(i, 'events are out of order in the log', i);
    }
    const link = chainOf(event);
    if (!link) return broken(i, 'no hash chain in the metadata', i);
    if (link.prev !== prev) return broken(i, 'the link to the previous event does not match', i);
    const expected = eventHash(streamName, event.revision, event, prev);
    if (expected !== link.hash) return broken(i, 'the content does not match its hash (data or metadata changed)', i);
    hashes.set(event.revision, link.hash);
    prev = link.hash;
  }
  let sealsChecked = 0;
  for (const seal of seals) {
    sealsChecked++;
    const at = hashes.get(seal.revision);
    if (at === undefined)
      return { ...broken(seal.revision, `sealed revision ${seal.revision} is missing`, events.length), sealsChecked };
    if (at !== seal.hash) {
      return {
        ...broken(seal.revision, 'the chain was rewritten: it differs from the sealed head', events.length),
        sealsChecked,
      };
    }
    if (sealKey) {
      const expected = Buffer.from(sealHmac(sealKey, streamName, seal.revision, seal.hash), 'hex');
      const given = Buffer.from(seal.hmac, 'hex');
      if (expected.length !== given.length || !timingSafeEqual(expected, given)) {
        return {
          ...broken(seal.revision, 'a seal is not signed by the sealing key (forged or altered seal)', events.length),
          sealsChecked,
        };
      }
    }
  }
  return { streamName, ok: true, checked: events.length, sealsChecked, firstBrokenRevision: null, reason: null };
}

/* -------------------------------------------------------------- decorator */

/** A stream's last event as the chain sees it: its revision and hash. */
interface ChainHead {
  revision: number;
  hash: string | null;
}

const HEAD_CACHE_SIZE = 10_000;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * An EventStore that links every event of chained streams to the one before it.
 *
 * To chain an append it needs the hash of the stream's last event. A command has just read the
 * whole stream and appends with that revision as the expected one, so the heads of recently
 * read or written streams are kept (a bounded LRU): an append whose expected revision is the
 * cached head chains onto it without reading the stream again. That is safe because an event,
 * once written, never changes: if the stream is still at that revision the append succeeds and
 * the cached hash is the right one; if it moved, the store refuses the expected revision and the
 * head is read afresh.
 */
export class HashChainedEventStore implements EventStore {
  readonly adapter: EventStore['adapter'];
  private readonly heads = new Map<string, ChainHead>();
  /** The tail of each stream's queue of appends in this process. */
  private readonly queues = new Map<string, Promise<void>>();

  readonly countEvents?: (upTo: Position) => Promise<number>;

  constructor(private readonly inner: EventStore) {
    this.adapter = inner.adapter;
    if (inner.countEvents) this.countEvents = (upTo) => inner.countEvents!(upTo);
  }

  private remember(streamName: string, head: ChainHead): void {
    this.heads.delete(streamName);
    this.heads.set(streamName, head);
    if (this.heads.size > HEAD_CACHE_SIZE) {
      const oldest = this.heads.keys().next().value;
      if (oldest !== undefined) this.heads.delete(oldest);
    }
  }

  private async readHead(streamName: string): Promise<ChainHead> {
    const [last] = await this.inner.readStream(streamName, { direction: 'backwards', limit: 1 });
    return last ? { revision: last.revision, hash: chainOf(last)?.hash ?? null } : { revision: -1, hash: null };
  }

  async append(
    streamName: string,
    events: EventToAppend[],
    options: { expected?: ExpectedRevision } = {},
  ): Promise<AppendResult> {
    if (!isChained(streamName) || !Array.isArray(events)) return this.inner.append(streamName, events, options);
    const expected = options.expected ?? 'any';
    // An exact revision is the caller's (a command that read the stream): it races in the store,
    // and a loser is told at once, to read and decide again. 'any' and 'exists' are pinned here.
    if (typeof expected === 'number' || expected === 'no_stream')
      return this.appendChained(streamName, events, expected);
    return this.oneAtATime(streamName, () => this.appendChained(streamName, events, expected));
  }

  /**
   * Appends of this process to one stream that the wrapper pins itself run one after another:
   * they would only refuse each other's pinned revision otherwise. Writers in other processes
   * still race; see appendChained.
   */
  private oneAtATime<T>(streamName: string, work: () => Promise<T>): Promise<T> {
    const before = this.queues.get(streamName) ?? Promise.resolve();
    const running = before.then(work);
    const settled = running.then(
      () => undefined,
      () => undefined,
    );
    this.queues.set(streamName, settled);
    void settled.then(() => {
      if (this.queues.get(streamName) === settled) this.queues.delete(streamName);
    });
    return running;
  }

  private async appendChained(
    streamName: string,
    events: EventToAppend[],
    expected: ExpectedRevision,
  ): Promise<AppendResult> {
    for (let attempt = 0; ; attempt++) {
      const cached = attempt === 0 ? this.heads.get(streamName) : undefined;
      const usable =
        cached &&
        (typeof expected === 'number'
          ? cached.revision === expected
          : expected !== 'no_stream' && cached.revision >= 0);
      const { revision: head, hash: prev } = usable ? cached : await this.readHead(streamName);
      // 'any' and 'exists' are pinned to the head we chained onto; an exact revision is kept
      // as given, so a stale one (or an idempotent re-append) is answered by the store itself.
      const pinned: ExpectedRevision =
        typeof expected === 'number'
          ? expected
          : expected === 'no_stream'
            ? 'no_stream'
            : head >= 0
              ? head
              : expected === 'any'
                ? 'no_stream' // racing first appends: only one may chain onto "no previous event"
                : expected;
      const chained = chainEvents(streamName, events, head + 1, prev);
      try {
        const result = await this.inner.append(streamName, chained, { expected: pinned });
        if (result.duplicate) this.heads.delete(streamName);
        else {
          const link = chained[chained.length - 1]?.metadata?.chain as unknown as ChainLink | undefined;
          this.remember(streamName, { revision: result.nextRevision, hash: link?.hash ?? null });
        }
        return result;
      } catch (error) {
        this.heads.delete(streamName);
        if (!(error instanceof WrongExpectedVersionError)) throw error;
        // The caller's own expectation failed: answer it. 'exists' fails only on a missing stream.
        if (typeof expected === 'number' || expected === 'no_stream') throw error;
        if (expected === 'exists' && error.actual === 'no_stream') throw error;
        // Otherwise another writer (another process) moved the stream between our read of its
        // head and our append: 'any' and 'exists' never answer a version error, so chain onto
        // the new head. Every lost round means another append succeeded; after the first few,
        // back off a little, with jitter, so that racing processes stop colliding in step.
        if (attempt >= 3) await sleep(Math.random() * Math.min(50, 2 ** (attempt - 2)));
      }
    }
  }

  async readStream(streamName: string, options?: ReadStreamOptions): Promise<RecordedEvent[]> {
    const events = await this.inner.readStream(streamName, options);
    if (isChained(streamName)) {
      // a read that reaches the end of the stream tells its head
      const forwardsToEnd =
        (options?.direction ?? 'forwards') === 'forwards' &&
        options?.limit === undefined &&
        (options?.fromRevision === undefined || options.fromRevision === 'start');
      const backwardsFromEnd =
        options?.direction === 'backwards' && (options.fromRevision === undefined || options.fromRevision === 'end');
      const last = forwardsToEnd ? events[events.length - 1] : backwardsFromEnd ? events[0] : undefined;
      if (last) this.remember(streamName, { revision: last.revision, hash: chainOf(last)?.hash ?? null });
      else if (forwardsToEnd) this.heads.delete(streamName);
    }
    return events;
  }
  readAll(options?: ReadAllOptions): Promise<RecordedEvent[]> {
    return this.inner.readAll(options);
  }
  subscribeToAll(options?: SubscribeOptions) {
    return this.inner.subscribeToAll(options);
  }
  headPosition() {
    return this.inner.headPosition();
  }
  health() {
    return this.inner.health();
  }
  close() {
    return this.inner.close();
  }
}
