import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PostgresEventStore } from '../../../eventstore/postgres/postgresEventStore.js';
import { parsePosition, comparePositions } from '../../../eventstore/port.js';
import { allProjections } from '../../../projections/index.js';
import { ProjectionEngine } from '../../../projections/projectionEngine.js';
import { tableNamesFor } from '../../../projections/projection.js';
import { seedThreads } from '../../../ops/seed.js';
import { committedLogEnd } from '../../support/logEnd.js';
import { createTestDatabase, type TestDatabase } from '../../support/testDatabase.js';
import { startTestDesk } from '../../support/testDesk.js';

const assignments = [
  { assignmentId: 'asg-1001', reference: 'A-1001', partnerOrgId: 'acme' },
  { assignmentId: 'asg-2001', reference: 'G-2001', partnerOrgId: 'globex' },
];
const agents = [{ id: 'agent-1', name: 'Alex Agent' }];

/** An order-independent fingerprint of every row of a projection generation's tables. */
async function checksum(db: TestDatabase, generation: number): Promise<Record<string, string>> {
  const t = tableNamesFor(generation);
  const out: Record<string, string> = {};
  for (const [table, key] of [
    ['support_inbox', 'thread_id'],
    ['support_messages', 'message_id'],
  ] as const) {
    const { rows } = await db.pool.query<{ sum: string; n: number }>(
      `SELECT md5(coalesce(string_agg(md5(x::text), '' ORDER BY x.${key}), '')) AS sum, count(*)::int AS n FROM ${t(table)} x`,
    );
    out[table] = `${rows[0]!.n}:${rows[0]!.sum}`;
  }
  return out;
}

function startProjectorProcess(db: TestDatabase): { child: ChildProcess; exited: Promise<number | null> } {
  const child = spawn(process.execPath, ['--import', 'tsx', 'app/main.ts', 'projector'], {
    env: { ...process.env, DATABASE_URL: db.url, LOG_LEVEL: 'warn', PROJECTION_BATCH_SIZE: '500', SEED_DEMO: 'false' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  return { child, exited: new Promise((resolve) => child.once('exit', (code) => resolve(code))) };
}

describe('projections survive crashes and rebuild without downtime', () => {
  let db: TestDatabase;
  let store: PostgresEventStore;
  let engine: ProjectionEngine;

  beforeAll(async () => {
    db = await createTestDatabase();
    store = new PostgresEventStore(db.pool, { connectionString: db.url });
    engine = new ProjectionEngine({ pool: db.pool, eventStore: store, projections: allProjections, batchSize: 500 });
  });
  afterAll(async () => {
    await store.close();
    await db.drop();
  });

  it('when the projector process is killed mid-batch, again and again, then after restarts its tables equal a clean rebuild', async () => {
    const appended = await seedThreads(store, db.pool, { threads: 4000, assignments, agents });
    expect(appended).toBeGreaterThan(9000);
    const head = await committedLogEnd(db.pool);
    let kills = 0;
    for (;;) {
      const startedAt = (await engine.liveGeneration('threads'))?.position;
      const { child, exited } = startProjectorProcess(db);
      const live = await waitForProgress(engine, startedAt);
      if (live && comparePositions(parsePosition(live.position), head) >= 0) {
        child.kill('SIGTERM');
        await exited;
        break;
      }
      // it is mid-catch-up now: kill it at a random moment, most likely inside a batch
      await new Promise((r) => setTimeout(r, Math.random() * 150));
      child.kill('SIGKILL');
      await exited;
      kills++;
      if (kills > 40) throw new Error('the projector never caught up');
    }
    expect(kills).toBeGreaterThan(0);
    const crashed = (await engine.liveGeneration('threads'))!;
    const before = await checksum(db, crashed.generation);
    const rebuilt = await engine.rebuild('threads');
    expect(rebuilt.generation).toBe(crashed.generation + 1);
    expect(await checksum(db, rebuilt.generation)).toEqual(before);
    const { rows } = await db.pool.query(`SELECT to_regclass('support_inbox_g${crashed.generation}') AS gone`);
    expect(rows[0].gone).toBeNull(); // old generation dropped after the swap
  }, 240_000);
});

/** Until the freshly started process has committed a batch (its position moved). */
async function waitForProgress(engine: ProjectionEngine, from: string | undefined) {
  for (let i = 0; i < 600; i++) {
    const live = await engine.liveGeneration('threads');
    if (live && live.position !== from) return live;
    await new Promise((r) => setTimeout(r, 20));
  }
  return engine.liveGeneration('threads');
}

describe('a rebuild under concurrent writes', () => {
  it('when writers and readers keep going during a blue/green rebuild, then no read fails and no event is missed', async () => {
    const desk = await startTestDesk();
    try {
      const agent = await desk.signIn('agent@demo.test');
      const ops = await desk.signIn('ops@demo.test');
      const partner = await desk.signIn('partner@acme.test');
      await seedThreads(desk.eventStore, desk.db.pool, {
        threads: 3000,
        assignments: [{ assignmentId: 'asg-1001', reference: 'A-1001', partnerOrgId: 'acme' }],
        agents: [{ id: agent.accountId, name: 'Alex' }],
      });
      let writing = true;
      const raised: string[] = [];
      const readStatuses: number[] = [];
      const writers = Array.from({ length: 3 }, async () => {
        while (writing) {
          const r = await partner.request<{ threadId: string }>('POST', '/api/support/threads', {
            assignmentId: 'asg-1001',
            queryType: 'OTHER',
            priority: 'LOW',
            subject: 'During rebuild',
            body: 'Written while the inbox was being rebuilt',
          });
          if (r.status === 201) raised.push(r.body.threadId);
          await agent.request('POST', `/api/support/threads/${r.body.threadId}/messages`, { body: 'on it' });
        }
      });
      const readers = Array.from({ length: 2 }, async () => {
        while (writing)
          readStatuses.push((await agent.request('GET', '/api/support/inbox?status=OPEN&limit=20')).status);
      });
      const before = (await desk.desk.engine.liveGeneration('threads'))!.generation;
      expect((await ops.request('POST', '/api/ops/projections/threads/rebuild')).status).toBe(202);
      for (let i = 0; i < 600; i++) {
        const live = await desk.desk.engine.liveGeneration('threads');
        if (live && live.generation > before) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      await new Promise((r) => setTimeout(r, 300));
      writing = false;
      await Promise.all([...writers, ...readers]);
      expect((await desk.desk.engine.liveGeneration('threads'))!.generation).toBe(before + 1);
      expect(readStatuses.length).toBeGreaterThan(10);
      expect(readStatuses.filter((s) => s !== 200)).toEqual([]);
      // everything written before, during and after the swap is in the new generation
      // every committed event, also one that another test's open transaction still hides from readers
      const end = await committedLogEnd(desk.db.pool);
      expect(await desk.desk.watcher.waitFor(end, ['threads'], 30_000)).toBe(true);
      const { rows: counted } = await desk.db.pool.query<{ threads: number; messages: number }>(
        `SELECT (SELECT count(*)::int FROM support_inbox) AS threads, (SELECT count(*)::int FROM support_messages) AS messages`,
      );
      const { rows: expected } = await desk.db.pool.query<{ threads: number; messages: number }>(
        `SELECT count(*) FILTER (WHERE event_type = 'QueryRaised')::int AS threads,
                  count(*) FILTER (WHERE event_type IN ('QueryRaised', 'MessagePosted'))::int AS messages FROM es_events`,
      );
      expect(counted[0]).toEqual(expected[0]);
      expect(raised.length).toBeGreaterThan(0);
      const { rows: present } = await desk.db.pool.query(
        'SELECT count(*)::int AS n FROM support_inbox WHERE thread_id = ANY($1)',
        [raised],
      );
      expect(present[0].n).toBe(raised.length);
    } finally {
      await desk.stop();
    }
  }, 240_000);
});
