import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HashChainedEventStore, verifyChain } from '../../eventstore/hashChain.js';
import { PostgresEventStore } from '../../eventstore/postgres/postgresEventStore.js';
import { createTestDatabase, type TestDatabase } from '../support/testDatabase.js';
import { recordFigures } from './support/figures.js';

/**
 * Found by the crash test: the email sender records the outcomes of a thread's emails
 * concurrently (`concurrency` 4), each appending to `threadEmail-<threadId>` with expected 'any'.
 * This reproduces it without any crash.
 */
describe('concurrent appends to a hash-chained stream', () => {
  let db: TestDatabase;
  let store: HashChainedEventStore;

  beforeAll(async () => {
    db = await createTestDatabase({ poolSize: 10 });
    store = new HashChainedEventStore(new PostgresEventStore(db.pool, { connectionString: db.url }));
  });
  afterAll(async () => {
    await store.close();
    await db.drop();
  });

  const event = (i: number) => ({ id: randomUUID(), type: 'ChaosProbe', data: { i }, metadata: {} });

  async function race(streamName: string, writers: number) {
    await Promise.all(Array.from({ length: writers }, (_, i) => store.append(streamName, [event(i)])));
    return verifyChain(streamName, await store.readStream(streamName));
  }

  it('when several writers append to an existing chained stream at once, then the chain stays intact', async () => {
    const stream = `threadEmail-${randomUUID()}`;
    await store.append(stream, [event(-1)]);
    const verification = await race(stream, 6);
    expect(verification.checked).toBe(7);
    expect(verification.ok).toBe(true);
  });

  it('when several writers make the first appends to a new chained stream at once, then the chain stays intact', async () => {
    let broken = 0;
    const rounds = 20;
    for (let round = 0; round < rounds; round++) {
      const verification = await race(`threadEmail-${randomUUID()}`, 4);
      if (!verification.ok) broken++;
    }
    recordFigures('hashChainRace', { newStreamRaces: rounds, brokenChains: broken });
    // BUG (eventstore/hashChain.ts, HashChainedEventStore.append): with no stream yet (head -1)
    // an expected 'any' is not pinned, so every racing writer chains onto "no previous event"
    // and all of them succeed. Pin it to 'no_stream' there, as an existing head is pinned.
    expect(broken).toBe(0);
  });
});
