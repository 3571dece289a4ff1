import type pg from 'pg';
import { parseDomainEvent } from '../domain/index.js';
import {
  comparePositions,
  formatPosition,
  parsePosition,
  START,
  type EventStore,
  type Position,
  type RecordedEvent,
} from '../eventstore/port.js';
import { prepared } from './bulkSql.js';
import { tableNamesFor, type ProjectedEvent, type Projection } from './projection.js';
import { addToWindow, emptyWindow, eventsPerSecond, rateSetSql, rateSlot, windowOf } from './throughput.js';

export const PROJECTION_CHANGES_CHANNEL = 'projection_changes';

/** A stable small hash of a key into [0, n). */
function partitionOf(key: string, n: number): number {
  let h = 0;
  for (let i = 0; i < key.length; i++) h = (Math.imul(h, 31) + key.charCodeAt(i)) | 0;
  return (h >>> 0) % n;
}
/** Serialises inserts into projection_change_log so its ids commit in order. */
export const CHANGE_LOG_LOCK = 0x5d_e5_c0_02;
/** NOTIFY payloads are limited to 8000 bytes; past this many ids a change says "many threads". */
const MAX_IDS_IN_NOTIFICATION = 150;

export interface GenerationRow {
  name: string;
  generation: number;
  code_version: number;
  status: 'building' | 'live' | 'retired' | 'failed';
  position: string;
  events_processed: string;
  /** A ring of per-second processed counts: the last minute's events per second (see throughput.ts). */
  rate_seconds: string[];
  rate_counts: string[];
  rate_since: string | null;
  /** A rebuild's total: the events up to the head it started from; null when not counted. */
  events_total: string | null;
  target_position: string | null;
  progress: number;
  eta_seconds: number | null;
  last_error: string | null;
  started_at: Date;
  live_at: Date | null;
  updated_at: Date;
}

/** What a change notification carries to the live push (and to read-your-writes waiters). */
export interface ProjectionChange {
  /** Id in projection_change_log: the live push's position. */
  changeId: string;
  projection: string;
  generation: number;
  position: string;
  /** null: too many to list; treat every thread as changed. */
  threadIds: string[] | null;
}

export interface RebuildProgress {
  projection: string;
  generation: number;
  processed: number;
  /** The events in the log up to the head seen when the rebuild began; null when the store cannot count them. */
  total: number | null;
  /** Over the last minute (or since the rebuild began, when that is less). */
  eventsPerSecond: number;
  /** 0..1: processed of total, or by log position between the start and that head when there is no total. */
  fraction: number;
  etaSeconds: number | null;
  done: boolean;
}

export class ProjectionHaltedError extends Error {
  constructor(
    readonly projection: string,
    readonly record: RecordedEvent,
    cause: unknown,
  ) {
    super(
      `projection ${projection} stopped at event ${record.id} (${record.type}, ${record.streamName}@${record.revision}, ` +
        `position ${formatPosition(record.position)}): ${(cause as Error).message ?? String(cause)}`,
      { cause },
    );
    this.name = 'ProjectionHaltedError';
  }
}

/** A generation's checkpoint as its runner last left it: lets the next batch skip reading it. */
export interface KnownCheckpoint {
  position: string;
  status: GenerationRow['status'];
}

export interface BatchOutcome {
  applied: number;
  caughtUp: boolean;
  position: Position;
  next?: Promise<ReadBatch>;
  /** The checkpoint after this batch; undefined when it must be read again (another runner or a swap moved it). */
  checkpoint?: KnownCheckpoint;
}

/** A batch's error as the runner reports it: a halt as it is, anything else naming the projection. */
function batchFailed(projection: Projection, generation: number, error: unknown): Error {
  if (error instanceof ProjectionHaltedError) return error;
  return new Error(
    `projection ${projection.name} generation ${generation} failed to apply a batch: ${(error as Error).message}`,
    { cause: error },
  );
}

interface ReadBatch {
  after: Position;
  batch: RecordedEvent[];
  events: ProjectedEvent[];
}

export interface EngineOptions {
  pool: pg.Pool;
  eventStore: EventStore;
  projections: readonly Projection[];
  batchSize?: number;
  /** Events per batch while a new generation catches up (nobody reads it yet; bigger batches fold more in memory). */
  rebuildBatchSize?: number;
  /** Connections a rebuild writes a batch on at once, for projections with a partition key. */
  rebuildWriters?: number;
  /** The time that events-per-second windows are kept and read by (the desk's clock). */
  clock?: () => Date;
}

/**
 * Runs projections: each batch's rows and the checkpoint commit together (exactly-once effect
 * across crashes), then a NOTIFY tells the live push what changed. Builds new generations
 * beside the live one and swaps the views atomically when they have caught up.
 */
export class ProjectionEngine {
  readonly pool: pg.Pool;
  readonly eventStore: EventStore;
  readonly projections: readonly Projection[];
  private readonly batchSize: number;
  private readonly rebuildBatchSize: number;
  private readonly rebuildWriters: number;
  readonly clock: () => Date;
  /** Log reads in flight, by position: projections woken by the same append share one read. */
  private readonly reads = new Map<string, Promise<RecordedEvent[]>>();

  constructor(options: EngineOptions) {
    this.pool = options.pool;
    this.eventStore = options.eventStore;
    this.projections = options.projections;
    this.batchSize = options.batchSize ?? 2000;
    this.rebuildBatchSize = Math.max(this.batchSize, options.rebuildBatchSize ?? 10_000);
    this.rebuildWriters = Math.max(1, options.rebuildWriters ?? 2);
    this.clock = options.clock ?? (() => new Date());
  }

  /** The second and ring slot a batch finishing now counts in. */
  private rateParams(): [number, number] {
    const { second, slot } = rateSlot(this.clock());
    return [second, slot];
  }

  /** A generation's events per second over the last minute, as of now. */
  eventsPerSecond(row: Pick<GenerationRow, 'rate_seconds' | 'rate_counts' | 'rate_since'>): number {
    return eventsPerSecond(windowOf(row), this.clock());
  }

  projection(name: string): Projection {
    const found = this.projections.find((p) => p.name === name);
    if (!found) {
      throw new Error(`no projection named ${name}; known: ${this.projections.map((p) => p.name).join(', ')}`);
    }
    return found;
  }

  async generations(name?: string): Promise<GenerationRow[]> {
    const { rows } = await this.pool.query<GenerationRow>(
      `SELECT * FROM projection_generations WHERE $1::text IS NULL OR name = $1 ORDER BY name, generation`,
      [name ?? null],
    );
    return rows;
  }

  async liveGeneration(name: string): Promise<GenerationRow | undefined> {
    const { rows } = await this.pool.query<GenerationRow>(
      `SELECT * FROM projection_generations WHERE name = $1 AND status = 'live'`,
      [name],
    );
    return rows[0];
  }

  /** Creates a new generation's tables; the first generation of a projection goes live at once (nothing to keep serving). */
  async createGeneration(projection: Projection): Promise<GenerationRow> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`projection:${projection.name}`]);
      const { rows: existing } = await client.query<{ generation: number; live: boolean }>(
        `SELECT max(generation) AS generation, bool_or(status = 'live') AS live FROM projection_generations WHERE name = $1`,
        [projection.name],
      );
      const generation = (existing[0]?.generation ?? 0) + 1;
      const goLive = !existing[0]?.live;
      await client.query(projection.createTables(tableNamesFor(generation)));
      // a live generation serves reads at once; a building one gets its indexes after the bulk catch-up
      if (goLive) await client.query(projection.createIndexes(tableNamesFor(generation)));
      const { rows } = await client.query<GenerationRow>(
        `INSERT INTO projection_generations (name, generation, code_version, status, live_at)
         VALUES ($1, $2, $3, $4, CASE WHEN $4 = 'live' THEN now() END) RETURNING *`,
        [projection.name, generation, projection.version, goLive ? 'live' : 'building'],
      );
      if (goLive) await this.pointViews(client, projection, generation);
      await client.query('COMMIT');
      return rows[0]!;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  private async pointViews(client: pg.PoolClient, projection: Projection, generation: number): Promise<void> {
    const t = tableNamesFor(generation);
    for (const table of projection.tables) {
      // Replacing keeps the view's identity, so a read queued on its lock during the swap runs
      // on the new generation instead of failing on a dropped relation. Only when the columns
      // changed is the view dropped and made again.
      await client.query('SAVEPOINT point_view');
      try {
        await client.query(`CREATE OR REPLACE VIEW ${table} AS SELECT * FROM ${t(table)}`);
        await client.query('RELEASE SAVEPOINT point_view');
      } catch {
        await client.query('ROLLBACK TO SAVEPOINT point_view');
        await client.query(`DROP VIEW IF EXISTS ${table}`);
        await client.query(`CREATE VIEW ${table} AS SELECT * FROM ${t(table)}`);
      }
    }
  }

  /**
   * Processes one batch of a generation. Events are read before the transaction (keeping it
   * short); inside it the checkpoint row is locked and compared, so two runners of the same
   * generation can never both apply a batch.
   */
  async runBatch(
    projection: Projection,
    generation: number,
    prefetched?: Promise<ReadBatch>,
    known?: KnownCheckpoint,
  ): Promise<BatchOutcome> {
    let row = known;
    if (!row) {
      const { rows: current } = await this.pool.query<KnownCheckpoint>(
        prepared('SELECT position, status FROM projection_generations WHERE name = $1 AND generation = $2', [
          projection.name,
          generation,
        ]),
      );
      row = current[0];
    }
    if (!row || row.status === 'retired' || row.status === 'failed') {
      return { applied: 0, caughtUp: true, position: row ? parsePosition(row.position) : START };
    }
    const after = parsePosition(row.position);
    const limit = row.status === 'building' ? this.rebuildBatchSize : this.batchSize;
    let read = prefetched ? await prefetched : undefined;
    if (!read || comparePositions(read.after, after) !== 0)
      read = await this.readBatch(projection, generation, after, limit);
    const { batch, events } = read;
    if (batch.length === 0) return { applied: 0, caughtUp: true, position: after, checkpoint: row };
    const last = batch[batch.length - 1]!.position;
    const caughtUp = batch.length < limit;
    if (events.length === 0) {
      // Nothing this projection reads: move the checkpoint without a transaction of its own or
      // waiting for the disk. Losing this write in a crash only means re-reading events it skips.
      const { rows: moved } = await this.pool.query<{ moved: string }>(
        prepared(
          `WITH moved AS (
           UPDATE projection_generations SET position = $3, events_processed = events_processed + $4,
                  ${rateSetSql('$4', '$7::bigint', '$8::int')}, updated_at = now()
            WHERE name = $1 AND generation = $2 AND position = $5 AND status = $6 RETURNING 1)
         SELECT set_config('synchronous_commit', 'off', true), (SELECT count(*) FROM moved) AS moved`,
          [
            projection.name,
            generation,
            formatPosition(last),
            batch.length,
            row.position,
            row.status,
            ...this.rateParams(),
          ],
        ),
      );
      if (Number(moved[0]?.moved) === 0) return { applied: 0, caughtUp: false, position: after };
      return {
        applied: batch.length,
        caughtUp,
        position: last,
        checkpoint: { position: formatPosition(last), status: row.status },
      };
    }
    // while this batch is written, the next one is read and parsed (catch-up only)
    const next = caughtUp ? undefined : this.readBatch(projection, generation, last, limit);
    next?.catch(() => undefined);

    if (row.status === 'building' && projection.partitionKey && this.rebuildWriters > 1) {
      await this.applyPartitioned(projection, generation, events);
      const { rows: moved } = await this.pool.query<{ moved: string }>(
        `WITH moved AS (
           UPDATE projection_generations SET position = $3, events_processed = events_processed + $4,
                  ${rateSetSql('$4', '$6::bigint', '$7::int')}, updated_at = now()
            WHERE name = $1 AND generation = $2 AND position = $5 AND status = 'building' RETURNING 1)
         SELECT (SELECT count(*) FROM moved) AS moved`,
        [projection.name, generation, formatPosition(last), batch.length, row.position, ...this.rateParams()],
      );
      if (Number(moved[0]?.moved) === 0) return { applied: 0, caughtUp: false, position: after };
      return {
        applied: batch.length,
        caughtUp,
        position: last,
        checkpoint: { position: formatPosition(last), status: row.status },
        ...(next ? { next } : {}),
      };
    }

    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const { rows: locked } = await client.query<KnownCheckpoint>(
        prepared('SELECT position, status FROM projection_generations WHERE name = $1 AND generation = $2 FOR UPDATE', [
          projection.name,
          generation,
        ]),
      );
      if (locked[0]?.position !== row.position || locked[0]?.status !== row.status) {
        await client.query('ROLLBACK'); // another runner (or a swap) moved it: read again from there
        return { applied: 0, caughtUp: false, position: after };
      }
      const effect = events.length
        ? await projection.apply(client, events, tableNamesFor(generation))
        : { threadIds: [] };
      await client.query(
        prepared(
          `UPDATE projection_generations SET position = $3, events_processed = events_processed + $4,
           ${rateSetSql('$4', '$5::bigint', '$6::int')}, updated_at = now()
           WHERE name = $1 AND generation = $2`,
          [projection.name, generation, formatPosition(last), batch.length, ...this.rateParams()],
        ),
      );
      // a generation being built serves nobody yet: only the live one announces its changes
      if (events.length && row.status === 'live') {
        const threadIds = [...new Set(effect.threadIds)];
        // taken last and held to commit: the change log's ids then commit in id order
        await client.query(prepared('SELECT pg_advisory_xact_lock($1)', [CHANGE_LOG_LOCK]));
        const { rows: logged } = await client.query<{ id: string }>(
          prepared(
            `INSERT INTO projection_change_log (projection, generation, position, thread_ids) VALUES ($1, $2, $3, $4) RETURNING id`,
            [projection.name, generation, formatPosition(last), threadIds],
          ),
        );
        const change: ProjectionChange = {
          changeId: logged[0]!.id,
          projection: projection.name,
          generation,
          position: formatPosition(last),
          threadIds: threadIds.length <= MAX_IDS_IN_NOTIFICATION ? threadIds : null,
        };
        await client.query(prepared('SELECT pg_notify($1, $2)', [PROJECTION_CHANGES_CHANNEL, JSON.stringify(change)]));
      }
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw batchFailed(projection, generation, error);
    } finally {
      client.release();
    }
    return {
      applied: batch.length,
      caughtUp,
      position: last,
      checkpoint: { position: formatPosition(last), status: row.status },
      ...(next ? { next } : {}),
    };
  }

  /** Reads the events after a position and parses those the projection reads; a malformed one halts it. */
  private async readBatch(
    projection: Projection,
    generation: number,
    after: Position,
    limit: number,
  ): Promise<ReadBatch> {
    const batch = await this.sharedRead(after, limit);
    const wanted = new Set(projection.eventTypes);
    const events: ProjectedEvent[] = [];
    for (const record of batch) {
      if (!wanted.has(record.type)) continue;
      try {
        const version = typeof record.metadata.schemaVersion === 'number' ? record.metadata.schemaVersion : 1;
        events.push({ record, event: parseDomainEvent(record.type, record.data, version) });
      } catch (error) {
        await this.fail(projection.name, generation, new ProjectionHaltedError(projection.name, record, error));
      }
    }
    return { after, batch, events };
  }

  /**
   * A generation being built serves nobody and is never resumed (a rebuild that dies is dropped
   * and started again: `abandonBuilding`), so its batches need not commit with the checkpoint in
   * one transaction. Its events are split by the projection's partition key and written on
   * several connections at once, each key's events in log order; the checkpoint moves after.
   */
  private async applyPartitioned(projection: Projection, generation: number, events: ProjectedEvent[]): Promise<void> {
    const groups: ProjectedEvent[][] = Array.from({ length: this.rebuildWriters }, () => []);
    for (const e of events) groups[partitionOf(projection.partitionKey!(e), this.rebuildWriters)]!.push(e);
    const tables = tableNamesFor(generation);
    await Promise.all(
      groups
        .filter((g) => g.length > 0)
        .map(async (group) => {
          const client = await this.pool.connect();
          try {
            await client.query('BEGIN');
            await client.query('SET LOCAL synchronous_commit = off');
            await projection.apply(client, group, tables);
            await client.query('COMMIT');
          } catch (error) {
            await client.query('ROLLBACK').catch(() => undefined);
            throw batchFailed(projection, generation, error);
          } finally {
            client.release();
          }
        }),
    );
  }

  /**
   * A rebuilt generation's secondary indexes, each built in one sort after the bulk load, on
   * `rebuildWriters` connections at once, with more sort memory than a session's default (the
   * full-text GIN indexes are most of the time).
   */
  private async createIndexesInParallel(ddl: string): Promise<void> {
    const statements = ddl
      .split(';')
      .map((statement) => statement.trim())
      .filter(Boolean);
    let next = 0;
    const worker = async () => {
      for (let i = next++; i < statements.length; i = next++) {
        await this.pool.query(`SET LOCAL maintenance_work_mem = '128MB'; ${statements[i]}`);
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.rebuildWriters, statements.length) }, worker));
  }

  /** One readAll per position at a time, whatever the number of projections asking for it. */
  private sharedRead(after: Position, limit: number): Promise<RecordedEvent[]> {
    const key = `${formatPosition(after)}/${limit}`;
    let read = this.reads.get(key);
    if (!read) {
      read = this.eventStore.readAll({ after, limit }).finally(() => this.reads.delete(key));
      this.reads.set(key, read);
    }
    return read;
  }

  private async fail(name: string, generation: number, error: ProjectionHaltedError): Promise<never> {
    await this.pool.query(
      `UPDATE projection_generations SET last_error = $3, updated_at = now() WHERE name = $1 AND generation = $2`,
      [name, generation, error.message],
    );
    throw error;
  }

  /**
   * Blue/green rebuild: a new generation is built from the start of the log while the live
   * one keeps serving; when it has caught up, the views swap to it in one transaction and
   * the old tables are dropped.
   */
  async rebuild(
    name: string,
    onProgress: (p: RebuildProgress) => void | Promise<void> = () => undefined,
  ): Promise<GenerationRow> {
    const projection = this.projection(name);
    await this.abandonBuilding(projection);
    const created = await this.createGeneration(projection);
    const generation = created.generation;
    if (created.status === 'live') {
      // first generation: nothing was serving; catch up in place
      await this.catchUp(projection, generation, onProgress);
      return (await this.generations(name)).find((g) => g.generation === generation)!;
    }
    await this.catchUp(projection, generation, onProgress);
    await this.createIndexesInParallel(projection.createIndexes(tableNamesFor(generation)));
    // a last pass right before the swap, so the new generation goes live as current as the old
    while (!(await this.runBatch(projection, generation)).caughtUp);
    const previous = await this.swap(projection, generation);
    if (previous !== undefined) await this.dropGeneration(projection, previous);
    return (await this.generations(name)).find((g) => g.generation === generation)!;
  }

  /**
   * Fills a generation from the start of the log up to the head seen now. Progress (processed
   * of total, rate, ETA) is written after every batch that lands 250 ms after the last report,
   * and always after the first and the last, before `onProgress` is awaited.
   */
  private async catchUp(
    projection: Projection,
    generation: number,
    onProgress: (p: RebuildProgress) => void | Promise<void>,
  ) {
    const head = await this.eventStore.headPosition();
    const total = this.eventStore.countEvents ? await this.eventStore.countEvents(head) : null;
    await this.pool.query(
      `UPDATE projection_generations SET events_total = $3, target_position = $4, updated_at = now()
        WHERE name = $1 AND generation = $2`,
      [projection.name, generation, total, formatPosition(head)],
    );
    const startedAt = performance.now();
    let window = emptyWindow();
    let processed = 0;
    let lastReport: number | undefined;
    const span = Number(head.prepare) + 1;
    let prefetched: Promise<ReadBatch> | undefined;
    for (;;) {
      const { applied, caughtUp, position, next } = await this.runBatch(projection, generation, prefetched);
      prefetched = next;
      processed += applied;
      if (applied) window = addToWindow(window, this.clock(), applied);
      const elapsed = (performance.now() - startedAt) / 1000;
      const reachedHead = comparePositions(position, head) >= 0;
      const fraction =
        caughtUp || reachedHead
          ? 1
          : total
            ? Math.min(0.999, processed / total)
            : Math.min(0.999, Math.max(0, (Number(position.prepare) + 1) / span));
      const etaSeconds = fraction >= 1 ? 0 : fraction > 0 ? (elapsed / fraction) * (1 - fraction) : null;
      if (caughtUp || lastReport === undefined || performance.now() - lastReport > 250) {
        lastReport = performance.now();
        await this.pool.query(
          `UPDATE projection_generations SET progress = $3, eta_seconds = $4 WHERE name = $1 AND generation = $2`,
          [projection.name, generation, fraction, etaSeconds],
        );
        await onProgress({
          projection: projection.name,
          generation,
          processed,
          total,
          eventsPerSecond: eventsPerSecond(window, this.clock()),
          fraction,
          etaSeconds,
          done: caughtUp,
        });
      }
      // caught up: at the head we saw, or short of it when that head was a transaction that later rolled back
      if (caughtUp) return;
    }
  }

  /** Points the views at `generation` and retires the live one, in one transaction. */
  private async swap(projection: Projection, generation: number): Promise<number | undefined> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`projection:${projection.name}`]);
      const { rows } = await client.query<{ generation: number }>(
        `UPDATE projection_generations SET status = 'retired', retired_at = now(), updated_at = now()
          WHERE name = $1 AND status = 'live' RETURNING generation`,
        [projection.name],
      );
      await client.query(
        `UPDATE projection_generations SET status = 'live', live_at = now(), progress = 1, eta_seconds = 0, updated_at = now()
          WHERE name = $1 AND generation = $2`,
        [projection.name, generation],
      );
      await this.pointViews(client, projection, generation);
      await client.query('COMMIT');
      return rows[0]?.generation;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  /** A rebuild that died (its process was killed) leaves a building generation: drop it. */
  private async abandonBuilding(projection: Projection): Promise<void> {
    const { rows } = await this.pool.query<{ generation: number }>(
      `UPDATE projection_generations SET status = 'failed', last_error = coalesce(last_error, 'abandoned: a newer rebuild started'),
         updated_at = now() WHERE name = $1 AND status = 'building' RETURNING generation`,
      [projection.name],
    );
    for (const { generation } of rows) await this.dropGeneration(projection, generation);
  }

  /** Drops a retired generation's tables; waits briefly for readers still on them, retries later otherwise. */
  async dropGeneration(projection: Projection, generation: number): Promise<boolean> {
    const t = tableNamesFor(generation);
    for (let attempt = 0; attempt < 20; attempt++) {
      const client = await this.pool.connect();
      try {
        await client.query('BEGIN');
        await client.query("SET LOCAL lock_timeout = '2s'");
        for (const table of projection.tables) await client.query(`DROP TABLE IF EXISTS ${t(table)}`);
        await client.query('COMMIT');
        return true;
      } catch {
        await client.query('ROLLBACK').catch(() => undefined);
        await new Promise((r) => setTimeout(r, 250));
      } finally {
        client.release();
      }
    }
    return false;
  }

  /** At start: every projection has a live generation of the current code version, or gets one built. */
  async plan(): Promise<{ fresh: Projection[]; outdated: Projection[] }> {
    const fresh: Projection[] = [];
    const outdated: Projection[] = [];
    for (const projection of this.projections) {
      const live = await this.liveGeneration(projection.name);
      if (!live) {
        const { rows } = await this.pool.query(
          `SELECT 1 FROM projection_generations WHERE name = $1 AND status = 'building'`,
          [projection.name],
        );
        if (rows.length === 0) await this.createGeneration(projection);
        fresh.push(projection);
      } else if (live.code_version !== projection.version) {
        outdated.push(projection);
      }
    }
    return { fresh, outdated };
  }

  /** Has every live projection reached this position? (read-your-writes) */
  async reached(position: Position, names: readonly string[] = this.projections.map((p) => p.name)): Promise<boolean> {
    const { rows } = await this.pool.query<{ name: string; position: string }>(
      `SELECT name, position FROM projection_generations WHERE status = 'live' AND name = ANY($1)`,
      [names],
    );
    if (rows.length < names.length) return false;
    return rows.every((r) => comparePositions(parsePosition(r.position), position) >= 0);
  }
}
