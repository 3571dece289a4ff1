/**
 * Runs one batch of one generation: reads the events after its checkpoint (one read shared by
 * every projection asking for the same position), applies those it reads, and moves the
 * checkpoint. A live generation's rows, checkpoint and change log row commit together
 * (exactly-once effect across crashes); a generation being built writes on several connections.
 */
import type pg from 'pg';
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
import { logChange } from './changeLog.js';
import { generationCheckpoint, type KnownCheckpoint } from './checkpoint.js';
import { applyCheckpointedBatch, parseRecorded, type LogBatch } from './checkpointedBatch.js';
import { tableNamesFor, type ProjectedEvent, type Projection } from './projection.js';

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

export type ReadBatch = LogBatch<ProjectedEvent>;

export interface BatchOutcome {
  applied: number;
  caughtUp: boolean;
  position: Position;
  next?: Promise<ReadBatch>;
  /** The checkpoint after this batch; undefined when it must be read again (another runner or a swap moved it). */
  checkpoint?: KnownCheckpoint;
}

export interface BatchRunnerOptions {
  pool: pg.Pool;
  eventStore: EventStore;
  batchSize: number;
  /** Events per batch while a new generation catches up. */
  rebuildBatchSize: number;
  /** Connections a rebuild writes a batch on at once, for projections with a partition key. */
  rebuildWriters: number;
  clock: () => Date;
}

/** A batch's error as the runner reports it: a halt as it is, anything else naming the projection. */
function batchFailed(projection: Projection, generation: number, error: unknown): Error {
  if (error instanceof ProjectionHaltedError) return error;
  return new Error(
    `projection ${projection.name} generation ${generation} failed to apply a batch: ${(error as Error).message}`,
    { cause: error },
  );
}

/** A stable small hash of a key into [0, n). */
function partitionOf(key: string, n: number): number {
  let h = 0;
  for (let i = 0; i < key.length; i++) h = (Math.imul(h, 31) + key.charCodeAt(i)) | 0;
  return (h >>> 0) % n;
}

/** The checkpoint was moved by somebody else: nothing applied, read it again. */
const movedElsewhere = (after: Position): BatchOutcome => ({ applied: 0, caughtUp: false, position: after });

export class BatchRunner {
  /** Log reads in flight, by position: projections woken by the same append share one read. */
  private readonly reads = new Map<string, Promise<RecordedEvent[]>>();

  constructor(private readonly options: BatchRunnerOptions) {}

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
    const { pool } = this.options;
    let row = known;
    if (!row) {
      const { rows: current } = await pool.query<KnownCheckpoint>(
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
    const limit = row.status === 'building' ? this.options.rebuildBatchSize : this.options.batchSize;
    let read = prefetched ? await prefetched : undefined;
    if (!read || comparePositions(read.after, after) !== 0)
      read = await this.readBatch(projection, generation, after, limit);
    const { batch, events } = read;
    // while this batch is written, the next one is read and parsed (catch-up only)
    const next =
      events.length === 0 || batch.length < limit
        ? undefined
        : this.readBatch(projection, generation, batch[batch.length - 1]!.position, limit);
    next?.catch(() => undefined);

    const status = row.status;
    const partitioned = status === 'building' && projection.partitionKey && this.options.rebuildWriters > 1;
    const progress = await applyCheckpointedBatch(
      pool,
      generationCheckpoint(projection.name, generation, row, this.options.clock),
      read,
      limit,
      {
        apply: (client, batchEvents) => projection.apply(client, batchEvents, tableNamesFor(generation)),
        // a generation being built serves nobody yet: only the live one announces its changes
        beforeCommit: async (client, effect, to) => {
          if (status === 'live')
            await logChange(client, projection.name, generation, formatPosition(to), effect.threadIds);
        },
        ...(partitioned
          ? { applyWithoutTransaction: (batchEvents) => this.applyPartitioned(projection, generation, batchEvents) }
          : {}),
        failed: (error) => batchFailed(projection, generation, error),
      },
    );
    if (progress.kind === 'atHead') return { applied: 0, caughtUp: true, position: after, checkpoint: row };
    if (progress.kind === 'movedElsewhere') return movedElsewhere(after);
    return {
      applied: progress.read,
      caughtUp: progress.caughtUp,
      position: progress.position,
      checkpoint: { position: formatPosition(progress.position), status },
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
        events.push({ record, event: parseRecorded(record) });
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
    const writers = this.options.rebuildWriters;
    const groups: ProjectedEvent[][] = Array.from({ length: writers }, () => []);
    for (const e of events) groups[partitionOf(projection.partitionKey!(e), writers)]!.push(e);
    const tables = tableNamesFor(generation);
    await Promise.all(
      groups
        .filter((g) => g.length > 0)
        .map(async (group) => {
          const client = await this.options.pool.connect();
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

  /** One readAll per position at a time, whatever the number of projections asking for it. */
  private sharedRead(after: Position, limit: number): Promise<RecordedEvent[]> {
    const key = `${formatPosition(after)}/${limit}`;
    let read = this.reads.get(key);
    if (!read) {
      read = this.options.eventStore.readAll({ after, limit }).finally(() => this.reads.delete(key));
      this.reads.set(key, read);
    }
    return read;
  }

  private async fail(name: string, generation: number, error: ProjectionHaltedError): Promise<never> {
    await this.options.pool.query(
      `UPDATE projection_generations SET last_error = $3, updated_at = now() WHERE name = $1 AND generation = $2`,
      [name, generation, error.message],
    );
    throw error;
  }
}
