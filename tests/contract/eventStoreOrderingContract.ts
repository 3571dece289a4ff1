import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  comparePositions,
  WrongExpectedVersionError,
  type EventStore,
  type EventToAppend,
  type ExpectedRevision,
  type Position,
  type RecordedEvent,
} from '../../eventstore/port.js';
import { seededRandom, testSeed, type SeededRandom } from '../support/seededRandom.js';

/**
 * The promises of the global order under races, for every expected-revision mode:
 * - each stream's events appear in the global log (readAll and a live subscription) in revision order;
 * - a position from `headPosition()` is a safe place to start a subscription: nothing that commits
 *   later sorts before it.
 */
export interface OrderingHarness {
  store: EventStore;
  /**
   * Appends like `store.append` but keeps the writing transaction open for `holdMs` after the
   * append, before it commits (where the store has transactions), so that racing writers queue
   * behind it. Throws WrongExpectedVersionError like `append`.
   */
  appendHeld(stream: string, events: EventToAppend[], expected: ExpectedRevision, holdMs: number): Promise<void>;
  /**
   * Starts a transaction that appends one event and stays open until `commit()` is called
   * (Postgres only): the window in which a returned position is not yet a safe checkpoint.
   */
  openAppend?(stream: string, event: EventToAppend): Promise<{ commit(): Promise<void> }>;
  cleanup(): Promise<void>;
}

const probe = (data: Record<string, number | string>): EventToAppend => ({
  id: randomUUID(),
  type: 'OrderProbe',
  data,
  metadata: {},
});

/** Reads the whole log after `from`, for the streams under `prefix`. */
async function readAllOf(store: EventStore, from: Position, prefix: string): Promise<RecordedEvent[]> {
  const events: RecordedEvent[] = [];
  let after = from;
  for (;;) {
    const page = await store.readAll({ after, limit: 1000 });
    if (page.length === 0) return events;
    events.push(...page.filter((e) => e.streamName.startsWith(prefix)));
    after = page[page.length - 1]!.position;
  }
}

/** Every place where a stream's revision does not follow the one before it in this order. */
function outOfOrder(events: RecordedEvent[]): string[] {
  const last = new Map<string, number>();
  const problems: string[] = [];
  for (const e of events) {
    const previous = last.get(e.streamName) ?? -1;
    if (e.revision !== previous + 1) {
      problems.push(
        `${e.streamName}: revision ${e.revision} after ${previous} (position ${e.position.commit}-${e.position.prepare})`,
      );
    }
    last.set(e.streamName, Math.max(previous, e.revision));
  }
  return problems;
}

interface RaceShape {
  writers: number;
  appendsPerWriter: number;
  streams: number;
  /** How each append picks its expected revision. */
  mode: 'exists' | 'any' | 'revision' | 'mixed';
  /** Share of appends that hold their transaction open, and for how long at most. */
  heldShare: number;
  maxHoldMs: number;
}

export interface OrderingOptions {
  /** The harness has `openAppend`: the store has transactions a caller can hold open. */
  holdsTransactions: boolean;
}

export function eventStoreOrderingContract(
  name: string,
  open: () => Promise<OrderingHarness>,
  options: OrderingOptions,
): void {
  describe(`EventStore ordering contract: ${name}`, () => {
    let harness: OrderingHarness;
    let store: EventStore;
    beforeAll(async () => {
      harness = await open();
      store = harness.store;
    });
    afterAll(async () => harness?.cleanup());

    /** One append in the chosen mode; an exact revision that lost the race reads the head again. */
    async function appendInMode(random: SeededRandom, stream: string, batch: EventToAppend[], shape: RaceShape) {
      const mode = shape.mode === 'mixed' ? (['exists', 'any', 'revision'] as const)[random.int(3)]! : shape.mode;
      const hold = random.chance(shape.heldShare) ? 1 + random.int(shape.maxHoldMs) : 0;
      for (;;) {
        let expected: ExpectedRevision = mode === 'revision' ? 'any' : mode;
        if (mode === 'revision') {
          const [last] = await store.readStream(stream, { direction: 'backwards', limit: 1 });
          expected = last ? last.revision : 'no_stream';
        }
        try {
          if (hold > 0) await harness.appendHeld(stream, batch, expected, hold);
          else await store.append(stream, batch, { expected });
          return;
        } catch (error) {
          if (mode === 'revision' && error instanceof WrongExpectedVersionError) continue;
          throw error;
        }
      }
    }

    /**
     * Not a stream's setup event. `headPosition()` may trail the setup (while a transaction
     * elsewhere in the cluster is open, which is what makes it a safe start), so those can follow it.
     */
    const isRace = (e: RecordedEvent) => e.data['setup'] === undefined;

    async function race(label: string, shape: RaceShape) {
      const random = seededRandom(testSeed(`ordering ${name} ${label}`));
      const prefix = `order${randomUUID().replaceAll('-', '').slice(0, 10)}-`;
      const streams = Array.from({ length: shape.streams }, (_, i) => `${prefix}s${i}`);
      for (const stream of streams) await store.append(stream, [probe({ setup: stream })], { expected: 'no_stream' });
      const head = await store.headPosition();
      const subscription = store.subscribeToAll({ after: head, filter: { streamPrefixes: [prefix] } });
      const live: RecordedEvent[] = [];
      let expectedTotal = Number.POSITIVE_INFINITY;
      const reading = (async () => {
        for await (const e of subscription) {
          if (isRace(e)) live.push(e);
          if (live.length >= expectedTotal) break;
        }
      })();
      // every writer gets its own generator, seeded from the run's, so its choices replay
      const seeds = Array.from({ length: shape.writers }, () => random.int(2 ** 31));
      let appended = 0;
      await Promise.all(
        seeds.map(async (seed, w) => {
          const mine = seededRandom(seed);
          for (let i = 0; i < shape.appendsPerWriter; i++) {
            const stream = streams[mine.int(streams.length)]!;
            const batch = Array.from({ length: 1 + mine.int(3) }, (_, k) => probe({ w, i, k }));
            await appendInMode(mine, stream, batch, shape);
            appended += batch.length;
          }
        }),
      );
      expectedTotal = appended;
      if (live.length < expectedTotal) {
        await Promise.race([
          reading,
          new Promise((_, reject) =>
            setTimeout(() => reject(new Error(`the subscription saw ${live.length}/${expectedTotal}`)), 30_000).unref(),
          ),
        ]);
      }
      await subscription.close();
      const logged = (await readAllOf(store, head, prefix)).filter(isRace);
      // the setup events (revision 0) are left out: each stream continues at revision 1
      const fromOne = (events: RecordedEvent[]) =>
        outOfOrder([...streams.map((s) => ({ streamName: s, revision: 0 }) as RecordedEvent), ...events]);
      const inLog = fromOne(logged);
      const inSubscription = fromOne(live);
      console.log(
        `ordering ${name} ${label}: ${appended} events on ${shape.streams} streams by ${shape.writers} writers; ` +
          `out of revision order: ${inLog.length} in readAll, ${inSubscription.length} in the subscription`,
      );
      expect(logged).toHaveLength(appended);
      expect(live.map((e) => e.id)).toEqual(logged.map((e) => e.id));
      expect(inLog.slice(0, 5)).toEqual([]);
      expect(inSubscription.slice(0, 5)).toEqual([]);
      for (let i = 1; i < logged.length; i++) {
        expect(comparePositions(logged[i - 1]!.position, logged[i]!.position)).toBe(-1);
      }
    }

    const races: [string, RaceShape][] = [
      [
        "32 writers race 'exists' appends on 3 streams, some holding their transaction open",
        { writers: 32, appendsPerWriter: 20, streams: 3, mode: 'exists', heldShare: 0.2, maxHoldMs: 5 },
      ],
      [
        "32 writers race 'any' appends on 3 existing streams",
        { writers: 32, appendsPerWriter: 20, streams: 3, mode: 'any', heldShare: 0.2, maxHoldMs: 5 },
      ],
      [
        '16 writers race exact-revision appends on 3 streams',
        { writers: 16, appendsPerWriter: 15, streams: 3, mode: 'revision', heldShare: 0.2, maxHoldMs: 5 },
      ],
      [
        '24 writers race appends of every mode on 4 streams',
        { writers: 24, appendsPerWriter: 20, streams: 4, mode: 'mixed', heldShare: 0.25, maxHoldMs: 5 },
      ],
    ];
    it.each(races)(
      'when %s, then each stream stays in revision order',
      async (_, shape) => {
        await race(shape.mode, shape);
      },
      120_000,
    );

    it.each(['any', 'no_stream'] as const)(
      "when 4 writers race the first '%s' appends on each of 240 new streams, then each stream stays in revision order",
      async (mode) => {
        const random = seededRandom(testSeed(`ordering ${name} first ${mode}`));
        const prefix = `first${randomUUID().replaceAll('-', '').slice(0, 10)}-`;
        const head = await store.headPosition();
        let written = 0;
        for (let s = 0; s < 240; s++) {
          const stream = `${prefix}s${s}`;
          const outcomes = await Promise.all(
            Array.from({ length: 4 }, async (_, w) => {
              const batch = Array.from({ length: 1 + random.int(2) }, (_, k) => probe({ w, k }));
              const hold = random.chance(0.3) ? 1 + random.int(4) : 0;
              try {
                if (hold > 0) await harness.appendHeld(stream, batch, mode, hold);
                else await store.append(stream, batch, { expected: mode });
                return batch.length;
              } catch (error) {
                if (mode === 'no_stream' && error instanceof WrongExpectedVersionError) return 0;
                throw error;
              }
            }),
          );
          if (mode === 'no_stream') expect(outcomes.filter((n) => n > 0)).toHaveLength(1);
          written += outcomes.reduce((a, b) => a + b, 0);
        }
        const logged = await readAllOf(store, head, prefix);
        const problems = outOfOrder(logged);
        console.log(
          `ordering ${name} first ${mode}: ${logged.length} events; out of revision order: ${problems.length}`,
        );
        expect(logged).toHaveLength(written);
        expect(problems.slice(0, 5)).toEqual([]);
      },
      120_000,
    );

    // KurrentDB commits an append before it answers: there is no open append to race there
    if (options.holdsTransactions)
      it('when a subscription starts from headPosition() while an append is still uncommitted, then it receives that append', async () => {
        if (!harness.openAppend) throw new Error('the harness says it holds transactions but has no openAppend');
        const prefix = `head${randomUUID().replaceAll('-', '').slice(0, 10)}-`;
        const held = await harness.openAppend(`${prefix}held`, probe({ n: 1 }));
        // a later append commits first: its returned position is past the held one's place in the order
        const later = await store.append(`${prefix}later`, [probe({ n: 2 })]);
        const head = await store.headPosition();
        expect(comparePositions(head, later.position)).toBe(-1); // not yet safe to report as the head
        const subscription = store.subscribeToAll({ after: head, filter: { streamPrefixes: [prefix] } });
        const seen: string[] = [];
        const reading = (async () => {
          for await (const e of subscription) {
            seen.push(e.streamName);
            if (seen.length === 2) break;
          }
        })();
        await held.commit();
        await reading;
        expect(seen).toEqual([`${prefix}held`, `${prefix}later`]);
        const after = await store.headPosition();
        expect(comparePositions(after, later.position)).toBeGreaterThanOrEqual(0);
      });
  });
}
