import { randomUUID } from 'node:crypto';
import type { SlaSnapshot } from '../domain/index.js';
import { seedThreads } from '../ops/seed.js';
import { progressBar } from '../ops/progressBar.js';
import { SlaScheduler } from '../workers/serviceLevels/slaScheduler.js';
import { benchPostgres } from './benchPostgres.js';
import { cpuMeter, describeCpu } from './procStats.js';
import { startBenchDesk } from './readDesk.js';
import { emit, fmt, ms, ratio, type BenchResult } from './report.js';
import { scale, stepLabel } from './scale.js';

/**
 * The service-level scheduler at scale: BENCH_SLA_THREADS open threads (100,000 at full scale),
 * every one with a policy and running clocks, raised over the last three hours. Their read model
 * is built, then the scheduler's clock is set two hours ahead: every first reply and every
 * resolution is overdue at once (200,000 breaches), the worst backlog a scheduler that was down
 * can come back to. One scheduler records them, then (on a fresh copy of the backlog) two at once.
 * Beside it, in the same run, the store's own rate of one-event appends to existing streams, one
 * at a time: what recording an alert cannot beat. Also timed: a round that finds nothing due
 * among all those rows (what the scheduler costs while all is well).
 */

const threads = Number(process.env.BENCH_SLA_THREADS ?? (scale.name === 'full' ? 100_000 : 10_000));
const pg = await benchPostgres();
const bench = await startBenchDesk(pg.url);
const { pool, eventStore } = bench;

const snapshot: SlaSnapshot = {
  policy: {
    policyId: randomUUID(),
    version: 1,
    name: 'Bench',
    targets: Object.fromEntries(
      ['LOW', 'MEDIUM', 'HIGH', 'URGENT'].map((p) => [
        p,
        { firstResponseMinutes: 30, nextResponseMinutes: 30, resolutionMinutes: 60 },
      ]),
    ) as SlaSnapshot['policy']['targets'],
    warnBeforeMinutes: 10,
  },
  calendar: {
    calendarId: randomUUID(),
    version: 1,
    name: '24/7',
    timeZone: 'UTC',
    alwaysOpen: true,
    week: { mon: [], tue: [], wed: [], thu: [], fri: [], sat: [], sun: [] },
    holidays: [],
  },
};

const seedBar = progressBar(`${stepLabel}seed ${threads.toLocaleString('en-US')} open threads with a policy`);
await seedThreads(eventStore, pool, {
  threads,
  assignments: bench.assignments,
  agents: [{ id: 'bench-agent', name: 'Bea Bench' }],
  since: new Date(Date.now() - 3 * 3_600_000),
  sla: snapshot,
  allOpen: true,
  onProgress: (d, t) => seedBar.update(d / t),
});
seedBar.done(`${threads.toLocaleString('en-US')} threads`);

await bench.desk.engine.plan();
const projectBar = progressBar(`${stepLabel}deadlines read model`);
const projectStart = performance.now();
await bench.desk.engine.rebuild('serviceLevels', (p) => projectBar.update(p.fraction));
const projectSeconds = (performance.now() - projectStart) / 1000;
projectBar.done(`${fmt(threads / projectSeconds)} threads/s`);
await pool.query('VACUUM ANALYZE');

const later = new Date(Date.now() + 2 * 3_600_000);
const { rows: dueRows } = await pool.query<{ n: number }>(
  'SELECT count(*)::int AS n FROM sla_clocks WHERE next_alert_at <= $1',
  [later],
);

// a round with nothing due: the scheduler's cost while all is well (clock: now)
const idle = new SlaScheduler({ pool, eventStore, clock: () => new Date(Date.now() - 4 * 3_600_000) });
const idleRounds: number[] = [];
for (let i = 0; i < 30; i++) {
  const t0 = performance.now();
  await idle.runOnce();
  idleRounds.push(performance.now() - t0);
}
idleRounds.sort((a, b) => a - b);

// baseline: one-event appends to existing streams, one at a time, through the same store
const rawCount = 3000;
const rawStreams = Array.from({ length: rawCount }, () => `benchRaw-${randomUUID()}`);
for (const name of rawStreams) {
  await eventStore.append(name, [{ id: randomUUID(), type: 'BenchRaw', data: { n: 0 }, metadata: {} }], {
    expected: 'no_stream',
  });
}
const rawBar = progressBar(`${stepLabel}raw one-event appends`);
const rawStart = performance.now();
for (const [i, name] of rawStreams.entries()) {
  await eventStore.append(name, [{ id: randomUUID(), type: 'BenchRaw', data: { n: 1 }, metadata: {} }], {
    expected: 0,
  });
  if (i % 100 === 0) rawBar.update(i / rawCount);
}
const rawRate = rawCount / ((performance.now() - rawStart) / 1000);
rawBar.done(`${fmt(rawRate)} appends/s`);

const due = dueRows[0]!.n;
/** Records alerts with `workers` schedulers until `upTo` alerts are recorded in all, or nothing is due. */
async function drain(
  workers: number,
  label: string,
  upTo: number,
): Promise<{ recorded: number; seconds: number; cpu: string; cpuMsPerAlert: number }> {
  const schedulers = Array.from(
    { length: workers },
    () => new SlaScheduler({ pool, eventStore, clock: () => later, batchSize: 500, recheckMs: 3_600_000 }),
  );
  const bar = progressBar(`${stepLabel}${label}`);
  const meter = await cpuMeter(pool);
  const t0 = performance.now();
  let recorded = 0;
  await Promise.all(
    schedulers.map(async (s) => {
      for (;;) {
        const round = await s.runOnce();
        recorded += round.recorded;
        bar.update(Math.min(1, recorded / upTo), `${recorded.toLocaleString('en-US')} alerts`);
        if (round.looked === 0 || recorded >= upTo) return;
      }
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  const split = meter();
  bar.done(`${fmt(recorded / seconds)} alerts/s`);
  return {
    recorded,
    seconds,
    cpu: describeCpu(split, { self: 'scheduler (this process)' }),
    cpuMsPerAlert: ((split.selfSeconds + (split.postgresSeconds ?? 0)) * 1000) / Math.max(1, recorded),
  };
}

// the first half of the backlog by one scheduler, the rest by two at once
// at full scale each phase records a part of the backlog (BENCH_SLA_ALERTS), enough for a steady rate
const perPhase = Number(process.env.BENCH_SLA_ALERTS ?? (scale.name === 'full' ? 20_000 : due));
const one = await drain(1, 'one scheduler records part of the backlog', perPhase);
const two = await drain(2, 'two schedulers record the next part', perPhase);
const { rows: logged } = await pool.query<{ n: number; distinct: number }>(
  `SELECT count(*)::int AS n, count(DISTINCT (data->>'threadId', data->>'metric', data->>'cycle'))::int AS distinct
     FROM es_events WHERE event_type = 'SlaBreached'`,
);
await bench.stop();
await pg.stop();

const oneRate = one.recorded / one.seconds;
const twoRate = two.recorded / two.seconds;
const result: BenchResult = {
  id: 'sla',
  title: 'Service-level scheduler',
  method:
    `${threads.toLocaleString('en-US')} open threads, each with a policy (first reply 30 min, resolution 60 min, 24/7) and raised over the last three hours, ` +
    "their deadlines in the serviceLevels read model. The scheduler's clock is then set two hours ahead: every clock is overdue at once " +
    `(${dueRows[0]!.n.toLocaleString('en-US')} threads due, two breaches each), the backlog a scheduler that was down comes back to. ` +
    "Each alert is decided on the thread's own events (load, decide, append with the expected revision, id derived from thread, metric and cycle). " +
    'One scheduler records a part of it (BENCH_SLA_ALERTS alerts, all of it at small scale), then two at once the next part (FOR UPDATE SKIP LOCKED). Baseline, same run: one-event appends to existing thread streams through the same hash-chained store, one at a time. ' +
    'An idle round is a scheduler asking for what is due when nothing is, over all those rows.',
  tables: [
    {
      columns: ['measure', 'value'],
      numeric: [1],
      rows: [
        ['threads with running clocks', threads.toLocaleString('en-US')],
        ['deadlines read model built, threads/s', fmt(threads / projectSeconds)],
        ['idle round (nothing due), median ms', ms(idleRounds[Math.floor(idleRounds.length / 2)]!)],
        ['idle round, p99 ms', ms(idleRounds[Math.floor(idleRounds.length * 0.99)]!)],
        ['raw one-event appends, one at a time, per s', fmt(rawRate)],
        ['one scheduler: alerts recorded per s', fmt(oneRate)],
        ['one scheduler ÷ raw appends', ratio(oneRate, rawRate)],
        ['one scheduler: CPU ms per alert (scheduler + Postgres)', fmt(one.cpuMsPerAlert, 2)],
        ['one scheduler: CPU', one.cpu],
        ['two schedulers: alerts recorded per s', fmt(twoRate)],
        ['two schedulers ÷ one', ratio(twoRate, oneRate)],
        ['breaches in the log / distinct (thread, metric, cycle)', `${logged[0]!.n} / ${logged[0]!.distinct}`],
        ['two schedulers: CPU', two.cpu],
      ],
    },
  ],
  targets: [
    {
      name: 'every alert recorded once (one and two schedulers)',
      value: `${logged[0]!.n.toLocaleString('en-US')} in the log, ${logged[0]!.distinct.toLocaleString('en-US')} distinct, ${(one.recorded + two.recorded).toLocaleString('en-US')} recorded`,
      target: 'each once',
      met: logged[0]!.n === logged[0]!.distinct && logged[0]!.n === one.recorded + two.recorded,
    },
    {
      name: 'an idle round over all the rows (indexed)',
      value: `${ms(idleRounds[Math.floor(idleRounds.length / 2)]!)} ms`,
      target: '< 50 ms',
      met: idleRounds[Math.floor(idleRounds.length / 2)]! < 50,
    },
  ],
  chart: {
    title: `Service-level alerts, ${threads.toLocaleString('en-US')} overdue threads`,
    unit: 'per s',
    groups: [
      {
        label: 'recording',
        bars: [
          { series: 'raw one-event appends', value: rawRate },
          { series: 'one scheduler', value: oneRate },
          { series: 'two schedulers', value: twoRate },
        ],
      },
    ],
  },
};
await emit(result);
