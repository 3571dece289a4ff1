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

/** Resolves with 'woken' when the waiter wakes, 'timeout' when the guard elapses first. */
function wokenWithin(waker: LogWaker, mark: number, guardMs: number): Promise<'woken' | 'timeout'> {
  return Promise.race([
    waker.wait(60_000, mark).then(() => 'woken' as const),
    new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), guardMs)),
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
    await append(); // lands while the worker would still be busy with its read
    await new Promise((r) => setTimeout(r, 300)); // the waker has counted it by now
    expect(await wokenWithin(waker, mark, 100)).toBe('woken');
    await waker.stop();
  });

  it('when the store goes away and comes back, then the waker follows the log again and wakes waiters on appends', async () => {
    const outage = withOutage(postgres);
    const waker = new LogWaker(outage.store, 50);
    await waker.start();

    outage.setDown(true);
    await new Promise((r) => setTimeout(r, 300)); // its subscription fails and it keeps retrying
    expect(outage.failedReads()).toBeGreaterThan(0);
    outage.setDown(false);
    await new Promise((r) => setTimeout(r, 300)); // following the log again

    const mark = waker.mark();
    const woken = wokenWithin(waker, mark, 5000);
    await append();
    expect(await woken).toBe('woken');
    await waker.stop();
  });
});
