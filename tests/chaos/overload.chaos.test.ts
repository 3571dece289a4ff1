import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AssignmentDirectory } from '../../commands/assignmentDirectory/assignmentDirectory.js';
import { AccountStore } from '../../platform/identity/accounts.js';
import { createTestDatabase, type TestDatabase } from '../support/testDatabase.js';
import { engineFor } from './support/invariants.js';
import { DeskProcess } from './support/deskProcess.js';
import { recordFigures } from './support/figures.js';
import { call, sessionCaller, sleep, type Caller } from './support/http.js';
import { overload, type OverloadRequest } from './support/overloadClient.js';

const CONCURRENCY = Number(process.env.CHAOS_OVERLOAD_CONCURRENCY ?? 2000);
const IDLE_SOCKETS = Number(process.env.CHAOS_OVERLOAD_IDLE_SOCKETS ?? 1000);
const DURATION_MS = Number(process.env.CHAOS_OVERLOAD_MS ?? 20_000);
/**
 * A request with no answer after this long counts as unanswered (a hang): four times the API's own
 * request timeout (15 s), so that a slow answer on a loaded machine is not mistaken for none. How
 * fast shed answers come and how soon the API recovers are figures of the run (docs/reliability.md),
 * not assertions: on two shared cores they measure the machine's load as much as the API.
 */
const CLIENT_TIMEOUT_MS = 60_000;
/** How long the API has to answer a normal request again after the load, with nobody's help. */
const RECOVERY_BOUND_MS = 60_000;
/** Growth of the API's resident memory under the load. */
const RSS_GROWTH_LIMIT = 400 * 1024 * 1024;

describe('overload: far more requests and sockets than the machine can serve', () => {
  let db: TestDatabase;
  let plain: DeskProcess;
  let shielded: DeskProcess;
  let agent: Caller;
  let partner: Caller;

  beforeAll(async () => {
    db = await createTestDatabase({ poolSize: 4 });
    await new AccountStore(db.pool).ensureDemoAccounts();
    await new AssignmentDirectory(db.pool).ensureDemoAssignments();
    agent = await sessionCaller(db.pool, 'agent@demo.test');
    partner = await sessionCaller(db.pool, 'partner@acme.test');
    // the read models exist (as after the projector's first start)
    const { engine, eventStore } = engineFor(db.pool, db.url);
    await engine.plan();
    await eventStore.close();
    plain = await DeskProcess.create({ role: 'api', databaseUrl: db.url, env: { LOG_LEVEL: 'warn' } });
    shielded = await DeskProcess.create({
      role: 'api',
      databaseUrl: db.url,
      env: { LOG_LEVEL: 'warn' },
      entry: 'tests/chaos/support/shieldedApi.ts',
    });
  });

  afterAll(async () => {
    await plain?.dispose();
    await shielded?.dispose();
    await db?.drop();
  });

  // found by this test, fixed in platform/http/app.ts: the API once queued every request for the
  // database pool and answered 503 10 to 25 s late, some not within 30 s; loadShedding and
  // requestTimeout now sit in front of every route
  it('when 2,000 concurrent requests and 1,000 idle sockets arrive at the API (app/main.ts), then it sheds with 429/503, memory stays bounded, and it recovers by itself', async () => {
    await overloadScenario(plain, 'overload');
  });

  it('when the same load arrives at the API with loadShedding and requestTimeout in front, then it sheds with 429/503 and recovers by itself', async () => {
    await overloadScenario(shielded, 'overloadShielded');
  });

  async function overloadScenario(api: DeskProcess, section: string): Promise<void> {
    await api.start();
    // warm up, then the baseline
    for (let i = 0; i < 20; i++) await call(api.base, agent, 'GET', '/api/support/inbox?limit=5');
    const baseline = (await api.rssBytes())!;
    let peak = baseline;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        const rss = await api.rssBytes();
        if (rss) peak = Math.max(peak, rss);
        await sleep(200);
      }
    })();

    const json = (caller: Caller) => ({ ...caller.headers });
    const pick = (n: number): OverloadRequest => {
      switch (n % 4) {
        case 0:
          return {
            method: 'POST',
            path: '/api/support/threads',
            headers: json(partner),
            body: JSON.stringify({ assignmentId: 'asg-1001', queryType: 'OTHER', subject: 'Overload', body: `n ${n}` }),
          };
        case 1:
          return { method: 'GET', path: '/api/support/assignments', headers: json(partner) };
        default:
          return { method: 'GET', path: `/api/support/inbox?limit=25&q=overload${n % 7}`, headers: json(agent) };
      }
    };
    const report = await overload({
      base: api.base,
      concurrency: CONCURRENCY,
      idleSockets: IDLE_SOCKETS,
      durationMs: DURATION_MS,
      clientTimeoutMs: CLIENT_TIMEOUT_MS,
      pick,
    });
    sampling = false;
    await sampler;

    // recovery: a normal request answers 200 again, with nobody's help (how soon is a figure)
    const loadEnded = Date.now();
    let recovery: { status: number; ms: number } = { status: 0, ms: Infinity };
    while (Date.now() - loadEnded < RECOVERY_BOUND_MS) {
      try {
        const answer = await call(api.base, agent, 'GET', '/api/support/inbox?limit=5', undefined, { timeoutMs: 5000 });
        recovery = { status: answer.status, ms: answer.ms };
        if (answer.status === 200) break;
      } catch {
        // not yet
      }
      await sleep(100);
    }
    const recoveredAfterMs = Date.now() - loadEnded;
    const alive = api.running;
    // a 503 for an unreachable database is logged as an error too: only other errors count here
    const errorKinds = distinctErrors(api.logs, ['unavailable']);

    const answered = Object.values(report.statuses).reduce((a, b) => a + b, 0);
    const answered2xx = Object.entries(report.statuses)
      .filter(([s]) => s.startsWith('2'))
      .reduce((a, [, n]) => a + n, 0);
    const shed = (report.statuses['429'] ?? 0) + (report.statuses['503'] ?? 0);
    const otherServerErrors = Object.entries(report.statuses)
      .filter(([status]) => Number(status) >= 500 && status !== '503')
      .reduce((a, [, n]) => a + n, 0);
    await api.kill();
    recordFigures(section, {
      concurrentRequests: CONCURRENCY,
      idleSockets: report.idleSocketsOpened,
      durationSeconds: DURATION_MS / 1000,
      requestsSent: report.requests,
      answered,
      answered2xx,
      shed429or503: shed,
      other5xx: otherServerErrors,
      shedWithoutRetryAfter: report.shedWithoutRetryAfter,
      noAnswer: report.resets + report.clientTimeouts,
      resets: report.resets,
      resetCodes: JSON.stringify(report.resetCodes),
      clientTimeouts: report.clientTimeouts,
      serverErrorCodes: JSON.stringify(report.serverErrorCodes),
      shedLatencyP50Ms: report.shedLatencyP50,
      shedLatencyP99Ms: report.shedLatencyP99,
      okLatencyP50Ms: report.okLatencyP50,
      okLatencyP99Ms: report.okLatencyP99,
      rssBaselineMiB: Math.round(baseline / 2 ** 20),
      rssPeakMiB: Math.round(peak / 2 ** 20),
      recoveredAfterMs,
      recoveryRequestMs: Math.round(recovery.ms),
    });

    expect(alive, 'the API process survived').toBe(true);
    expect.soft(errorKinds, 'errors the API logged').toEqual([]);
    expect(answered).toBeGreaterThan(CONCURRENCY);
    expect.soft(otherServerErrors, '5xx other than 503').toBe(0);
    expect.soft(report.shedWithoutRetryAfter, 'shed answers without Retry-After').toBe(0);
    expect.soft(shed, 'requests shed with 429/503').toBeGreaterThan(0);
    expect
      .soft(
        report.resets + report.clientTimeouts,
        `requests with no answer at all (errors ${JSON.stringify(report.resetCodes)}, client timeouts ${report.clientTimeouts})`,
      )
      .toBe(0);
    expect.soft(peak - baseline, 'RSS growth under load (bytes)').toBeLessThan(RSS_GROWTH_LIMIT);
    expect.soft(recovery.status, 'a normal request after the load').toBe(200);
  }
});

/** The distinct messages of the errors a process logged (pino JSON lines at level >= 50). */
/** The error lines of a log, counted by kind, leaving out those logged for the problem codes in `expected`. */
function distinctErrors(logs: string, expected: string[]): string[] {
  const kinds = new Map<string, number>();
  for (const line of logs.split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      const entry = JSON.parse(line) as {
        level: number;
        msg?: string;
        problem?: string;
        err?: { message?: string; code?: string };
      };
      if (entry.level < 50 || (entry.problem && expected.includes(entry.problem))) continue;
      const kind = `${entry.msg ?? ''}: ${entry.err?.code ?? ''} ${entry.err?.message ?? ''}`.slice(0, 200);
      kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
    } catch {
      // not a log line
    }
  }
  return [...kinds].map(([kind, n]) => `${n}× ${kind}`);
}
