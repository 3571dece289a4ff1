import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HashChainedEventStore, verifyChain } from '../../../eventstore/hashChain.js';
import { WrongExpectedVersionError } from '../../../eventstore/port.js';
import { PostgresEventStore } from '../../../eventstore/postgres/postgresEventStore.js';
import { createTestDatabase, type TestDatabase } from '../../support/testDatabase.js';

/**
 * The chained store pins 'any' and 'exists' to the head it chained onto. When another writer
 * moves the stream first, that pin fails; the caller never asked for a revision, so it must
 * never see a version error: the store chains onto the new head and tries again.
 */
describe("HashChainedEventStore: 'any' and 'exists' under contention", () => {
  let db: TestDatabase;
  let postgres: PostgresEventStore;

  beforeAll(async () => {
    db = await createTestDatabase({ poolSize: 30 });
    postgres = new PostgresEventStore(db.pool, { connectionString: db.url });
  });
  afterAll(async () => {
    await postgres.close();
    await db.drop();
  });

  const event = (w: number, i: number) => ({ id: randomUUID(), type: 'ChainProbe', data: { w, i }, metadata: {} });

  it.each(['any', 'exists'] as const)(
    "when 24 writers on 4 store instances append with '%s' to one stream, then all succeed and the chain holds",
    async (expected) => {
      // four processes' worth of chained stores, each with its own head cache and queue
      const instances = Array.from({ length: 4 }, () => new HashChainedEventStore(postgres));
      const stream = `threadEmail-${randomUUID()}`;
      await instances[0]!.append(stream, [event(-1, 0)], { expected: 'no_stream' });
      const perWriter = 10;
      const outcomes = await Promise.allSettled(
        Array.from({ length: 24 }, async (_, w) => {
          for (let i = 0; i < perWriter; i++) await instances[w % 4]!.append(stream, [event(w, i)], { expected });
        }),
      );
      const refused = outcomes.filter((o) => o.status === 'rejected').map((o) => String(o.reason));
      expect(refused).toEqual([]);
      const events = await postgres.readStream(stream);
      expect(events).toHaveLength(1 + 24 * perWriter);
      expect(verifyChain(stream, events)).toMatchObject({ ok: true, checked: 1 + 24 * perWriter });
    },
    120_000,
  );

  it("when 'exists' is asked of a missing stream, then it is a version error at once and nothing is written", async () => {
    const store = new HashChainedEventStore(postgres);
    const stream = `threadEmail-${randomUUID()}`;
    const error = await store.append(stream, [event(0, 0)], { expected: 'exists' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WrongExpectedVersionError);
    expect(error).toMatchObject({ expected: 'exists', actual: 'no_stream' });
    expect(await postgres.readStream(stream)).toEqual([]);
  });

  it('when an exact revision is stale, then it is still a version error (only the caller may decide to retry)', async () => {
    const store = new HashChainedEventStore(postgres);
    const stream = `threadEmail-${randomUUID()}`;
    await store.append(stream, [event(0, 0), event(0, 1)], { expected: 'no_stream' });
    const error = await store.append(stream, [event(0, 2)], { expected: 0 }).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'WrongExpectedVersionError', expected: 0, actual: 1 });
  });

  it('when the same ids are appended again with any, then it answers duplicate and the chain holds', async () => {
    const store = new HashChainedEventStore(postgres);
    const other = new HashChainedEventStore(postgres);
    const stream = `threadEmail-${randomUUID()}`;
    const batch = [event(0, 0)];
    const first = await store.append(stream, batch);
    await other.append(stream, [event(1, 0)]);
    // a crash-and-retry of the first append, from a process whose cache knows nothing
    const again = await new HashChainedEventStore(postgres).append(stream, batch);
    expect(again).toMatchObject({ duplicate: true, nextRevision: first.nextRevision });
    await store.append(stream, [event(2, 0)]);
    const events = await postgres.readStream(stream);
    expect(events).toHaveLength(3);
    expect(verifyChain(stream, events).ok).toBe(true);
  });
});
