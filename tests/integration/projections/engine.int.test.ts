import { randomUUID } from 'node:crypto';
import { describe, expect, it, onTestFinished, vi } from 'vitest';
import { PostgresEventStore } from '../../../eventstore/postgres/postgresEventStore.js';
import { runCli } from '../../../ops/cli.js';
import { seedThreads } from '../../../ops/seed.js';
import { createLogger } from '../../../platform/logger.js';
import { allProjections } from '../../../projections/index.js';
import { ProjectionEngine } from '../../../projections/projectionEngine.js';
import { threadInboxProjection } from '../../../projections/threadInbox.js';
import { ProjectorRunner } from '../../../workers/projectorRunner.js';
import { createTestDatabase, type TestDatabase } from '../../support/testDatabase.js';

const assignments = [{ assignmentId: 'asg-1001', reference: 'A-1001', partnerOrgId: 'acme' }];
const agents = [{ id: 'agent-1', name: 'Alex Agent' }];

async function until(check: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A database of the test's own with 300 seeded threads (and nothing projected yet), dropped after the test. */
async function seededDatabase(): Promise<{ db: TestDatabase; store: PostgresEventStore }> {
  const db = await createTestDatabase();
  const store = new PostgresEventStore(db.pool, { connectionString: db.url, pollIntervalMs: 100 });
  onTestFinished(async () => {
    await store.close();
    await db.drop();
  });
  await seedThreads(store, db.pool, { threads: 300, assignments, agents });
  return { db, store };
}

// each test arranges its own database: none depends on what another did, nor on the order they run in
describe('the projector runtime', () => {
  it('when a projection’s code version changes, then the runner rebuilds it blue/green on start', async () => {
    const { db, store } = await seededDatabase();
    const v1 = new ProjectionEngine({ pool: db.pool, eventStore: store, projections: allProjections });
    const runner1 = new ProjectorRunner({ engine: v1, logger: createLogger('silent'), idleMs: 100 });
    await runner1.start();
    await until(async () => Number((await v1.liveGeneration('threads'))?.events_processed ?? 0) >= 840);
    await runner1.stop();
    const first = (await v1.liveGeneration('threads'))!;

    const v2Projection = { ...threadInboxProjection, version: threadInboxProjection.version + 1 };
    const v2 = new ProjectionEngine({
      pool: db.pool,
      eventStore: store,
      projections: allProjections.map((p) => (p.name === 'threads' ? v2Projection : p)),
    });
    const runner2 = new ProjectorRunner({ engine: v2, logger: createLogger('silent'), idleMs: 100 });
    await runner2.start();
    await until(async () => (await v2.liveGeneration('threads'))?.code_version === v2Projection.version);
    await runner2.stop();
    const second = (await v2.liveGeneration('threads'))!;
    expect(second.generation).toBe(first.generation + 1);
    const { rows } = await db.pool.query('SELECT count(*)::int AS n FROM support_inbox');
    expect(rows[0].n).toBe(300);
  });

  it('when an event in the log is malformed, then that projection stops naming the event, and the others go on', async () => {
    const { db, store } = await seededDatabase();
    const engine = new ProjectionEngine({ pool: db.pool, eventStore: store, projections: allProjections });
    const runner = new ProjectorRunner({ engine, logger: createLogger('silent'), idleMs: 100 });
    await runner.start();
    const badId = randomUUID();
    await db.pool.query(
      `SELECT * FROM es_append('thread-' || $1, 'any', NULL, ARRAY[$2::uuid], ARRAY['MessagePosted'], ARRAY['{"threadId": "oops"}'::jsonb], ARRAY['{}'::jsonb])`,
      [randomUUID(), badId],
    );
    await store.append('systemConfig-global', [
      {
        id: randomUUID(),
        type: 'SystemConfigUpdated',
        data: {
          whatsappNumber: '4915112345678',
          supportEmail: 'ops@desk.test',
          portalBaseUrl: 'https://desk.test',
          whatsappBubbleEnabled: true,
          by: { kind: 'staff', id: 'a', name: 'Admin' },
          occurredAt: new Date().toISOString(),
        },
      },
    ]);
    await until(async () => runner.halted.has('threads'));
    expect(runner.halted.get('threads')).toContain(badId);
    await until(async () => {
      const { rows } = await db.pool.query('SELECT support_email FROM support_system_config');
      return rows[0]?.support_email === 'ops@desk.test';
    });
    const live = (await engine.liveGeneration('threads'))!;
    expect(live.last_error).toMatch(/MessagePosted/);
    await runner.stop();
  });

  it('when ops run the CLI, then status, seed and rebuild work against the same database', async () => {
    const { db } = await seededDatabase();
    vi.stubEnv('DATABASE_URL', db.url);
    vi.stubEnv('LOG_LEVEL', 'silent');
    const out: string[] = [];
    const log = vi.spyOn(console, 'log').mockImplementation((...args) => void out.push(args.join(' ')));
    const err = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      expect(await runCli(['seed', '--threads', '50'])).toBe(0);
      expect(await runCli(['rebuild', 'threads'])).toBe(0);
      expect(await runCli(['status', '--json'])).toBe(0);
      const status = JSON.parse(out.find((l) => l.startsWith('{'))!) as {
        projections: { name: string; lagEvents: number }[];
      };
      expect(status.projections.find((p) => p.name === 'threads')!.lagEvents).toBe(0);
      expect(await runCli(['rebuild', '--help'])).toBe(0);
      expect(await runCli(['nonsense'])).toBe(2);
      const { rows } = await db.pool.query('SELECT count(*)::int AS n FROM support_inbox');
      expect(rows[0].n).toBe(350);
    } finally {
      log.mockRestore();
      err.mockRestore();
      vi.unstubAllEnvs();
    }
  });
});
