import type pg from 'pg';
import { START, type Position } from '../../eventstore/port.js';

/**
 * The position of the newest committed event of the log, whether subscribers may read it yet or
 * not. `headPosition()` trails it while any transaction of the cluster is open (another test
 * file's database included: they share one Postgres), so a test that compares read models with
 * the raw log waits until the projections have reached this position instead.
 */
export async function committedLogEnd(pool: pg.Pool): Promise<Position> {
  const { rows } = await pool.query<{ commit: string; prepare: string }>(
    `SELECT transaction_id::text AS commit, global_position::text AS prepare FROM es_events
      ORDER BY transaction_id DESC, global_position DESC LIMIT 1`,
  );
  const row = rows[0];
  return row ? { commit: BigInt(row.commit), prepare: BigInt(row.prepare) } : START;
}
