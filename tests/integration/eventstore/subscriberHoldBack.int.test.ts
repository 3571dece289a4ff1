import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RecordedEvent } from '../../../eventstore/port.js';
import { createTestDatabase, type TestDatabase } from '../../support/testDatabase.js';
import { startTestDesk, type TestDesk } from '../../support/testDesk.js';

/**
 * Readers of the log stop below the oldest running transaction that holds an id, in any
 * database of the cluster: that is the price of never skipping an event. The desk shows it.
 */
describe('a transaction held open elsewhere in the cluster', () => {
  let desk: TestDesk;
  let elsewhere: TestDatabase;

  beforeAll(async () => {
    desk = await startTestDesk({}, { projector: false });
    elsewhere = await createTestDatabase({ migrate: false, poolSize: 2 });
  });
  afterAll(async () => {
    await desk?.stop();
    await elsewhere?.drop();
  });

  it('when another database holds a transaction open, then subscribers wait for it, and /healthz and /metrics show how long it has been open', async () => {
    const stream = `holdback-${randomUUID()}`;
    const head = await desk.eventStore.headPosition();
    const subscription = desk.eventStore.subscribeToAll({ after: head, filter: { streamPrefixes: [stream] } });
    const seen: RecordedEvent[] = [];
    let delivered: () => void = () => undefined;
    const firstDelivery = new Promise<void>((resolve) => (delivered = resolve));
    const reading = (async () => {
      for await (const e of subscription) {
        seen.push(e);
        delivered();
        break;
      }
    })();

    // a transaction with an id, in another database, left open
    const other = await elsewhere.pool.connect();
    await other.query('BEGIN');
    await other.query('CREATE TEMP TABLE held (n int)');
    await other.query('SELECT pg_sleep(0.05)');
    await desk.eventStore.append(stream, [{ id: randomUUID(), type: 'HeldBack', data: {}, metadata: {} }]);

    // the event is committed, yet no subscriber may read it while the older transaction runs
    const { rows } = await desk.db.pool.query<{ n: string }>(
      'SELECT count(*) AS n FROM es_events WHERE stream_name = $1',
      [stream],
    );
    expect(rows[0]?.n).toBe('1');
    expect((await desk.eventStore.readAll({ after: head })).filter((e) => e.streamName === stream)).toEqual([]);
    expect(seen).toEqual([]);

    const health = (
      await desk.anonymous.request<{
        eventStore: { holdBack: { oldestTransactionSeconds: number; database: string } };
      }>('GET', '/healthz')
    ).body;
    expect(health.eventStore.holdBack.oldestTransactionSeconds).toBeGreaterThanOrEqual(0.05);
    expect(health.eventStore.holdBack.database).toEqual(expect.any(String));
    const metrics = await fetch(`${desk.base}/metrics`).then((r) => r.text());
    const gauge = /^support_desk_event_store_hold_back_seconds ([0-9.e+-]+)$/m.exec(metrics);
    expect(Number(gauge?.[1])).toBeGreaterThanOrEqual(0.05);

    await other.query('COMMIT');
    other.release();
    await firstDelivery;
    await reading;
    await subscription.close();
    expect(seen.map((e) => e.streamName)).toEqual([stream]);
  });
});
