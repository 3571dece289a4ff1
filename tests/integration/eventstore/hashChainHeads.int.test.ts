import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HashChainedEventStore, verifyChain } from '../../../eventstore/hashChain.js';
import { WrongExpectedVersionError, type EventStore, type ReadStreamOptions } from '../../../eventstore/port.js';
import { PostgresEventStore } from '../../../eventstore/postgres/postgresEventStore.js';
import { createTestDatabase, type TestDatabase } from '../../support/testDatabase.js';

/** The real Postgres store, counting the head look-ups (backwards reads of one event) made through it. */
function countingHeadReads(inner: EventStore): { store: EventStore; headReads: () => number } {
  let reads = 0;
  const store = Object.create(inner) as EventStore;
  store.readStream = (name: string, options?: ReadStreamOptions) => {
    if (options?.direction === 'backwards' && options.limit === 1) reads++;
    return inner.readStream(name, options);
  };
  return { store, headReads: () => reads };
}

/**
 * The chained store keeps the heads of streams it has just read or written, so that a command
 * (read the stream, decide, append at that revision) does not read the stream's head a second time.
 */
describe('HashChainedEventStore: heads of recently used streams', () => {
  let db: TestDatabase;
  let postgres: PostgresEventStore;

  beforeAll(async () => {
    db = await createTestDatabase({ poolSize: 6 });
    postgres = new PostgresEventStore(db.pool, { connectionString: db.url });
  });
  afterAll(async () => {
    await postgres.close();
    await db.drop();
  });

  const event = (i: number) => ({ id: randomUUID(), type: 'HeadProbe', data: { i }, metadata: {} });

  it('when a command reads the whole stream and appends at its revision, then the head is not read again', async () => {
    const counting = countingHeadReads(postgres);
    const store = new HashChainedEventStore(counting.store);
    const stream = `thread-${randomUUID()}`;
    await store.append(stream, [event(0)], { expected: 'no_stream' });
    for (let i = 1; i <= 10; i++) {
      const events = await store.readStream(stream);
      await store.append(stream, [event(i), event(i + 100)], { expected: events[events.length - 1]!.revision });
    }
    // only the very first append (no stream yet, nothing cached) looked for a head
    expect(counting.headReads()).toBe(1);
    const verification = verifyChain(stream, await postgres.readStream(stream));
    expect(verification).toMatchObject({ ok: true, checked: 21 });
  });

  it('when another process moved the stream, then a stale head is refused by the store and never breaks the chain', async () => {
    const here = new HashChainedEventStore(postgres);
    const elsewhere = new HashChainedEventStore(postgres); // its own cache, like a second API process
    const stream = `thread-${randomUUID()}`;
    await here.append(stream, [event(0)]);
    const seen = await here.readStream(stream); // here caches revision 0
    await elsewhere.append(stream, [event(1)]); // the stream moves to 1 behind here's back

    // an exact revision the caller saw: refused as stale (the command handler decides again)
    await expect(here.append(stream, [event(2)], { expected: seen[0]!.revision })).rejects.toBeInstanceOf(
      WrongExpectedVersionError,
    );
    // 'any' (process managers): the stale head is dropped and the append chains onto the real one
    await here.append(stream, [event(3)], { expected: 'any' });
    await elsewhere.append(stream, [event(4)], { expected: 'any' });
    await here.append(stream, [event(5)]);

    const events = await postgres.readStream(stream);
    expect(events.map((e) => (e.data as { i: number }).i)).toEqual([0, 1, 3, 4, 5]);
    expect(verifyChain(stream, events).ok).toBe(true);
  });

  it('when writers with their own caches race on one stream, then every chain stays intact', async () => {
    const stores = Array.from({ length: 4 }, () => new HashChainedEventStore(postgres));
    const stream = `threadEmail-${randomUUID()}`;
    await Promise.all(
      stores.map(async (store, w) => {
        for (let i = 0; i < 15; i++) await store.append(stream, [event(w * 100 + i)]);
      }),
    );
    const events = await postgres.readStream(stream);
    expect(events).toHaveLength(60);
    expect(verifyChain(stream, events).ok).toBe(true);
  });
});
