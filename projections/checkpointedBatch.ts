/**
 * The one way a follower of the log takes a batch: a projection's generation and the email
 * process manager alike. The events after its checkpoint are read outside any transaction (to
 * keep it short); inside it the checkpoint row is locked and compared with what was seen, the
 * batch is applied and the checkpoint moved, so the batch's effect and the move commit together
 * (exactly once whatever crashes) and two followers of the same checkpoint never both apply it.
 */
import type pg from 'pg';
import { parseDomainEvent, type DomainEvent } from '../domain/index.js';
import type { Position, RecordedEvent } from '../eventstore/port.js';

/** A follower's checkpoint row, bound to where the follower saw it before reading its batch. */
export interface SeenCheckpoint {
  /**
   * Moves the checkpoint to `to` (past `events` events) from where it was seen; false when it was
   * no longer there. `durable: false` need not wait for the disk (a crash only re-reads events).
   */
  move(db: pg.Pool | pg.PoolClient, to: Position, events: number, durable: boolean): Promise<boolean>;
  /** Locks the row inside the transaction; false when another runner (or a swap) moved it since. */
  lock(client: pg.PoolClient): Promise<boolean>;
}

/** A batch read after a checkpoint: every record read, and those the follower applies, parsed. */
export interface LogBatch<Applied> {
  after: Position;
  batch: RecordedEvent[];
  events: Applied[];
}

export interface BatchSteps<Applied, Effect> {
  /** Applies the batch inside the transaction, before the checkpoint moves. */
  apply(client: pg.PoolClient, events: Applied[]): Promise<Effect>;
  /** After the checkpoint moved, before the commit (what must be taken last, like the change log's lock). */
  beforeCommit?(client: pg.PoolClient, effect: Effect, to: Position): Promise<void>;
  /**
   * Set: the batch is applied outside one transaction (on connections of its own) and the
   * checkpoint moves after it — only for what nobody reads yet and is never resumed.
   */
  applyWithoutTransaction?(events: Applied[]): Promise<void>;
  /** A failed batch's error as the follower reports it. */
  failed?(error: unknown): Error;
}

/** What one batch did: the progress a follower reports. */
export type BatchProgress<Effect> =
  /** Nothing after the checkpoint: the follower is at the head. */
  | { kind: 'atHead' }
  /** The checkpoint was moved by somebody else: nothing applied, read it again. */
  | { kind: 'movedElsewhere' }
  | {
      kind: 'advanced';
      /** Events read and passed (all types). */
      read: number;
      position: Position;
      /** The batch was short of its limit: the head was reached. */
      caughtUp: boolean;
      /** The apply step's answer; undefined when nothing in the batch was the follower's. */
      effect?: Effect;
    };

/** A stored event as the code reads it: parsed and upcast from the schema version it was written with. */
export function parseRecorded(record: RecordedEvent): DomainEvent {
  const version = typeof record.metadata.schemaVersion === 'number' ? record.metadata.schemaVersion : 1;
  return parseDomainEvent(record.type, record.data, version);
}

/** Applies a batch read after `checkpoint` and moves the checkpoint past it (see the top of the file). */
export async function applyCheckpointedBatch<Applied, Effect>(
  pool: pg.Pool,
  checkpoint: SeenCheckpoint,
  read: LogBatch<Applied>,
  limit: number,
  steps: BatchSteps<Applied, Effect>,
): Promise<BatchProgress<Effect>> {
  const { batch, events } = read;
  if (batch.length === 0) return { kind: 'atHead' };
  const last = batch[batch.length - 1]!.position;
  const advanced = (effect?: Effect): BatchProgress<Effect> => ({
    kind: 'advanced',
    read: batch.length,
    position: last,
    caughtUp: batch.length < limit,
    ...(effect === undefined ? {} : { effect }),
  });
  const movedElsewhere: BatchProgress<Effect> = { kind: 'movedElsewhere' };

  // Nothing the follower reads: move the checkpoint without a transaction of its own or waiting for the disk.
  if (events.length === 0)
    return (await checkpoint.move(pool, last, batch.length, false)) ? advanced() : movedElsewhere;

  if (steps.applyWithoutTransaction) {
    await steps.applyWithoutTransaction(events);
    return (await checkpoint.move(pool, last, batch.length, true)) ? advanced() : movedElsewhere;
  }

  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    if (!(await checkpoint.lock(client))) {
      await client.query('ROLLBACK'); // another runner (or a swap) moved it: read again from there
      return movedElsewhere;
    }
    const effect = await steps.apply(client, events);
    await checkpoint.move(client, last, batch.length, true); // locked and compared above: it moves
    await steps.beforeCommit?.(client, effect, last);
    await client.query('COMMIT');
    return advanced(effect);
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw steps.failed ? steps.failed(error) : error;
  } finally {
    client.release();
  }
}
