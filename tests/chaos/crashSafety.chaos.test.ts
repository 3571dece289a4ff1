import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AssignmentDirectory } from '../../commands/assignmentDirectory/assignmentDirectory.js';
import { AccountStore } from '../../platform/identity/accounts.js';
import { FakeResendServer } from '../support/fakeResend/fakeResendServer.js';
import { createTestDatabase, type TestDatabase } from '../support/testDatabase.js';
import { CommandLoad, markerCounts } from './support/commandLoad.js';
import { chaosRandom, chaosSeed } from './support/chaosSeed.js';
import { CHAOS_SEAL_KEY, DeskProcess, type DeskRole } from './support/deskProcess.js';
import { recordFigures } from './support/figures.js';
import { sessionCaller, sleep } from './support/http.js';
import {
  auditEmails,
  brokenChains,
  compareWithCleanRebuild,
  engineFor,
  expireOrphanedEmailClaims,
  missingAcknowledged,
  waitForEmailsDrained,
  waitForProjections,
} from './support/invariants.js';

/**
 * Rounds of kills under load: each kills the three roles one by one in a seeded order, every third
 * ends with all three at once (a power cut). Six rounds: 20 kills, 24 processes killed.
 */
const ROUNDS = Number(process.env.CHAOS_CRASH_ROUNDS ?? 6);
const roles: DeskRole[] = ['api', 'projector', 'email'];

/** One kill of the schedule: wait `afterMs`, SIGKILL the victims, leave them dead `downMs`, start them. */
interface Kill {
  victims: DeskRole[];
  afterMs: number;
  downMs: number;
}

/**
 * The whole fault schedule, drawn up front from the seed: which processes die in which order and
 * when. It does not depend on how fast this machine is (no deadline decides how many kills there
 * are), so a seed always means the same kills; only where each kill lands in the processes' work
 * varies with the machine's speed.
 */
function crashSchedule(random: () => number, rounds: number): Kill[] {
  const kills: Kill[] = [];
  for (let round = 1; round <= rounds; round++) {
    const order: DeskRole[][] = [...roles]
      .map((role) => ({ role, key: random() }))
      .sort((a, b) => a.key - b.key)
      .map(({ role }) => [role]);
    if (round % 3 === 0) order.push(roles); // a power cut
    for (const victims of order) kills.push({ victims, afterMs: 500 + random() * 1500, downMs: random() * 300 });
  }
  return kills;
}

const SEED = chaosSeed('crashSafety.chaos.test.ts');
const schedule = crashSchedule(chaosRandom(SEED, 0).next, ROUNDS);

describe('crash safety: the API, the projector and the email worker are SIGKILLed at random under load', () => {
  let db: TestDatabase;
  let fake: FakeResendServer;
  const processes: Partial<Record<DeskRole, DeskProcess>> = {};

  beforeAll(async () => {
    db = await createTestDatabase({ poolSize: 8 });
    await new AccountStore(db.pool).ensureDemoAccounts();
    await new AssignmentDirectory(db.pool).ensureDemoAssignments();
    fake = await FakeResendServer.start({ apiKey: 're_test', seed: 7 });
    // a little time inside each send, so that some kills land between the send and its record
    fake.setFaults({ processingMs: 40 });
    const env = {
      RESEND_BASE_URL: fake.url,
      RESEND_API_KEY: 're_test',
      // small batches: a kill lands inside a batch more often
      PROJECTION_BATCH_SIZE: '25',
      SEAL_INTERVAL_SECONDS: '2',
    };
    for (const role of ['api', 'projector', 'email'] as const) {
      processes[role] = await DeskProcess.create({ role, databaseUrl: db.url, env });
    }
    await Promise.all(Object.values(processes).map((p) => p.start()));
  });

  afterAll(async () => {
    // dispose, not kill: should the test body still be running (a timeout), it cannot start them again
    await Promise.all(Object.values(processes).map((p) => p.dispose()));
    await fake?.stop();
    await db?.drop();
  });

  // the bound of the whole test: the kills (1.5 to 4 minutes here, with the machine's load), then
  // waits that each fail with their own message first
  it('when processes die at random moments, then nothing acknowledged is lost, read models equal a clean rebuild, and every email is sent exactly once', async () => {
    console.log(
      `crash schedule (CHAOS_SEED=${SEED}): ${schedule.length} kills: ${schedule.map((k) => k.victims.join('+')).join(', ')}`,
    );
    const api = processes.api!;
    const load = new CommandLoad({
      base: () => api.base,
      partner: await sessionCaller(db.pool, 'partner@acme.test'),
      agent: await sessionCaller(db.pool, 'agent@demo.test'),
      clients: 4,
      timeoutMs: 10_000,
      random: chaosRandom(SEED, 1).next,
    });
    load.start();

    const crashes: Record<DeskRole | 'all', number> = { api: 0, projector: 0, email: 0, all: 0 };
    let orphanedClaims = 0;
    const chaosStarted = performance.now();
    try {
      for (const { victims, afterMs, downMs } of schedule) {
        await sleep(afterMs);
        await Promise.all(victims.map((r) => processes[r]!.kill()));
        if (victims.length > 1) crashes.all++;
        else crashes[victims[0]!]++;
        await sleep(downMs);
        // a dead email worker's claims can only run out; make their lease run out now
        if (victims.includes('email')) orphanedClaims += await expireOrphanedEmailClaims(db.pool);
        await Promise.all(victims.map((r) => processes[r]!.start()));
      }
    } finally {
      await load.stop();
    }
    const chaosSeconds = Math.round((performance.now() - chaosStarted) / 1000);

    const { engine, eventStore } = engineFor(db.pool, db.url);
    await waitForProjections(engine, 90_000);
    await waitForEmailsDrained(db.pool, eventStore, 120_000);

    // 1. every acknowledged command is in the log, at the revision it answered, and none twice
    const missing = await missingAcknowledged(db.pool, load.acks);
    const counts = await markerCounts(db.pool, [...load.markers.keys()]);
    const duplicated = [...counts].filter(([, n]) => n > 1);
    const lostAcked = [...load.markers].filter(([marker, acked]) => acked && counts.get(marker) !== 1);
    const chains = await brokenChains(db.pool, db.url, CHAOS_SEAL_KEY);

    // 2. every email due was delivered exactly once, and the outbox holds every email the log calls for
    await processes.email!.stop();
    const emails = await auditEmails(db.pool, fake);

    // 3. every read model equals a clean rebuild from the log
    // the email worker's last outcomes (EmailDelivered) were appended after the wait above: let the
    // projector reach them before it stops, or the comparison below finds the live model behind
    await waitForProjections(engine, 60_000);
    await processes.projector!.stop();
    const comparisons = await compareWithCleanRebuild(engine);

    const { rows } = await db.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM es_events');
    const injected = crashes.api + crashes.projector + crashes.email + crashes.all * 3;
    const diverged = comparisons.filter((c) => JSON.stringify(c.live) !== JSON.stringify(c.rebuilt));
    recordFigures('crash', {
      seed: String(SEED),
      rounds: ROUNDS,
      durationSeconds: chaosSeconds,
      crashesInjected: injected,
      crashesSurvived: processes.api!.starts + processes.projector!.starts + processes.email!.starts - 3,
      apiKills: processes.api!.kills,
      projectorKills: processes.projector!.kills,
      emailWorkerKills: processes.email!.kills,
      slowestRestartMs: Math.round(Math.max(...Object.values(processes).map((p) => p.slowestStartMs))),
      emailWorkerOutputMB: Math.round(processes.email!.printedChars / 1e5) / 10,
      allAtOnceKills: crashes.all,
      commandsAcknowledged: load.acknowledged,
      commandRequests: load.observations.length,
      networkFailuresSeen: load.observations.filter((o) => o.status === 'network').length,
      eventsInLog: rows[0]!.n,
      eventsLost: missing.length + lostAcked.length,
      duplicateEvents: duplicated.length,
      brokenHashChains: chains.length,
      emailsSent: emails.sent,
      emailsLost: emails.lost.length + emails.notSent.length + Math.max(0, emails.expectedRows - emails.outboxRows),
      emailsDuplicated: emails.duplicates.length,
      orphanedClaimsExpired: orphanedClaims,
      providerRequests: fake.log.length,
      projectionsCompared: comparisons.length,
      projectionsDiverged: diverged.length,
    });

    expect(load.acknowledged).toBeGreaterThan(30);
    expect.soft(missing, 'acknowledged commands missing from the log').toEqual([]);
    expect.soft(duplicated, 'commands in the log twice').toEqual([]);
    expect.soft(lostAcked, 'acknowledged messages not in the log exactly once').toEqual([]);
    expect.soft(emails.notSent, 'outbox rows not sent').toEqual([]);
    expect.soft(emails.duplicates, 'emails delivered twice').toEqual([]);
    expect.soft(emails.lost, 'emails never delivered').toEqual([]);
    expect.soft(emails.strangers, 'deliveries with no outbox row').toEqual([]);
    expect.soft(emails.outboxRows, 'outbox rows against the emails the log calls for').toBe(emails.expectedRows);
    for (const c of comparisons)
      expect.soft(c.live, `projection ${c.projection} against a clean rebuild`).toEqual(c.rebuilt);
    // Known bug (reported): concurrent first appends to a new chained stream both chain onto "no previous event"
    expect
      .soft(
        chains.map((c) => `${c.streamName}@${c.firstBrokenRevision}: ${c.reason}`),
        'broken hash chains',
      )
      .toEqual([]);
    await eventStore.close();
  }, 480_000);
});
