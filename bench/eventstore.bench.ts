import { randomUUID } from 'node:crypto';
import { HashChainedEventStore } from '../eventstore/hashChain.js';
import { PostgresEventStore } from '../eventstore/postgres/postgresEventStore.js';
import { START, type EventStore } from '../eventstore/port.js';
import { migrate } from '../platform/database/migrate.js';
import { createPool } from '../platform/database/pool.js';
import { benchPostgres, progress, throughput } from './benchPostgres.js';
import { openEmmett } from './emmett.js';
import { cpuMeter, describeCpu } from './procStats.js';
import { emit, fmt, markdownTable, ratio, type BenchResult, type TargetCheck } from './report.js';
import { scale, stepLabel } from './scale.js';

/**
 * Appends per second for 1, 8 and 32 writers, one and ten events per append, beside
 *  - raw commits: autocommit INSERTs of the same number of rows (the durable-commit limit);
 *  - Emmett's PostgreSQL event store appending the same events to the same server;
 * and our PostgresEventStore both bare and wrapped in the HashChainedEventStore commands use.
 * Then the catch-up read rate of a subscription over everything appended.
 */
const seconds = scale.appendSeconds;
const writerCounts = [1, 8, 32];
const batchSizes = [1, 10];
const pg = await benchPostgres();
const pool = createPool(pg.url, 40, 'bench');
await migrate(pool);
const raw = new PostgresEventStore(pool, { connectionString: pg.url });
const chained = new HashChainedEventStore(new PostgresEventStore(pool, { connectionString: pg.url }));
const emmett = await openEmmett(pg.url, 40);
await pool.query('CREATE TABLE IF NOT EXISTS bench_raw (id bigserial PRIMARY KEY, payload jsonb NOT NULL)');

const payload = {
  threadId: randomUUID(),
  messageId: randomUUID(),
  body: 'Invoice 4411 was paid twice. Please check the payment of assignment A-1042.',
  visibility: 'external',
  by: { kind: 'staff', id: 'bench-agent', name: 'Bea Bench' },
  occurredAt: new Date().toISOString(),
  statusBefore: 'OPEN',
  statusAfter: 'PENDING',
};
const rawValues = (n: number) => Array.from({ length: n }, (_, i) => `($${i + 1})`).join(', ');
const rawSql = new Map(batchSizes.map((n) => [n, `INSERT INTO bench_raw (payload) VALUES ${rawValues(n)}`]));

/** A new stream every 50 appends per writer: streams of realistic length, no contention. */
const streamOf = (system: string, writers: number, batch: number, w: number, i: number) =>
  `thread-${system}${writers}x${batch}w${w}s${Math.floor(i / 50)}p${process.pid}`;

const systems: { name: string; append: (stream: string, batch: number) => Promise<void> }[] = [
  {
    name: 'raw commits',
    append: async (_stream, batch) => {
      await pool.query(rawSql.get(batch)!, Array(batch).fill(payload));
    },
  },
  {
    name: 'PostgresEventStore',
    append: (stream, batch) => appendOurs(raw, stream, batch),
  },
  {
    name: 'HashChainedEventStore',
    append: (stream, batch) => appendOurs(chained, stream, batch),
  },
  {
    name: 'Emmett',
    append: async (stream, batch) => {
      await emmett.store.appendToStream(
        stream,
        Array.from({ length: batch }, () => ({ type: 'MessagePosted', data: payload })),
      );
    },
  },
];

async function appendOurs(store: EventStore, stream: string, batch: number) {
  await store.append(
    stream,
    Array.from({ length: batch }, () => ({ id: randomUUID(), type: 'MessagePosted', data: payload, metadata: {} })),
  );
}

// warm every path (schema, prepared plans, JIT) before measuring
for (const s of systems) for (const b of batchSizes) await s.append(streamOf(`warm${s.name.length}`, 0, b, 0, 0), b);

type Cell = { system: string; writers: number; batch: number; eventsPerSecond: number; walBytesPerEvent: number };
const walPosition = async () =>
  (await pool.query<{ lsn: string }>('SELECT pg_current_wal_lsn()::text AS lsn')).rows[0]!.lsn;
const walBytesSince = async (lsn: string) =>
  Number((await pool.query<{ n: string }>('SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), $1) AS n', [lsn])).rows[0]!.n);
const cells: Cell[] = [];
const cpuNotes: string[] = [];
const total = writerCounts.length * batchSizes.length * systems.length;
for (const writers of writerCounts) {
  for (const batch of batchSizes) {
    for (const s of systems) {
      progress(
        `${stepLabel}append ${cells.length + 1}/${total}: ${s.name}, ${writers} writer(s), ${batch} event(s) per append`,
      );
      const tag = s.name.replace(/\W/g, '').slice(0, 6);
      const meter = await cpuMeter(pool);
      const lsn = await walPosition();
      let appends = 0;
      const appendsPerSecond = await throughput(writers, seconds, async (w, i) => {
        await s.append(streamOf(tag, writers, batch, w, i), batch);
        appends++;
        return 1;
      });
      const walBytesPerEvent = (await walBytesSince(lsn)) / Math.max(1, appends * batch);
      if (writers === 32 && batch === 1)
        cpuNotes.push(`${s.name}: ${describeCpu(meter(), { self: 'bench process (Node)' })}`);
      cells.push({ system: s.name, writers, batch, eventsPerSecond: appendsPerSecond * batch, walBytesPerEvent });
    }
  }
}

/**
 * Where one append's time goes inside Postgres: auto_explain of the statements es_append runs
 * (nested), sent back to this session as notices. Needs a superuser (the embedded cluster's is).
 */
async function explainAppend(): Promise<string | undefined> {
  const client = await pool.connect();
  const notices: string[] = [];
  const onNotice = (n: { message?: string }) => notices.push(n.message ?? '');
  client.on('notice', onNotice);
  try {
    await client.query(`LOAD 'auto_explain'`);
    for (const setting of [
      'auto_explain.log_min_duration = 0',
      'auto_explain.log_analyze = on',
      'auto_explain.log_buffers = on',
      'auto_explain.log_nested_statements = on',
      'auto_explain.log_timing = on',
      "auto_explain.log_level = 'notice'",
      "client_min_messages = 'notice'",
    ])
      await client.query(`SET ${setting}`);
    const stream = `thread-explain-${process.pid}`;
    const call = (n: number) =>
      client.query('SELECT * FROM es_append($1, $2, $3, $4::uuid[], $5::text[], $6::jsonb[], $7::jsonb[])', [
        stream,
        'any',
        null,
        Array.from({ length: n }, () => randomUUID()),
        Array(n).fill('MessagePosted'),
        Array(n).fill(JSON.stringify(payload)),
        Array(n).fill('{}'),
      ]);
    await call(1); // creates the stream
    notices.length = 0;
    await call(1); // a steady-state append, as measured above
    return notices
      .map((n) => {
        const lines = n.split('\n');
        const duration = /duration: ([\d.]+) ms/.exec(lines[0] ?? '')?.[1];
        const query = (lines.find((l) => l.includes('Query Text:')) ?? '').replace(/.*Query Text:\s*/, '').trim();
        const plan = lines
          .slice(1)
          .filter(
            (l) =>
              l.trim() &&
              !/Query Text:|Query Parameters:/.test(l) &&
              !/^\s+(FROM|SELECT|ON CONFLICT|RETURNING|ORDER BY|WHERE)/.test(l),
          )
          .slice(0, 3)
          .map((l) => l.slice(0, 160))
          .join('\n');
        return `-- ${duration} ms: ${query.replace(/\s+/g, ' ').slice(0, 140)}\n${plan}`;
      })
      .join('\n');
  } catch {
    return undefined;
  } finally {
    client.off('notice', onNotice);
    client.release(true); // auto_explain stays loaded in that session: do not return it to the pool
  }
}
const appendPlan = await explainAppend();

progress(`${stepLabel}subscription catch-up read...`);
const { rows: countRows } = await pool.query<{ n: string }>('SELECT count(*) AS n FROM es_events');
const logSize = Number(countRows[0]?.n ?? 0);
const readStart = performance.now();
const subscription = raw.subscribeToAll({ after: START });
let read = 0;
for await (const _ of subscription) if (++read >= logSize) break;
const readRate = read / ((performance.now() - readStart) / 1000);
progress('');

const get = (system: string, writers: number, batch: number) =>
  cells.find((c) => c.system === system && c.writers === writers && c.batch === batch)?.eventsPerSecond ?? NaN;

const rows = writerCounts.flatMap((w) =>
  batchSizes.map((b) => {
    const rawRate = get('raw commits', w, b);
    const ours = get('PostgresEventStore', w, b);
    const ch = get('HashChainedEventStore', w, b);
    const em = get('Emmett', w, b);
    return [
      String(w),
      String(b),
      fmt(rawRate),
      fmt(ours),
      fmt(ch),
      fmt(em),
      ratio(ours, rawRate),
      ratio(ch, rawRate),
      ratio(ours, em),
      ratio(ch, em),
    ];
  }),
);

const targets: TargetCheck[] = [];
for (const b of batchSizes) {
  for (const [name, system] of [
    ['PostgresEventStore', 'PostgresEventStore'],
    ['HashChainedEventStore', 'HashChainedEventStore'],
  ] as const) {
    const ours = get(system, 32, b);
    targets.push(
      {
        name: `${name}, 32 writers, ${b} event(s)/append: vs Emmett`,
        value: ratio(ours, get('Emmett', 32, b)),
        target: '≥ 1.5×',
        met: ours / get('Emmett', 32, b) >= 1.5,
      },
      {
        name: `${name}, 32 writers, ${b} event(s)/append: vs raw commits`,
        value: ratio(ours, get('raw commits', 32, b)),
        target: '≥ 0.70×',
        met: ours / get('raw commits', 32, b) >= 0.7,
      },
    );
  }
}

const result: BenchResult = {
  id: 'append',
  title: 'Append throughput',
  method:
    `Events per second appended by 1, 8 and 32 concurrent writers (each on its own streams, a new stream every 50 appends), ` +
    `one and ten events per append, ${seconds} s per figure. Baselines measured in the same run on the same server: ` +
    `**raw commits** — autocommit \`INSERT\` of the same number of rows into a table with a bigserial key (the durable-commit limit of this machine); ` +
    `**Emmett** — \`getPostgreSQLEventStore(url).appendToStream(stream, events)\` from \`@event-driven-io/emmett-postgresql\` (its own \`emt_*\` tables, a pool of 40 like ours, no expected version). ` +
    `Ours: \`PostgresEventStore.append\` (one \`es_append\` call, autocommit) and \`HashChainedEventStore\` over it (reads the stream head, chains, appends with the head as expected revision: what commands use). ` +
    `Same event payload everywhere (a MessagePosted, ~330 bytes of JSON).`,
  tables: [
    {
      columns: [
        'writers',
        'events/append',
        'raw commits ev/s',
        'PostgresEventStore ev/s',
        'HashChained ev/s',
        'Emmett ev/s',
        'ours ÷ raw',
        'chained ÷ raw',
        'ours ÷ Emmett',
        'chained ÷ Emmett',
      ],
      numeric: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
      rows,
    },
    {
      caption: 'Catch-up read of everything appended above, through `subscribeToAll` (batches of 1,000):',
      columns: ['measure', 'events', 'events/s'],
      numeric: [1, 2],
      rows: [['subscription catch-up read', fmt(read), fmt(readRate)]],
    },
  ],
  targets,
  chart: {
    title: 'Appends: events/s at 1, 8 and 32 writers',
    unit: 'events/s',
    groups: writerCounts.flatMap((w) =>
      batchSizes.map((b) => ({
        label: `${w}w × ${b}ev`,
        bars: systems.map((s) => ({ series: s.name, value: get(s.name, w, b) })),
      })),
    ),
  },
  findings: [
    `CPU during the 32-writer single-event runs (2 cores in the machine):\n\n${cpuNotes.map((n) => `- ${n}`).join('\n')}`,
    markdownTable({
      caption:
        'WAL written per event at 32 writers (`pg_current_wal_lsn()` before and after each figure): the write amplification of each design.',
      columns: ['system', 'bytes/event, 1 event per append', 'bytes/event, 10 events per append'],
      numeric: [1, 2],
      rows: systems.map((s) => [
        s.name,
        fmt(cells.find((c) => c.system === s.name && c.writers === 32 && c.batch === 1)?.walBytesPerEvent ?? NaN),
        fmt(cells.find((c) => c.system === s.name && c.writers === 32 && c.batch === 10)?.walBytesPerEvent ?? NaN),
      ]),
    }),
    ...(appendPlan
      ? [
          `One steady-state \`es_append\` of one event, statement by statement (auto_explain with nested statements and ANALYZE):\n\n\`\`\`\n${appendPlan}\n\`\`\``,
        ]
      : []),
  ],
};
await emit(result);

await subscription.close();
await emmett.close();
await chained.close();
await raw.close();
await pool.end();
await pg.stop();
