import type pg from 'pg';
import {
  HashChainedEventStore,
  isChained,
  verifyChain,
  type ChainSeal,
  type Verification,
} from '../../../eventstore/hashChain.js';
import { comparePositions, parsePosition, type EventStore } from '../../../eventstore/port.js';
import { PostgresEventStore } from '../../../eventstore/postgres/postgresEventStore.js';
import { allProjections } from '../../../projections/index.js';
import { tableNamesFor } from '../../../projections/projection.js';
import { ProjectionEngine } from '../../../projections/projectionEngine.js';
import type { FakeResendServer } from '../../support/fakeResend/fakeResendServer.js';
import { committedLogEnd } from '../../support/logEnd.js';
import { until } from './http.js';

/** A command the API acknowledged (2xx): its stream and the revision it answered. */
export interface Acknowledged {
  stream: string;
  revision: number;
  position: string | null;
  operation: string;
}

export function engineFor(pool: pg.Pool, databaseUrl: string): { engine: ProjectionEngine; eventStore: EventStore } {
  const eventStore = new HashChainedEventStore(new PostgresEventStore(pool, { connectionString: databaseUrl }));
  return { engine: new ProjectionEngine({ pool, eventStore, projections: allProjections }), eventStore };
}

/** Acknowledged commands whose event is not in the log at the revision answered. */
export async function missingAcknowledged(pool: pg.Pool, acks: readonly Acknowledged[]): Promise<Acknowledged[]> {
  if (acks.length === 0) return [];
  const { rows } = await pool.query<{ stream_name: string; stream_revision: string }>(
    `SELECT e.stream_name, e.stream_revision::text FROM es_events e
       JOIN unnest($1::text[], $2::bigint[]) AS a(stream, revision)
         ON e.stream_name = a.stream AND e.stream_revision = a.revision`,
    [acks.map((a) => a.stream), acks.map((a) => a.revision)],
  );
  const present = new Set(rows.map((r) => `${r.stream_name}@${r.stream_revision}`));
  return acks.filter((a) => !present.has(`${a.stream}@${a.revision}`));
}

/** Until every projection's live generation has reached the head of the log. */
export async function waitForProjections(engine: ProjectionEngine, timeoutMs = 60_000): Promise<void> {
  await until(
    'every projection to reach the head of the log',
    async () => {
      // every committed event, not only those readers may see yet (headPosition trails while any
      // transaction of the cluster is open)
      const head = await committedLogEnd(engine.pool);
      for (const projection of engine.projections) {
        const live = await engine.liveGeneration(projection.name);
        if (!live || live.last_error) return false;
        if (comparePositions(parsePosition(live.position), head) < 0) return false;
      }
      return true;
    },
    timeoutMs,
    200,
  );
}

/** An order-independent fingerprint of every row of every table of one generation of a projection. */
export async function generationChecksum(
  pool: pg.Pool,
  tables: readonly string[],
  generation: number,
): Promise<Record<string, string>> {
  const t = tableNamesFor(generation);
  const out: Record<string, string> = {};
  for (const table of tables) {
    const { rows } = await pool.query<{ sum: string; n: number }>(
      `SELECT md5(coalesce(string_agg(h, '' ORDER BY h), '')) AS sum, count(*)::int AS n
         FROM (SELECT md5(x::text) AS h FROM ${t(table)} x) rows`,
    );
    out[table] = `${rows[0]!.n}:${rows[0]!.sum}`;
  }
  return out;
}

export interface RebuildComparison {
  projection: string;
  live: Record<string, string>;
  rebuilt: Record<string, string>;
}

/**
 * For every projection: the live generation's checksum, then a clean blue/green rebuild from
 * the log and its checksum. Stop the projector first (nothing may move the live one meanwhile).
 */
export async function compareWithCleanRebuild(engine: ProjectionEngine): Promise<RebuildComparison[]> {
  const out: RebuildComparison[] = [];
  for (const projection of engine.projections) {
    const live = await engine.liveGeneration(projection.name);
    if (!live) throw new Error(`projection ${projection.name} has no live generation`);
    const before = await generationChecksum(engine.pool, projection.tables, live.generation);
    const rebuilt = await engine.rebuild(projection.name);
    const after = await generationChecksum(engine.pool, projection.tables, rebuilt.generation);
    out.push({ projection: projection.name, live: before, rebuilt: after });
  }
  return out;
}

export interface EmailAudit {
  outboxRows: number;
  sent: number;
  /** Rows not sent (pending, failed, dead). */
  notSent: { id: string; status: string; last_error: string | null }[];
  /** Keys the provider delivered more than once. */
  duplicates: { key: string; deliveries: number }[];
  /** Outbox rows the provider never delivered. */
  lost: string[];
  /** Deliveries with a key that is no outbox row. */
  strangers: string[];
  /**
   * Outbox rows the log calls for, computed from the log: QueryRaised ×2, staff external replies,
   * resolutions, one `partner_wrote` per partner's or guest's external message (to the
   * assignee, or to the support address for an unassigned thread: the workload turns neither off),
   * one survey per survey offered (the workload's raisers can always still see their threads) and
   * one `sla_alert` per warning or breach.
   */
  expectedRows: number;
}

/**
 * Exactly once, in effect: every outbox row due was delivered by the provider exactly once, and the
 * outbox holds a row for every email the log calls for (nothing dropped between the log and the outbox).
 */
export async function auditEmails(pool: pg.Pool, fake: FakeResendServer): Promise<EmailAudit> {
  const { rows } = await pool.query<{ id: string; status: string; last_error: string | null }>(
    'SELECT id, status, last_error FROM email_outbox ORDER BY id',
  );
  const counts = fake.deliveryCounts();
  const ids = new Set(rows.map((r) => r.id));
  const { rows: expected } = await pool.query<{ n: number }>(
    `SELECT (count(*) FILTER (WHERE event_type = 'QueryRaised') * 2
           + count(*) FILTER (WHERE event_type = 'MessagePosted' AND data->>'visibility' = 'external'
                                AND data->'by'->>'kind' = 'staff')
           + count(*) FILTER (WHERE event_type = 'MessagePosted' AND data->>'visibility' = 'external'
                                AND data->'by'->>'kind' IN ('partner', 'guest'))
           + count(*) FILTER (WHERE event_type = 'ThreadResolved')
           + count(*) FILTER (WHERE event_type IN ('SatisfactionSurveyOffered', 'SlaWarning', 'SlaBreached')))::int AS n
       FROM es_events WHERE stream_name LIKE 'thread-%'`,
  );
  return {
    outboxRows: rows.length,
    sent: rows.filter((r) => r.status === 'sent').length,
    notSent: rows.filter((r) => r.status !== 'sent'),
    duplicates: [...counts].filter(([, n]) => n > 1).map(([key, deliveries]) => ({ key, deliveries })),
    lost: rows.filter((r) => (counts.get(r.id) ?? 0) === 0).map((r) => r.id),
    strangers: [...counts.keys()].filter((k) => !ids.has(k)),
    expectedRows: expected[0]!.n,
  };
}

/** Until the email process manager has read the whole log and every outbox row is sent. */
export async function waitForEmailsDrained(pool: pg.Pool, eventStore: EventStore, timeoutMs = 90_000): Promise<void> {
  await until(
    'the email outbox to drain',
    async () => {
      const head = await committedLogEnd(pool);
      const { rows: cp } = await pool.query<{ position: string }>('SELECT position FROM email_checkpoints');
      if (!cp.length || cp.some((r) => comparePositions(parsePosition(r.position), head) < 0)) return false;
      const { rows } = await pool.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM email_outbox WHERE status = 'pending' OR events_pending`,
      );
      return rows[0]!.n === 0;
    },
    timeoutMs,
    250,
  );
}

/**
 * What the lease does with time, done at once: claims held by an email worker that was killed
 * run out (the worker is dead; its lease could only expire). Call only while no email worker runs.
 */
export async function expireOrphanedEmailClaims(pool: pg.Pool): Promise<number> {
  const { rowCount } = await pool.query(
    `UPDATE email_outbox SET claimed_until = now() - interval '1 second' WHERE claimed_until > now()`,
  );
  return rowCount ?? 0;
}

/** Verifies the hash chain (and the HMAC seals) of every chained stream; answers the broken ones. */
export async function brokenChains(pool: pg.Pool, databaseUrl: string, sealKey: string): Promise<Verification[]> {
  const store = new PostgresEventStore(pool, { connectionString: databaseUrl });
  const { rows: streams } = await pool.query<{ stream_name: string }>('SELECT stream_name FROM es_streams');
  const { rows: seals } = await pool.query<{ stream_name: string; revision: string; hash: string; hmac: string }>(
    'SELECT stream_name, revision::text, hash, hmac FROM chain_seals ORDER BY stream_name, revision',
  );
  const broken: Verification[] = [];
  for (const { stream_name: name } of streams) {
    if (!isChained(name)) continue;
    const events = await store.readStream(name);
    const mine: ChainSeal[] = seals
      .filter((s) => s.stream_name === name)
      .map((s) => ({ streamName: name, revision: Number(s.revision), hash: s.hash, hmac: s.hmac, sealedAt: '' }));
    const verification = verifyChain(name, events, mine, sealKey);
    if (!verification.ok) broken.push(verification);
  }
  return broken;
}
