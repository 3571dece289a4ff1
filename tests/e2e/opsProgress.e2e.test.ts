import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allProjections } from '../../projections/index.js';
import { ProjectionEngine, type RebuildProgress } from '../../projections/projectionEngine.js';
import { queryAbout, raiseQuery } from '../support/raiseQuery.js';
import { startTestDesk, type ApiClient, type TestDesk } from '../support/testDesk.js';

interface Generation {
  generation: number;
  status: string;
  eventsProcessed: number;
  eventsTotal: number | null;
  eventsPerSecond: number;
  progress: number;
  etaSeconds: number | null;
}
interface Status {
  name: string;
  live: Generation | null;
  building: Generation | null;
  lagEvents: number | null;
}

/** What ops see of the projections: rates over the last minute, and a rebuild's progress from its first batch. */
describe('ops: projection rates and rebuild progress', () => {
  let desk: TestDesk;
  let ops: ApiClient;
  let partner: ApiClient;
  let agent: ApiClient;

  const statuses = async () => (await ops.request<{ items: Status[] }>('GET', '/api/ops/projections')).body.items;
  const statusOf = async (name: string) => (await statuses()).find((s) => s.name === name)!;

  /** A thread with a reply, once the read models show it. */
  async function activity(subject: string): Promise<void> {
    const raised = await raiseQuery(
      partner,
      queryAbout(subject, 'The delivery note lists 12 pallets; we received 11.', {
        queryType: 'DOCUMENTS',
        priority: 'MEDIUM',
      }),
    );
    const reply = await agent.request<{ position: string }>(
      'POST',
      `/api/support/threads/${raised.threadId}/messages`,
      {
        body: 'Checking with the warehouse.',
      },
    );
    const seen = await agent.request('GET', `/api/support/threads/${raised.threadId}?waitFor=${reply.body.position}`);
    expect(seen.status).toBe(200);
  }

  /** Waits until every projection has read the whole log: no batch is still on its way to being counted. */
  async function settled(): Promise<void> {
    for (let i = 0; (await statuses()).some((s) => s.lagEvents !== 0); i++) {
      if (i > 200) throw new Error('the projections did not catch up');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  beforeAll(async () => {
    desk = await startTestDesk();
    [ops, partner, agent] = await Promise.all([
      desk.signIn('ops@demo.test'),
      desk.signIn('partner@acme.test'),
      desk.signIn('agent@demo.test'),
    ]);
  });
  afterAll(async () => desk?.stop());

  it('when the desk has been idle for a minute after activity, then every projection reports 0 events/s', async () => {
    for (let i = 0; i < 3; i++) await activity(`Pallet count ${i}`);
    await settled();
    const busy = await statusOf('threads');
    expect(busy.lagEvents).toBe(0);
    expect(busy.live!.eventsPerSecond).toBeGreaterThan(0);

    // the desk's clock moves past the window: nothing was processed in the last minute
    desk.clock.shift(61_000);
    const idle = await statuses();
    expect(idle.map((s) => [s.name, s.live?.eventsPerSecond])).toEqual(idle.map((s) => [s.name, 0]));
    expect(idle.find((s) => s.name === 'threads')!.lagEvents).toBe(0);
    const metrics = await fetch(`${desk.base}/metrics`).then((r) => r.text());
    expect(metrics).toMatch(/support_desk_projection_events_per_second\{projection="threads"\} 0\n/);

    // and the next events count again
    await activity('Pallet count after the pause');
    expect((await statusOf('threads')).live!.eventsPerSecond).toBeGreaterThan(0);
  });

  it('when a small log is rebuilt, then processed of total and an ETA show after its first batch', async () => {
    for (let i = 0; i < 3; i++) await activity(`Rebuild me ${i}`);
    await settled();
    const { rows } = await desk.db.pool.query<{ n: string }>('SELECT count(*) AS n FROM es_events');
    const total = Number(rows[0]!.n);
    const batch = 5;
    expect(total).toBeGreaterThan(2 * batch);
    // an engine as the CLI makes one, with batches small enough that this log takes several
    const engine = new ProjectionEngine({
      pool: desk.db.pool,
      eventStore: desk.eventStore,
      projections: allProjections,
      batchSize: batch,
      rebuildBatchSize: batch,
      clock: desk.clock.now,
    });
    const reports: RebuildProgress[] = [];
    let seenByOps: Status | undefined;
    const rebuilt = await engine.rebuild('threads', async (p) => {
      reports.push(p);
      // the rebuild waits while ops look: this is what the API and the ops page show after batch 1
      if (reports.length === 1) seenByOps = await statusOf('threads');
    });

    expect(reports[0]).toMatchObject({ processed: batch, total, done: false });
    expect(reports[0]!.fraction).toBeCloseTo(batch / total, 5);
    expect(reports[0]!.etaSeconds).not.toBeNull();
    const building = seenByOps!.building!;
    expect(building).toMatchObject({
      generation: rebuilt.generation,
      status: 'building',
      eventsProcessed: batch,
      eventsTotal: total,
    });
    expect(building.progress).toBeCloseTo(batch / total, 5);
    expect(building.etaSeconds).not.toBeNull();
    expect(building.eventsPerSecond).toBeGreaterThan(0);
    expect(seenByOps!.live!.generation).toBeLessThan(rebuilt.generation);

    // done: every event, and the new generation live
    expect(reports.at(-1)).toMatchObject({ processed: total, total, fraction: 1, etaSeconds: 0, done: true });
    const after = await statusOf('threads');
    expect(after.live!.generation).toBe(rebuilt.generation);
    expect(after.building).toBeNull();
  });
});
