import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventStore, ReadAllOptions } from '../../../eventstore/port.js';
import { PostgresEventStore } from '../../../eventstore/postgres/postgresEventStore.js';
import { LogWaker } from '../../../workers/logWaker.js';
import { createTestDatabase, type TestDatabase } from '../../support/testDatabase.js';

/** The real store, with reads of the log failing while `down` is set (as during a database restart). */
function withOutage(inner: EventStore): {
  store: EventStore;
  setDown: (down: boolean) => void;
  failedReads: () => number;
} {
  let down = false;
  let failed = 0;
  const store = Object.create(inner) as EventStore;
  const refuse = () => {
    failed++;
    return Promise.reject(new Error('Connection terminated unexpectedly'));
  };
  store.readAll = (options?: ReadAllOptions) => (down ? refuse() : inner.readAll(options));
  store.headPosition = () => (down ? refuse() : inner.headPosition());
  return { store, setDown: (d) => (down = d), failedReads: () => failed };
}

/** Waits until `condition` holds; a store that never gets there fails the test (a liveness bound, not a timing). */
async function until(condition: () => boolean, what: string, limitMs = 30_000): Promise<void> {
  for (let waited = 0; !condition(); waited += 10) {
    if (waited > limitMs) throw new Error(`${what}: not within ${limitMs} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** 'woken' when the waiter is released at once (before the next turn of the event loop), 'waiting' otherwise. */
function releasedAtOnce(waker: LogWaker, mark: number): Promise<'woken' | 'waiting'> {
  return Promise.race([
    waker.wait(60_000, mark).then(() => 'woken' as const),
    new Promise<'waiting'>((resolve) => setImmediate(() => resolve('waiting'))),
  ]);
}

describe('LogWaker', () => {
  let db: TestDatabase;
  let postgres: PostgresEventStore;

  beforeAll(async () => {
    db = await createTestDatabase({ poolSize: 4 });
    postgres = new PostgresEventStore(db.pool, { connectionString: db.url, pollIntervalMs: 50 });
  });
  afterAll(async () => {
    await postgres.close();
    await db.drop();
  });

  const append = () =>
    postgres.append(`probe-${randomUUID()}`, [{ id: randomUUID(), type: 'Probe', data: {}, metadata: {} }]);

  it('when an append lands between a read and the wait, then the waiter wakes at once', async () => {
    const waker = new LogWaker(postgres);
    await waker.start();
    const mark = waker.mark(); // taken before "reading"
    expect(await releasedAtOnce(waker, mark)).toBe('waiting'); // nothing appended yet
    await append(); // lands while the worker would still be busy with its read
    await until(() => waker.mark() !== mark, 'the waker counts the append');
    // the worker now waits from its mark: the append since then releases it without a wait
    expect(await releasedAtOnce(waker, mark)).toBe('woken');
    await waker.stop();
  });

  it('when the store goes away and comes back, then the waker follows the log again and wakes waiters on appends', async () => {
    const outage = withOutage(postgres);
    const waker = new LogWaker(outage.store, 50);
    await waker.start();

    outage.setDown(true);
    await until(() => outage.failedReads() > 1, 'its subscription fails and it keeps retrying');
    outage.setDown(false);

    const mark = waker.mark();
    const waiting = waker.wait(60_000, mark);
    await append();
    // woken by the append (or by the one wake it gives for what it may have missed), not by the timeout
    await until(() => waker.mark() !== mark, 'the waker follows the log again and counts the append');
    await waiting;
    await waker.stop();
  });
});
