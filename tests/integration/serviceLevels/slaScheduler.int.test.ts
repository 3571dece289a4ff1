import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { threadDecider, threadStreamName } from '../../../domain/index.js';
import { handleCommand } from '../../../commands/commandHandler.js';
import { tableNamesFor } from '../../../projections/projection.js';
import { SLA_SCHEDULER_AUTHOR, SlaScheduler, slaAlertEventId } from '../../../workers/serviceLevels/slaScheduler.js';
import { committedLogEnd } from '../../support/logEnd.js';
import { queryAbout, raiseQuery } from '../../support/raiseQuery.js';
import { seededRandom, testSeed } from '../../support/seededRandom.js';
import { setUpSla } from '../../support/serviceLevels.js';
import { ok, startTestDesk, type TestDesk } from '../../support/testDesk.js';

/*
 * The scheduler with two workers on one database, a blue/green rebuild of its read model in the
 * middle: every warning and breach that falls due is recorded, and none twice.
 */

const MINUTE = 60_000;

describe('the service-level scheduler', () => {
  let desk: TestDesk;

  beforeAll(async () => {
    desk = await startTestDesk();
  });
  afterAll(async () => {
    await desk?.stop();
  });

  async function caughtUp(): Promise<void> {
    const end = await committedLogEnd(desk.db.pool);
    for (let i = 0; i < 600; i++) {
      if (await desk.desk.engine.reached(end, ['serviceLevels'])) return;
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error('the serviceLevels projection did not catch up');
  }

  /** Both schedulers, side by side, until neither finds anything due (the read model caught up each round). */
  async function drain(schedulers: SlaScheduler[]): Promise<number> {
    let recorded = 0;
    for (let round = 0; round < 300; round++) {
      await caughtUp();
      const results = await Promise.all(schedulers.map((s) => s.runOnce()));
      recorded += results.reduce((n, r) => n + r.recorded, 0);
      if (results.every((r) => r.looked === 0)) return recorded;
    }
    throw new Error('the schedulers never ran dry');
  }

  async function alertsInLog(): Promise<Map<string, number>> {
    const { rows } = await desk.db.pool.query<{ key: string; n: number }>(
      `SELECT event_type || ':' || (data->>'threadId') || ':' || (data->>'metric') || ':' || (data->>'cycle') AS key, count(*)::int AS n
         FROM es_events WHERE event_type IN ('SlaWarning', 'SlaBreached') GROUP BY 1`,
    );
    return new Map(rows.map((r) => [r.key, r.n]));
  }

  it('when two workers run while the read model is rebuilt, then each alert due is recorded exactly once', async () => {
    const random = seededRandom(testSeed('service-level scheduler'));
    const admin = await desk.signIn('admin@demo.test');
    const agent = await desk.signIn('agent@demo.test');
    const partner = await desk.signIn('partner@acme.test');
    // first reply in 10 minutes (warning 4 before), resolution in 60 (warning at 56)
    await setUpSla(admin, { first: 10, next: 10, resolution: 60, warn: 4 });

    const threads = await Promise.all(
      Array.from({ length: 48 }, (_, i) => raiseQuery(partner, queryAbout(`Query ${i}`, 'Please look at this'))),
    );
    // a random third are answered at once: their first reply is met, their resolution waits on the partner (paused)
    const answered = new Set(threads.filter(() => random.chance(1 / 3)).map((t) => t.threadId));
    for (const id of answered)
      await ok(agent.request('POST', `/api/support/threads/${id}/messages`, { body: 'On it' }));
    const waiting = threads.map((t) => t.threadId).filter((id) => !answered.has(id));

    const schedulers = [0, 1].map(
      () =>
        new SlaScheduler({
          pool: desk.db.pool,
          eventStore: desk.eventStore,
          clock: desk.clock.now,
          batchSize: 5,
          recheckMs: 1,
        }),
    );
    expect(await drain(schedulers)).toBe(0); // nothing is due yet

    desk.clock.shift(7 * MINUTE); // inside the first reply's warning window
    expect(await drain(schedulers)).toBe(waiting.length);

    desk.clock.shift(5 * MINUTE); // past the first reply's deadline; the read model is rebuilt meanwhile
    const before = (await desk.desk.engine.liveGeneration('serviceLevels'))!.generation;
    const rebuilding = desk.desk.engine.rebuild('serviceLevels');
    const duringRebuild = await drain(schedulers);
    const rebuilt = await rebuilding;
    expect(rebuilt.generation).toBe(before + 1);
    expect(duringRebuild + (await drain(schedulers))).toBe(waiting.length);

    desk.clock.shift(50 * MINUTE); // 62 minutes: past the resolution deadline of the unanswered ones
    expect(await drain(schedulers)).toBe(waiting.length); // the warning is stale by now: the breach alone

    const alerts = await alertsInLog();
    expect([...alerts.values()].every((n) => n === 1)).toBe(true);
    for (const id of waiting) {
      expect(alerts.get(`SlaWarning:${id}:firstResponse:0`)).toBe(1);
      expect(alerts.get(`SlaBreached:${id}:firstResponse:0`)).toBe(1);
      expect(alerts.get(`SlaBreached:${id}:resolution:0`)).toBe(1);
    }
    expect(alerts.size).toBe(waiting.length * 3);
    for (const id of answered) expect([...alerts.keys()].some((k) => k.includes(id))).toBe(false);

    // the read model the rebuild made equals one folded from scratch again
    await caughtUp();
    const checksum = async (generation: number) => {
      const t = tableNamesFor(generation);
      const { rows } = await desk.db.pool.query<{ sum: string }>(
        `SELECT md5(string_agg(md5(x::text), '' ORDER BY x.thread_id)) AS sum FROM ${t('sla_clocks')} x`,
      );
      return rows[0]!.sum;
    };
    const live = (await desk.desk.engine.liveGeneration('serviceLevels'))!;
    const folded = await checksum(live.generation);
    const again = await desk.desk.engine.rebuild('serviceLevels');
    expect(await checksum(again.generation)).toBe(folded);
  }, 180_000);

  it('when two appends of the same alert race (no lock between them), then the log holds it once', async () => {
    const admin = await desk.signIn('admin@demo.test');
    const partner = await desk.signIn('partner@acme.test');
    await setUpSla(admin, { first: 10, next: null, resolution: null, warn: 0 });
    const { threadId } = await raiseQuery(partner, queryAbout('A race', 'Two schedulers at once'));
    desk.clock.shift(11 * MINUTE);
    const record = () =>
      handleCommand(
        desk.eventStore,
        threadDecider,
        threadStreamName(threadId),
        {
          type: 'RecordSlaAlerts',
          data: { threadId },
          metadata: { now: desk.clock.now(), author: SLA_SCHEDULER_AUTHOR },
        },
        {
          metadata: {},
          eventId: (event) =>
            slaAlertEventId(event.data as { threadId: string; metric: string; cycle: number }, event.type),
        },
      );
    const outcomes = await Promise.all([record(), record(), record()]);
    expect(outcomes.reduce((n, o) => n + o.appended.length, 0)).toBeGreaterThanOrEqual(1);
    const { rows } = await desk.db.pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM es_events WHERE event_type = 'SlaBreached' AND data->>'threadId' = $1`,
      [threadId],
    );
    expect(rows[0]!.n).toBe(1);
  }, 60_000);
});
