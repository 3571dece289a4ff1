import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  comparePositions,
  EventStoreValidationError,
  formatPosition,
  IdempotencyConflictError,
  parsePosition,
  START,
  WrongExpectedVersionError,
  type EventStore,
  type EventToAppend,
  type RecordedEvent,
} from '../../eventstore/port.js';
import { MAX_APPEND_BYTES, MAX_EVENT_BYTES } from '../../eventstore/validation.js';

export interface ContractHarness {
  store: EventStore;
  /**
   * Appends like `store.append`, but holds the writing transaction open for `delayMs` before it
   * commits (where the store has such a thing): the window in which naive readers skip events.
   */
  appendSlowly(stream: string, events: EventToAppend[], delayMs: number): Promise<void>;
  cleanup(): Promise<void>;
}

export interface ContractOptions {
  /** The store reports `duplicate: true` on an idempotent re-append. */
  reportsDuplicates: boolean;
  /** A re-append that overlaps only partly with an earlier one is refused. */
  refusesPartialReappend: boolean;
}

export const event = (type = 'ThingHappened', data: Record<string, unknown> = {}): EventToAppend => ({
  id: randomUUID(),
  type,
  data: { ...data } as EventToAppend['data'],
  metadata: { correlationId: randomUUID(), actor: { type: 'user', id: 'user-1' } },
});

/** Unique per test, so tests share one store without seeing each other's streams. */
const streamOf = (category = 'thread') => `${category}-${randomUUID()}`;

/** The first `count` events of a subscription, or an error naming how many came. */
export async function collect(
  iterable: AsyncIterable<RecordedEvent>,
  count: number,
  timeoutMs = 20_000,
): Promise<RecordedEvent[]> {
  const seen: RecordedEvent[] = [];
  const timeout = new Promise<never>((_, reject) =>
    setTimeout(() => reject(new Error(`timed out with ${seen.length}/${count} events`)), timeoutMs).unref(),
  );
  const reading = (async () => {
    for await (const e of iterable) {
      seen.push(e);
      if (seen.length >= count) break;
    }
    return seen;
  })();
  return Promise.race([reading, timeout]);
}

export function eventStoreContract(name: string, open: () => Promise<ContractHarness>, options: ContractOptions): void {
  describe(`EventStore contract: ${name}`, () => {
    let harness: ContractHarness;
    let store: EventStore;
    beforeAll(async () => {
      harness = await open();
      store = harness.store;
    });
    afterAll(async () => harness?.cleanup());

    describe('append with an expected revision', () => {
      it('when no_stream and the stream is new, then it starts at revision 0', async () => {
        const stream = streamOf();
        const result = await store.append(stream, [event()], { expected: 'no_stream' });
        expect(result.nextRevision).toBe(0);
        expect(result.duplicate).toBe(false);
      });

      it('when no_stream and the stream exists, then WrongExpectedVersion names the actual revision', async () => {
        const stream = streamOf();
        await store.append(stream, [event(), event()], { expected: 'no_stream' });
        const error = await store.append(stream, [event()], { expected: 'no_stream' }).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(WrongExpectedVersionError);
        expect(error).toMatchObject({ streamName: stream, expected: 'no_stream', actual: 1 });
      });

      it('when exists and the stream is missing, then WrongExpectedVersion says no_stream and nothing is written', async () => {
        const stream = streamOf();
        const error = await store.append(stream, [event()], { expected: 'exists' }).catch((e: unknown) => e);
        expect(error).toMatchObject({ name: 'WrongExpectedVersionError', actual: 'no_stream', expected: 'exists' });
        expect(await store.readStream(stream)).toEqual([]);
        await store.append(stream, [event()], { expected: 'no_stream' });
        expect((await store.append(stream, [event()], { expected: 'exists' })).nextRevision).toBe(1);
      });

      it('when an exact revision matches, then it appends; when stale, then it refuses and writes nothing', async () => {
        const stream = streamOf();
        await store.append(stream, [event()], { expected: 'no_stream' });
        expect((await store.append(stream, [event()], { expected: 0 })).nextRevision).toBe(1);
        const stale = await store.append(stream, [event()], { expected: 0 }).catch((e: unknown) => e);
        expect(stale).toMatchObject({ name: 'WrongExpectedVersionError', expected: 0, actual: 1 });
        const ahead = await store.append(stream, [event()], { expected: 5 }).catch((e: unknown) => e);
        expect(ahead).toMatchObject({ name: 'WrongExpectedVersionError', expected: 5, actual: 1 });
        const onMissing = await store.append(streamOf(), [event()], { expected: 0 }).catch((e: unknown) => e);
        expect(onMissing).toMatchObject({ name: 'WrongExpectedVersionError', actual: 'no_stream' });
        expect((await store.readStream(stream)).map((e) => e.revision)).toEqual([0, 1]);
      });

      it('when any, then it appends to a new or an existing stream', async () => {
        const stream = streamOf();
        expect((await store.append(stream, [event()], { expected: 'any' })).nextRevision).toBe(0);
        expect((await store.append(stream, [event()])).nextRevision).toBe(1);
      });

      it('when several events are appended at once, then they get contiguous revisions and increasing positions', async () => {
        const stream = streamOf();
        const result = await store.append(stream, [event('A'), event('B'), event('C')], { expected: 'no_stream' });
        expect(result.nextRevision).toBe(2);
        const read = await store.readStream(stream);
        expect(read.map((e) => [e.type, e.revision])).toEqual([
          ['A', 0],
          ['B', 1],
          ['C', 2],
        ]);
        expect(comparePositions(read[0]!.position, read[1]!.position)).toBe(-1);
        expect(comparePositions(read[2]!.position, result.position)).toBe(0);
      });

      it('when one event of a batch is invalid, then nothing of the batch is written', async () => {
        const stream = streamOf();
        const bad = { ...event(), data: 'not an object' } as unknown as EventToAppend;
        await expect(store.append(stream, [event(), bad])).rejects.toBeInstanceOf(EventStoreValidationError);
        expect(await store.readStream(stream)).toEqual([]);
      });
    });

    describe('idempotent append', () => {
      it('when the same event ids are appended again, then it answers the first result and writes nothing', async () => {
        const stream = streamOf();
        const batch = [event(), event()];
        const first = await store.append(stream, batch, { expected: 'no_stream' });
        const again = await store.append(stream, batch, { expected: 'no_stream' });
        expect(again.nextRevision).toBe(first.nextRevision);
        expect(formatPosition(again.position)).toBe(formatPosition(first.position));
        if (options.reportsDuplicates) expect(again.duplicate).toBe(true);
        expect(await store.readStream(stream)).toHaveLength(2);
      });

      it('when the same append races itself, then exactly one copy is written', async () => {
        const stream = streamOf();
        await store.append(stream, [event()], { expected: 'no_stream' });
        const batch = [event(), event(), event()];
        const results = await Promise.all(
          Array.from({ length: 8 }, () => store.append(stream, batch, { expected: 0 })),
        );
        expect(new Set(results.map((r) => r.nextRevision))).toEqual(new Set([3]));
        expect(await store.readStream(stream)).toHaveLength(4);
      });

      if (options.refusesPartialReappend) {
        it('when only some ids were appended before, then it is an idempotency conflict and nothing is written', async () => {
          const stream = streamOf();
          const first = event();
          await store.append(stream, [first]);
          const error = await store.append(stream, [first, event()]).catch((e: unknown) => e);
          expect(error).toBeInstanceOf(IdempotencyConflictError);
          expect(await store.readStream(stream)).toHaveLength(1);
        });
      }
    });

    describe('validation', () => {
      it.each([
        ['', 'streamName'],
        ['$system-stream', 'streamName'],
        ['has space-1', 'streamName'],
        ['x'.repeat(201), 'streamName'],
      ])('when the stream name is %j, then the error names %s', async (stream, path) => {
        const error = await store.append(stream, [event()]).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(EventStoreValidationError);
        expect((error as EventStoreValidationError).issues.map((i) => i.path)).toContain(path);
      });

      it('when events are malformed, then every failing field is named', async () => {
        const bad = [
          { id: 'not-a-uuid', type: '9bad', data: { ok: true } },
          { id: randomUUID(), type: 'Fine', data: [] },
          { id: randomUUID(), type: 'Fine', data: { n: Number.NaN } },
          { id: randomUUID(), type: 'Fine', data: { when: new Date() } },
        ] as unknown as EventToAppend[];
        const error = (await store.append(streamOf(), bad).catch((e: unknown) => e)) as EventStoreValidationError;
        expect(error).toBeInstanceOf(EventStoreValidationError);
        expect(error.issues.map((i) => i.path)).toEqual([
          'events[0].id',
          'events[0].type',
          'events[1].data',
          'events[2].data.n',
          'events[3].data.when',
        ]);
      });

      it('when a string or a key holds NUL or a lone surrogate, then the error names the field and nothing is written', async () => {
        const stream = streamOf();
        const bad = [
          { id: randomUUID(), type: 'Fine', data: { note: 'nul \u0000 inside' } },
          { id: randomUUID(), type: 'Fine', data: { ['key\u0000']: 1 } },
          { id: randomUUID(), type: 'Fine', data: { nested: { list: ['ok', 'half \ud800 pair'] } } },
          { id: randomUUID(), type: 'Fine', data: { ok: true }, metadata: { ['\udc00']: 'x' } },
          { id: randomUUID(), type: 'Fine', data: { emoji: 'a whole pair \ud83d\ude00 is fine' } },
        ] as unknown as EventToAppend[];
        const error = (await store.append(stream, bad).catch((e: unknown) => e)) as EventStoreValidationError;
        expect(error).toBeInstanceOf(EventStoreValidationError);
        expect(error.issues.map((i) => i.path)).toEqual([
          'events[0].data.note',
          'events[1].data.key\u0000',
          'events[2].data.nested.list[1]',
          'events[3].metadata.\udc00',
        ]);
        expect(await store.readStream(stream)).toEqual([]);
      });

      it('when one append holds more than MAX_APPEND_BYTES of JSON, then it is refused before anything is sent', async () => {
        const stream = streamOf();
        // each event is within MAX_EVENT_BYTES; together they are over the append's limit
        const big = 'é'.repeat(100_000); // 200,000 bytes of UTF-8
        const events = Array.from({ length: Math.ceil(MAX_APPEND_BYTES / 200_000) + 1 }, () => event('Big', { big }));
        const error = (await store.append(stream, events).catch((e: unknown) => e)) as EventStoreValidationError;
        expect(error).toBeInstanceOf(EventStoreValidationError);
        expect(error.issues.map((i) => i.path)).toEqual(['events']);
        // an event's limit counts bytes, not characters
        const oneTooBig = event('Big', { big: 'é'.repeat(MAX_EVENT_BYTES / 2) });
        const single = (await store.append(stream, [oneTooBig]).catch((e: unknown) => e)) as EventStoreValidationError;
        expect(single.issues.map((i) => i.path)).toEqual(['events[0]']);
        expect(await store.readStream(stream)).toEqual([]);
        // just under the append's limit is written
        const fits = Array.from({ length: Math.floor(MAX_APPEND_BYTES / 200_100) }, () => event('Big', { big }));
        expect((await store.append(stream, fits)).nextRevision).toBe(fits.length - 1);
      });

      it('when there are no events or the expected revision is nonsense, then it refuses', async () => {
        await expect(store.append(streamOf(), [])).rejects.toBeInstanceOf(EventStoreValidationError);
        await expect(store.append(streamOf(), [event()], { expected: -3 })).rejects.toBeInstanceOf(
          EventStoreValidationError,
        );
        await expect(store.readStream(streamOf(), { limit: 0 })).rejects.toBeInstanceOf(EventStoreValidationError);
      });
    });

    describe('reading', () => {
      it('when an event is read back, then it carries id, type, data, metadata, revision, position and time', async () => {
        const stream = streamOf();
        const written = event('QueryRaised', { subject: 'Invoice <b>missing</b>', amount: 12.5, tags: ['a'] });
        written.metadata = {
          correlationId: randomUUID(),
          causationId: randomUUID(),
          actor: { type: 'user', id: 'agent-7' },
        };
        await store.append(stream, [written]);
        const [read] = await store.readStream(stream);
        expect(read).toMatchObject({
          id: written.id,
          type: 'QueryRaised',
          streamName: stream,
          revision: 0,
          data: written.data,
          metadata: written.metadata,
        });
        expect(read!.createdAt).toBeInstanceOf(Date);
        expect(Number.isNaN(read!.createdAt.getTime())).toBe(false); // the store's clock, not ours: no window
        expect(parsePosition(formatPosition(read!.position))).toEqual(read!.position);
      });

      it('when a stream is read forwards or backwards from a revision with a limit, then it answers that window', async () => {
        const stream = streamOf();
        await store.append(
          stream,
          Array.from({ length: 10 }, (_, i) => event('Numbered', { i })),
        );
        const revs = (events: RecordedEvent[]) => events.map((e) => e.revision);
        expect(revs(await store.readStream(stream, { fromRevision: 3, limit: 4 }))).toEqual([3, 4, 5, 6]);
        expect(revs(await store.readStream(stream, { direction: 'backwards', limit: 3 }))).toEqual([9, 8, 7]);
        expect(revs(await store.readStream(stream, { direction: 'backwards', fromRevision: 4, limit: 2 }))).toEqual([
          4, 3,
        ]);
        expect(revs(await store.readStream(stream, { fromRevision: 9 }))).toEqual([9]);
        expect(await store.readStream(stream, { fromRevision: 10 })).toEqual([]);
        expect(await store.readStream(streamOf())).toEqual([]);
      });

      it('when all events are read after a position, then they come in order, page by page, with none repeated', async () => {
        const head = await store.headPosition();
        const stream = streamOf();
        await store.append(
          stream,
          Array.from({ length: 7 }, (_, i) => event('Paged', { i })),
        );
        const pages: RecordedEvent[] = [];
        let after = head;
        for (;;) {
          const page = await store.readAll({ after, limit: 3 });
          if (page.length === 0) break;
          pages.push(...page);
          after = page[page.length - 1]!.position;
        }
        const mine = pages.filter((e) => e.streamName === stream);
        expect(mine.map((e) => e.data['i'])).toEqual([0, 1, 2, 3, 4, 5, 6]);
        for (let i = 1; i < pages.length; i++) {
          expect(comparePositions(pages[i - 1]!.position, pages[i]!.position)).toBe(-1);
        }
        expect(comparePositions(await store.headPosition(), mine[6]!.position)).toBeGreaterThanOrEqual(0);
      });
    });

    describe('subscription to all', () => {
      it('when subscribed, then it catches up and then receives live events, and close ends it', async () => {
        const stream = streamOf();
        const head = await store.headPosition();
        await store.append(stream, [event('Before', { n: 1 }), event('Before', { n: 2 })]);
        const subscription = store.subscribeToAll({ after: head, filter: { streamPrefixes: [stream] } });
        const receiving = collect(subscription, 4);
        await new Promise((r) => setTimeout(r, 100));
        await store.append(stream, [event('After', { n: 3 })]);
        await store.append(stream, [event('After', { n: 4 })]);
        const received = await receiving;
        expect(received.map((e) => e.data['n'])).toEqual([1, 2, 3, 4]);
        await subscription.close();
        expect(comparePositions(subscription.position, received[3]!.position)).toBeGreaterThanOrEqual(0);
      });

      it('when filtered by event type or stream prefix, then only matching events arrive', async () => {
        const category = `filtered${randomUUID().replaceAll('-', '').slice(0, 8)}`;
        const head = await store.headPosition();
        await store.append(`${category}-1`, [event('Wanted', { n: 1 }), event('Unwanted')]);
        await store.append(streamOf('other'), [event('Wanted', { n: 99 })]);
        await store.append(`${category}-2`, [event('Wanted', { n: 2 })]);
        const byBoth = store.subscribeToAll({
          after: head,
          filter: { streamPrefixes: [`${category}-`], eventTypes: ['Wanted'] },
        });
        expect((await collect(byBoth, 2)).map((e) => e.data['n'])).toEqual([1, 2]);
        await byBoth.close();
      });

      it('when a subscription is closed while waiting for events, then its iteration ends', async () => {
        const subscription = store.subscribeToAll({ after: await store.headPosition() });
        const ended = (async () => {
          let count = 0;
          for await (const _ of subscription) count++;
          return count;
        })();
        await new Promise((r) => setTimeout(r, 50));
        await subscription.close();
        await expect(ended).resolves.toBe(0);
      });
    });

    describe('concurrency', () => {
      it('when 16 writers append thousands of events with random delays inside their transactions, then a live subscriber sees every event exactly once, in one consistent order', async () => {
        const writers = 16;
        const appendsPerWriter = 150;
        const run = randomUUID().slice(0, 8);
        const prefix = `race${run}-`;
        const head = await store.headPosition();
        const subscription = store.subscribeToAll({ after: head, filter: { streamPrefixes: [prefix] } });
        const expectedIds: string[] = [];
        const shared = Array.from({ length: 4 }, (_, i) => `${prefix}shared${i}`);

        const received: RecordedEvent[] = [];
        let expectedTotal = Number.POSITIVE_INFINITY;
        const reading = (async () => {
          for await (const e of subscription) {
            received.push(e);
            if (received.length >= expectedTotal) break;
          }
        })();

        await Promise.all(
          Array.from({ length: writers }, async (_, w) => {
            for (let i = 0; i < appendsPerWriter; i++) {
              const batch = Array.from({ length: 1 + (i % 3) }, () => event('Raced', { w, i }));
              const stream = i % 5 === 0 ? shared[(w + i) % shared.length]! : `${prefix}w${w}`;
              expectedIds.push(...batch.map((e) => e.id));
              await harness.appendSlowly(stream, batch, Math.random() < 0.3 ? Math.random() * 8 : 0);
            }
          }),
        );
        expectedTotal = expectedIds.length;
        if (received.length < expectedTotal) {
          await Promise.race([
            reading,
            new Promise((_, reject) =>
              setTimeout(() => reject(new Error(`saw ${received.length}/${expectedTotal}`)), 30_000).unref(),
            ),
          ]);
        }
        await subscription.close();

        expect(expectedTotal).toBeGreaterThanOrEqual(4000);
        const ids = received.map((e) => e.id);
        expect(new Set(ids).size).toBe(ids.length); // exactly once
        expect(new Set(ids)).toEqual(new Set(expectedIds)); // none skipped
        for (let i = 1; i < received.length; i++) {
          expect(comparePositions(received[i - 1]!.position, received[i]!.position)).toBe(-1);
        }
        // per stream, revisions arrive in order without gaps
        const lastRevision = new Map<string, number>();
        for (const e of received) {
          expect(e.revision).toBe((lastRevision.get(e.streamName) ?? -1) + 1);
          lastRevision.set(e.streamName, e.revision);
        }
        // and a fresh reader of the log agrees on the order
        const replay: string[] = [];
        let after = head;
        for (;;) {
          const page = await store.readAll({ after, limit: 1000 });
          if (!page.length) break;
          replay.push(...page.filter((e) => e.streamName.startsWith(prefix)).map((e) => e.id));
          after = page[page.length - 1]!.position;
        }
        expect(replay).toEqual(ids);
      }, 120_000);
    });

    it('when asked for its health, then it answers ok with its adapter name', async () => {
      const health = await store.health();
      expect(health).toMatchObject({ ok: true, adapter: store.adapter });
    });

    it('START sorts before every real position', async () => {
      const stream = streamOf();
      const { position } = await store.append(stream, [event()]);
      expect(comparePositions(START, position)).toBe(-1);
    });
  });
}
