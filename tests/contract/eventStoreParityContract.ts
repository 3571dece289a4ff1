import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chainOf, eventHash, HashChainedEventStore, verifyChain } from '../../eventstore/hashChain.js';
import {
  comparePositions,
  EventStoreUnavailableError,
  EventStoreValidationError,
  formatPosition,
  IdempotencyConflictError,
  StreamDeletedError,
  type AppendResult,
  type EventStore,
  type ExpectedRevision,
  type RecordedEvent,
} from '../../eventstore/port.js';
import { MAX_APPEND_BYTES, MAX_EVENT_BYTES } from '../../eventstore/validation.js';
import { collect, event, type ContractHarness } from './eventStoreContract.js';

/**
 * Where the two adapters must answer alike although their stores do not behave alike (issue 14,
 * part 5): re-appends in every expected-revision mode, partial re-appends, size limits, deleted and
 * truncated streams, metadata, the head behind system events, an unreachable store. Cases that
 * need what only one store has (deleting a stream, system events) run where the harness offers it.
 */
export interface ParityHarness extends ContractHarness {
  /** Deletes a stream: 'soft' (KurrentDB deleteStream, `$tb` = max) or 'tombstone' (hard delete). */
  deleteStream?(streamName: string, how: 'soft' | 'tombstone'): Promise<void>;
  /** Hides the stream's events before a revision (KurrentDB `$tb` in the stream's metadata). */
  truncateStream?(streamName: string, beforeRevision: number): Promise<void>;
  /** Appends `count` of the store's own events after everything else (KurrentDB's `$` events). */
  appendSystemEvents?(count: number): Promise<void>;
  /** An event's metadata as the store holds it (before the adapter maps it back). */
  storedMetadata?(streamName: string, revision: number): Promise<Record<string, unknown>>;
  /** Makes the store forget what it only keeps in memory (KurrentDB's cache of committed ids). */
  forgetCaches?(): Promise<void>;
  /** A store of the same kind whose server cannot be reached, with a short deadline. */
  unreachable?(): Promise<EventStore>;
}

export type ParityCapability = 'deleteStream' | 'truncateStream' | 'storedMetadata' | 'unreachable';

export interface ParityOptions {
  /** Event ids are unique over the whole log (Postgres' unique index), not only within a stream. */
  idsUniqueAcrossStreams: boolean;
  /** The harness's optional parts this store has: the cases that need one are declared only then. */
  capabilities: ParityCapability[];
}

const streamOf = (category = 'parity') => `${category}-${randomUUID()}`;

const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (error: unknown) => error,
  );

/** Postgres shows a commit to readers once no older transaction of the cluster is still open. */
async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 15_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > until) return value;
    await new Promise((r) => setTimeout(r, 50));
  }
}

const same = (result: AppendResult) => ({
  nextRevision: result.nextRevision,
  position: formatPosition(result.position),
});

export function eventStoreParityContract(
  name: string,
  open: () => Promise<ParityHarness>,
  options: ParityOptions,
): void {
  const can = (capability: ParityCapability) => options.capabilities.includes(capability);
  /** The harness's part, which the options promised. */
  const part = <K extends keyof ParityHarness>(harness: ParityHarness, key: K): NonNullable<ParityHarness[K]> => {
    const value = harness[key];
    if (!value) throw new Error(`the ${name} harness was declared with ${String(key)} but has none`);
    return value as NonNullable<ParityHarness[K]>;
  };
  /** A case declared where the store can, and not at all where it cannot: no skip that reads as a pass. */
  const itWhere =
    (capability: ParityCapability) =>
    (title: string, fn: () => Promise<void>): void => {
      if (can(capability)) it(title, fn);
    };
  const describeWhere =
    (capability: ParityCapability) =>
    (title: string, fn: () => void): void => {
      if (can(capability)) describe(title, fn);
    };
  describe(`EventStore parity: ${name}`, () => {
    let harness: ParityHarness;
    let store: EventStore;
    beforeAll(async () => {
      harness = await open();
      store = harness.store;
    });
    afterAll(async () => harness?.cleanup());

    describe('a re-append of the same ids answers the first result with duplicate: true and writes nothing', () => {
      /** [expected of the first append, expected of the re-append], on a stream with one event before. */
      const modes: [
        string,
        (head: number) => ExpectedRevision,
        (first: AppendResult, head: number) => ExpectedRevision,
      ][] = [
        ['any, then any', () => 'any', () => 'any'],
        ['exists, then exists', () => 'exists', () => 'exists'],
        ['an exact revision, then the same revision', (head) => head, (_, head) => head],
        // the hash chain pins `any` to the head it read: after a crash, that is the first append's head
        [
          'an exact revision, then the current head (which the first append made)',
          (head) => head,
          (first) => first.nextRevision,
        ],
        ['any, then the current head', () => 'any', (first) => first.nextRevision],
        ['an exact revision, then no_stream', (head) => head, () => 'no_stream'],
      ];
      it.each(modes)('when %s', async (_, firstExpected, againExpected) => {
        const stream = streamOf();
        await store.append(stream, [event()], { expected: 'no_stream' });
        const batch = [event('A'), event('B')];
        const first = await store.append(stream, batch, { expected: firstExpected(0) });
        expect(first.duplicate).toBe(false);
        const again = await store.append(stream, batch, { expected: againExpected(first, 0) });
        expect(again).toMatchObject({ duplicate: true, nextRevision: first.nextRevision });
        expect(formatPosition(again.position)).toBe(formatPosition(first.position));
        expect((await store.readStream(stream)).map((e) => e.revision)).toEqual([0, 1, 2]);
      });

      it('when no_stream, then no_stream', async () => {
        const stream = streamOf();
        const batch = [event(), event(), event()];
        const first = await store.append(stream, batch, { expected: 'no_stream' });
        const again = await store.append(stream, batch, { expected: 'no_stream' });
        expect(again).toEqual({ ...first, duplicate: true });
        expect(await store.readStream(stream)).toHaveLength(3);
      });

      it('when any on a new stream, then any', async () => {
        const stream = streamOf();
        const batch = [event()];
        const first = await store.append(stream, batch);
        expect(await store.append(stream, batch)).toEqual({ ...first, duplicate: true });
        expect(await store.readStream(stream)).toHaveLength(1);
      });

      it('when other events were appended since, then in every mode (also after the store restarted)', async () => {
        const stream = streamOf();
        const batch = [event('Mine'), event('Mine')];
        await store.append(stream, [event()], { expected: 'no_stream' });
        const first = await store.append(stream, batch, { expected: 0 });
        for (let i = 0; i < 5; i++) await store.append(stream, [event('Later', { i })]);
        await harness.forgetCaches?.();
        const head = first.nextRevision + 5;
        for (const expected of ['any', 'exists', 0, head, 'no_stream'] as ExpectedRevision[]) {
          const again = await store.append(stream, batch, { expected });
          expect({ expected, ...same(again), duplicate: again.duplicate }).toEqual({
            expected,
            ...same(first),
            duplicate: true,
          });
        }
        expect(await store.readStream(stream)).toHaveLength(1 + 2 + 5);
      });

      it('when the ids come back in another order, then it is still the same append', async () => {
        const stream = streamOf();
        const [a, b] = [event(), event()];
        const first = await store.append(stream, [a!, b!]);
        const again = await store.append(stream, [b!, a!]);
        expect({ ...same(again), duplicate: again.duplicate }).toEqual({ ...same(first), duplicate: true });
        expect(await store.readStream(stream)).toHaveLength(2);
      });

      it.each([
        ['an exact revision', 0 as ExpectedRevision],
        ['any', 'any' as ExpectedRevision],
      ])(
        'when the same append races itself with %s, then one copy is written and one answer is not a duplicate',
        async (_, expected) => {
          const stream = streamOf();
          await store.append(stream, [event()], { expected: 'no_stream' });
          const batch = [event(), event(), event()];
          const results = await Promise.all(Array.from({ length: 8 }, () => store.append(stream, batch, { expected })));
          for (const result of results) expect(same(result)).toEqual(same(results[0]!));
          expect(results.filter((r) => !r.duplicate)).toHaveLength(1);
          expect(await store.readStream(stream)).toHaveLength(4);
        },
      );

      it('when a hash-chained append is retried after a crash (a new process, the same ids), then the chain stays whole', async () => {
        const stream = `thread-${randomUUID()}`;
        const before = new HashChainedEventStore(store);
        await before.append(stream, [event('Raised')], { expected: 'no_stream' });
        const outcome = [event('EmailSent')];
        const first = await before.append(stream, outcome); // `any`: pinned to the head it read
        // the process died before it recorded the outcome; the next one retries with the same ids
        const after = new HashChainedEventStore(store);
        const retried = await after.append(stream, outcome);
        expect(retried).toMatchObject({ duplicate: true, nextRevision: first.nextRevision });
        // the same process retrying (its cached head is the first append's) answers the same
        expect(await before.append(stream, outcome)).toMatchObject({ duplicate: true, nextRevision: 1 });
        await after.append(stream, [event('Replied')]);
        const events = await store.readStream(stream);
        expect(events.map((e) => e.type)).toEqual(['Raised', 'EmailSent', 'Replied']);
        expect(verifyChain(stream, events)).toMatchObject({ ok: true, checked: 3 });
      });
    });

    describe('a partial re-append is an idempotency conflict and writes nothing', () => {
      it.each([['any'], ['exists'], ['no_stream'], ['the current head']])('when %s', async (mode) => {
        const stream = streamOf();
        const earlier = event();
        await store.append(stream, [earlier], { expected: 'no_stream' });
        const expected: ExpectedRevision = mode === 'the current head' ? 0 : (mode as ExpectedRevision);
        const error = await failure(store.append(stream, [earlier, event()], { expected }));
        expect(error).toBeInstanceOf(IdempotencyConflictError);
        expect(await store.readStream(stream)).toHaveLength(1);
      });

      it('when a batch repeats the end of an earlier one, then it is a conflict', async () => {
        const stream = streamOf();
        const [a, b] = [event(), event()];
        await store.append(stream, [a!, b!]);
        await store.append(stream, [event()]);
        expect(await failure(store.append(stream, [b!, event()]))).toBeInstanceOf(IdempotencyConflictError);
        expect(await store.readStream(stream)).toHaveLength(3);
      });

      if (options.idsUniqueAcrossStreams) {
        it('when the ids were used on another stream, then it is a conflict', async () => {
          const batch = [event()];
          await store.append(streamOf(), batch);
          const other = streamOf();
          expect(await failure(store.append(other, batch))).toBeInstanceOf(IdempotencyConflictError);
          expect(await store.readStream(other)).toEqual([]);
        });
      } else {
        it('when the ids were used on another stream, then they are new events there (ids are per stream)', async () => {
          const batch = [event()];
          await store.append(streamOf(), batch);
          const other = streamOf();
          expect(await store.append(other, batch)).toMatchObject({ duplicate: false, nextRevision: 0 });
        });
      }
    });

    describe('size', () => {
      const sized = (bytes: number) => event('Sized', { text: 'x'.repeat(bytes) });

      it('when an append holds more than MAX_APPEND_BYTES of JSON, then it is a validation error and nothing is written', async () => {
        const stream = streamOf();
        const perEvent = Math.floor(MAX_EVENT_BYTES * 0.8);
        const count = Math.ceil(MAX_APPEND_BYTES / perEvent) + 1;
        const error = await failure(
          store.append(
            stream,
            Array.from({ length: count }, () => sized(perEvent)),
          ),
        );
        expect(error).toBeInstanceOf(EventStoreValidationError);
        expect((error as EventStoreValidationError).issues.map((i) => i.path)).toEqual(['events']);
        expect(await store.readStream(stream)).toEqual([]);
      });

      it('when one event is larger than MAX_EVENT_BYTES, then it is a validation error naming it', async () => {
        const error = await failure(store.append(streamOf(), [event(), sized(MAX_EVENT_BYTES + 1)]));
        expect((error as EventStoreValidationError).issues.map((i) => i.path)).toEqual(['events[1]']);
      });

      it('when an append is just under the limits, then it is written and read back whole', async () => {
        const stream = streamOf();
        const perEvent = MAX_EVENT_BYTES - 1000;
        const count = Math.floor((MAX_APPEND_BYTES * 0.9) / perEvent);
        const batch = Array.from({ length: count }, () => sized(perEvent));
        await store.append(stream, batch, { expected: 'no_stream' });
        const read = await store.readStream(stream);
        expect(read.map((e) => e.data)).toEqual(batch.map((e) => e.data));
      });
    });

    if (can('deleteStream') || can('truncateStream'))
      describe('deleted and truncated streams', () => {
        const filled = async (count: number, category = 'parity') => {
          const stream = streamOf(category);
          const chained = new HashChainedEventStore(store);
          for (let i = 0; i < count; i++) await chained.append(stream, [event('Numbered', { i })]);
          return stream;
        };

        for (const how of can('deleteStream') ? (['soft', 'tombstone'] as const) : []) {
          it(`when a stream was deleted (${how}), then reads and appends in every mode are StreamDeletedError`, async () => {
            const stream = await filled(3, 'thread');
            await part(harness, 'deleteStream')(stream, how);
            for (const read of [
              () => store.readStream(stream),
              () => store.readStream(stream, { direction: 'backwards', limit: 1 }),
              () => store.readStream(stream, { fromRevision: 2 }),
            ]) {
              const error = await failure(read());
              expect(error).toBeInstanceOf(StreamDeletedError);
              expect(error).toMatchObject({ streamName: stream });
            }
            for (const expected of ['any', 'no_stream', 'exists', 2, 0] as ExpectedRevision[]) {
              expect(await failure(store.append(stream, [event()], { expected }))).toBeInstanceOf(StreamDeletedError);
            }
            // a chained append never hashes revision 0 for a stream that continues at 3
            const chained = new HashChainedEventStore(store);
            expect(await failure(chained.append(stream, [event()]))).toBeInstanceOf(StreamDeletedError);
          });
        }

        itWhere('truncateStream')(
          'when a stream was truncated, then a read that reaches a removed revision is StreamDeletedError and the rest reads with real revisions',
          async () => {
            const stream = await filled(5, 'thread');
            await part(harness, 'truncateStream')(stream, 3);
            const revisions = (events: RecordedEvent[]) => events.map((e) => e.revision);
            for (const options of [
              {},
              { fromRevision: 1, limit: 3 },
              { direction: 'backwards' },
              { direction: 'backwards', limit: 3 },
              { direction: 'backwards', fromRevision: 2 },
            ] as const) {
              expect({ options, error: await failure(store.readStream(stream, options)) }).toEqual({
                options,
                error: expect.any(StreamDeletedError),
              });
            }
            expect(revisions(await store.readStream(stream, { fromRevision: 3 }))).toEqual([3, 4]);
            expect(revisions(await store.readStream(stream, { direction: 'backwards', limit: 2 }))).toEqual([4, 3]);
            // appends go on at the real revision, and a chained append hashes the revision it is stored at
            const chained = new HashChainedEventStore(store);
            const appended = event('AfterTruncation');
            expect(await chained.append(stream, [appended])).toMatchObject({ nextRevision: 5, duplicate: false });
            const [fourth, fifth] = await store.readStream(stream, { fromRevision: 4 });
            expect(fifth).toMatchObject({ id: appended.id, revision: 5 });
            expect(chainOf(fifth!)?.hash).toBe(eventHash(stream, 5, fifth!, chainOf(fourth!)!.hash));
          },
        );
      });

    describe('metadata', () => {
      const metadata = () => ({
        correlationId: randomUUID(),
        causationId: randomUUID(),
        actor: { type: 'user' as const, id: 'agent-7' },
        tenant: 'acme',
        $ownDollarKey: 'kept',
        nested: { correlationId: 'inner', $x: 1 },
      });

      it('when an event is read back (stream, all, subscription), then its metadata is exactly what was written', async () => {
        const stream = streamOf();
        const written = { ...event('WithMetadata'), metadata: metadata() };
        const head = await store.headPosition();
        await store.append(stream, [written]);
        const [fromStream] = await store.readStream(stream);
        expect(fromStream!.metadata).toEqual(written.metadata);
        const all = await eventually(
          () => store.readAll({ after: head, limit: 1000 }),
          (events) => events.some((e) => e.id === written.id),
        );
        expect(all.find((e) => e.id === written.id)?.metadata).toEqual(written.metadata);
        const subscription = store.subscribeToAll({ after: head, filter: { streamPrefixes: [stream] } });
        const [live] = await collect(subscription, 1);
        await subscription.close();
        expect(live!.metadata).toEqual(written.metadata);
      });

      itWhere('storedMetadata')(
        'when the store has its own names for correlation and causation, then they are stored under them',
        async () => {
          const stream = streamOf();
          const written = { ...event(), metadata: metadata() };
          await store.append(stream, [written]);
          const stored = await part(harness, 'storedMetadata')(stream, 0);
          expect(stored).toMatchObject({
            $correlationId: written.metadata.correlationId,
            $causationId: written.metadata.causationId,
            tenant: 'acme',
            nested: written.metadata.nested,
          });
          expect(stored).not.toHaveProperty('correlationId');
          expect(stored).not.toHaveProperty('causationId');
        },
      );
    });

    describe('head position', () => {
      it("when the newest events are the store's own (hundreds of them), then the head is the newest event of ours", async () => {
        const stream = streamOf();
        const { position } = await store.append(stream, [event()]);
        await harness.appendSystemEvents?.(250);
        const head = await eventually(
          () => store.headPosition(),
          (at) => comparePositions(at, position) >= 0,
        );
        expect(formatPosition(head)).toBe(formatPosition(position));
        const subscription = store.subscribeToAll({ after: head });
        const next = event('Next');
        const receiving = collect(subscription, 1);
        const appended = await store.append(stream, [next]);
        expect((await receiving).map((e) => e.id)).toEqual([next.id]);
        await subscription.close();
        const later = await eventually(
          () => store.headPosition(),
          (at) => comparePositions(at, appended.position) >= 0,
        );
        expect(formatPosition(later)).toBe(formatPosition(appended.position));
      });
    });

    describeWhere('unreachable')('an unreachable store', () => {
      let unreachable: EventStore;
      beforeAll(async () => {
        unreachable = await part(harness, 'unreachable')();
      });
      afterAll(async () => unreachable?.close());

      it('when the server cannot be reached, then every call is EventStoreUnavailableError and health is not ok', async () => {
        const down = unreachable;
        for (const call of [
          () => down.append(streamOf(), [event()]),
          () => down.readStream(streamOf()),
          () => down.readAll({ limit: 10 }),
          () => down.headPosition(),
          () => collect(down.subscribeToAll(), 1),
        ]) {
          const error = await failure(call());
          expect(error).toBeInstanceOf(EventStoreUnavailableError);
          expect((error as EventStoreUnavailableError).retryAfterSeconds).toBeGreaterThan(0);
        }
        expect(await down.health()).toMatchObject({ ok: false, adapter: down.adapter });
      });

      it('when an append is too large, then it is refused as invalid before anything is sent', async () => {
        const big = Array.from({ length: 5 }, () => event('Big', { text: 'x'.repeat(MAX_EVENT_BYTES - 1000) }));
        expect(await failure(unreachable.append(streamOf(), big))).toBeInstanceOf(EventStoreValidationError);
      });
    });
  });
}
