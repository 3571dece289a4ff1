import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import type { DomainEvent, SlaSnapshot } from '../domain/index.js';
import { eventSchemaVersion, priorities, queryTypes, threadStreamName } from '../domain/index.js';
import { chainEvents } from '../eventstore/hashChain.js';
import type { EventStore, EventToAppend } from '../eventstore/port.js';

export interface SeedOptions {
  threads: number;
  /** Demo organisations and their assignments (from the directory). */
  assignments: { assignmentId: string; reference: string; partnerOrgId: string }[];
  /** Staff who answer. */
  agents: { id: string; name: string }[];
  onProgress?: (done: number, total: number) => void;
  /** Start of the simulated history. */
  since?: Date;
  /** Every thread gets this service-level policy (an SlaPolicyApplied with its query). */
  sla?: SlaSnapshot;
  /** Every thread stays open and unanswered (a backlog of running clocks). */
  allOpen?: boolean;
}

const subjects = [
  'Invoice paid twice',
  'Delivery note missing for pallet',
  'Cannot upload the signed contract',
  'Shift schedule for next week',
  'Access badge not working',
  'Payment terms on the last order',
  'Temperature log gaps in the cold chain',
  'Site survey photos rejected',
];
const bodies = [
  'Could you check this for us? The reference is on the attached document.',
  'We noticed this yesterday evening and our team is blocked until it is sorted.',
  'Thanks for the quick answer, that solved part of it.',
  'The driver says the paperwork was handed over at the gate.',
  'Please confirm once the correction is in the system.',
];

/** One realistic thread's events: raised, answered, sometimes resolved or closed. */
function threadEvents(i: number, o: SeedOptions, at: number): { threadId: string; events: DomainEvent[] } {
  const a = o.assignments[i % o.assignments.length]!;
  const agent = o.agents[i % o.agents.length]!;
  const threadId = randomUUID();
  const partner = {
    kind: 'partner' as const,
    id: `seed-partner-${a.partnerOrgId}`,
    name: `Partner of ${a.partnerOrgId}`,
  };
  const staff = { kind: 'staff' as const, id: agent.id, name: agent.name };
  const t = (minutes: number) => new Date(at + minutes * 60_000).toISOString();
  const events: DomainEvent[] = [
    {
      type: 'QueryRaised',
      data: {
        threadId,
        messageId: randomUUID(),
        assignmentId: a.assignmentId,
        assignmentReference: a.reference,
        partnerOrgId: a.partnerOrgId,
        queryType: queryTypes[i % queryTypes.length]!,
        priority: priorities[(i * 7) % priorities.length]!,
        subject: `${subjects[i % subjects.length]} #${i}`,
        body: bodies[i % bodies.length]!,
        by: partner,
        occurredAt: t(0),
        followUpOf: null,
        attachments: [],
      },
    },
  ];
  if (o.sla) {
    events.push({
      type: 'SlaPolicyApplied',
      data: { threadId, snapshot: o.sla, reason: 'raised', by: partner, occurredAt: t(0) },
    });
  }
  const stage = o.allOpen ? 0 : i % 5; // 0 open, 1 pending, 2 answered again, 3 resolved, 4 closed
  if (stage >= 1) {
    events.push({
      type: 'MessagePosted',
      data: {
        threadId,
        messageId: randomUUID(),
        body: bodies[(i + 1) % bodies.length]!,
        visibility: 'external',
        by: staff,
        occurredAt: t(30),
        statusBefore: 'OPEN',
        statusAfter: 'PENDING',
        attachments: [],
      },
    });
  }
  if (stage >= 2) {
    events.push({
      type: 'MessagePosted',
      data: {
        threadId,
        messageId: randomUUID(),
        body: bodies[(i + 2) % bodies.length]!,
        visibility: 'external',
        by: partner,
        occurredAt: t(90),
        statusBefore: 'PENDING',
        statusAfter: 'OPEN',
        attachments: [],
      },
    });
  }
  if (stage === 3)
    events.push({ type: 'ThreadResolved', data: { threadId, statusBefore: 'OPEN', by: staff, occurredAt: t(120) } });
  if (stage === 4)
    events.push({ type: 'ThreadClosed', data: { threadId, statusBefore: 'OPEN', by: staff, occurredAt: t(120) } });
  return { threadId, events };
}

const toAppend = (e: DomainEvent): EventToAppend => ({
  id: randomUUID(),
  type: e.type,
  data: e.data as unknown as EventToAppend['data'],
  metadata: { actor: { type: 'system', id: 'seed' }, schemaVersion: eventSchemaVersion(e.type) },
});

/**
 * Demo data at any size. On Postgres the events go in with bulk inserts (thousands per
 * statement), the way a migration import would; elsewhere through the store's append.
 */
export async function seedThreads(eventStore: EventStore, pool: pg.Pool | undefined, o: SeedOptions): Promise<number> {
  const since = (o.since ?? new Date(Date.now() - 90 * 86_400_000)).getTime();
  const span = Date.now() - since;
  let appended = 0;
  const chunk = 2000;
  for (let start = 0; start < o.threads; start += chunk) {
    const batch = Array.from({ length: Math.min(chunk, o.threads - start) }, (_, k) => {
      const i = start + k;
      return threadEvents(i, o, since + Math.floor((span * i) / Math.max(1, o.threads)));
    });
    if (eventStore.adapter === 'postgres' && pool) {
      // written directly, so chained here exactly as HashChainedEventStore would
      const rows = batch.flatMap(({ threadId, events }) => {
        const stream = threadStreamName(threadId);
        const chained = chainEvents(stream, events.map(toAppend), 0, null);
        return chained.map((e, revision) => ({ stream, revision, e }));
      });
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        await client.query(
          `INSERT INTO es_streams (stream_name, revision) SELECT * FROM unnest($1::text[], $2::bigint[])`,
          [batch.map((b) => threadStreamName(b.threadId)), batch.map((b) => b.events.length - 1)],
        );
        await client.query(
          `INSERT INTO es_events (event_id, stream_name, stream_revision, event_type, data, metadata)
           SELECT * FROM unnest($1::uuid[], $2::text[], $3::bigint[], $4::text[], $5::jsonb[], $6::jsonb[])`,
          [
            rows.map((r) => r.e.id),
            rows.map((r) => r.stream),
            rows.map((r) => r.revision),
            rows.map((r) => r.e.type),
            rows.map((r) => JSON.stringify(r.e.data)),
            rows.map((r) => JSON.stringify(r.e.metadata)),
          ],
        );
        await client.query('COMMIT');
        appended += rows.length;
      } catch (error) {
        await client.query('ROLLBACK');
        throw error;
      } finally {
        client.release();
      }
      await pool.query(`SELECT pg_notify('es_events', '')`);
    } else {
      for (const { threadId, events } of batch) {
        await eventStore.append(threadStreamName(threadId), events.map(toAppend), { expected: 'no_stream' });
        appended += events.length;
      }
    }
    o.onProgress?.(Math.min(o.threads, start + chunk), o.threads);
  }
  return appended;
}
