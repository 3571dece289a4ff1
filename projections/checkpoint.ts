/**
 * A generation's checkpoint (its position in the log and its status) and the one way a batch
 * moves it: only from where the runner last saw it, so two runners (or a runner and a
 * blue/green swap) can never both move it past the same events.
 */
import type pg from 'pg';
import { formatPosition, type Position } from '../eventstore/port.js';
import { prepared } from './bulkSql.js';
import type { SeenCheckpoint } from './checkpointedBatch.js';
import type { GenerationRow } from './generations.js';
import { rateSetSql, rateSlot } from './throughput.js';

/** A generation's checkpoint as its runner last left it: lets the next batch skip reading it. */
export interface KnownCheckpoint {
  position: string;
  status: GenerationRow['status'];
}

export interface CheckpointMove {
  name: string;
  generation: number;
  from: KnownCheckpoint;
  to: Position;
  /** Events read in the batch (applied or skipped): they count in events_processed and the rate. */
  events: number;
  /** When the batch finished (the second and slot its events count in). */
  at: Date;
  /**
   * false: the move need not wait for the disk; losing it in a crash only means reading again
   * events the generation skips.
   */
  durable: boolean;
}

/** Moves the checkpoint; false when it was no longer at `from` (another runner or a swap moved it). */
export async function moveCheckpoint(db: pg.Pool | pg.PoolClient, move: CheckpointMove): Promise<boolean> {
  const { second, slot } = rateSlot(move.at);
  const { rows } = await db.query<{ moved: string }>(
    prepared(
      `WITH moved AS (
         UPDATE projection_generations SET position = $3, events_processed = events_processed + $4,
                ${rateSetSql('$4', '$7::bigint', '$8::int')}, updated_at = now()
          WHERE name = $1 AND generation = $2 AND position = $5 AND status = $6 RETURNING 1)
       SELECT ${move.durable ? '' : `set_config('synchronous_commit', 'off', true), `}(SELECT count(*) FROM moved) AS moved`,
      [
        move.name,
        move.generation,
        formatPosition(move.to),
        move.events,
        move.from.position,
        move.from.status,
        second,
        slot,
      ],
    ),
  );
  return Number(rows[0]?.moved) > 0;
}

/**
 * A generation's checkpoint as a batch saw it: moved only from there, locked and compared (position
 * and status) inside the batch's transaction. Each move counts its events in the rate as of `clock`.
 */
export function generationCheckpoint(
  name: string,
  generation: number,
  from: KnownCheckpoint,
  clock: () => Date,
): SeenCheckpoint {
  return {
    move: (db, to, events, durable) => moveCheckpoint(db, { name, generation, from, to, events, at: clock(), durable }),
    async lock(client) {
      const { rows } = await client.query<KnownCheckpoint>(
        prepared('SELECT position, status FROM projection_generations WHERE name = $1 AND generation = $2 FOR UPDATE', [
          name,
          generation,
        ]),
      );
      return rows[0]?.position === from.position && rows[0]?.status === from.status;
    },
  };
}
