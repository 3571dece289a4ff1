/**
 * The change log of live generations: each batch a live projection applies writes one row of
 * projection_change_log in its transaction (ids commit in order) and NOTIFYs it, which is what
 * the live push and read-your-writes waiters follow.
 */
import type pg from 'pg';
import { prepared } from './bulkSql.js';

export const PROJECTION_CHANGES_CHANNEL = 'projection_changes';
/** Serialises inserts into projection_change_log so its ids commit in order. */
export const CHANGE_LOG_LOCK = 0x5d_e5_c0_02;
/** NOTIFY payloads are limited to 8000 bytes; past this many ids a change says "many threads". */
const MAX_IDS_IN_NOTIFICATION = 150;

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

/** Logs and announces a change, inside the batch's transaction (the lock is held to its commit). */
export async function logChange(
  client: pg.PoolClient,
  projection: string,
  generation: number,
  position: string,
  changedThreadIds: readonly string[],
): Promise<void> {
  const threadIds = [...new Set(changedThreadIds)];
  // taken last and held to commit: the change log's ids then commit in id order
  await client.query(prepared('SELECT pg_advisory_xact_lock($1)', [CHANGE_LOG_LOCK]));
  const { rows: logged } = await client.query<{ id: string }>(
    prepared(
      `INSERT INTO projection_change_log (projection, generation, position, thread_ids) VALUES ($1, $2, $3, $4) RETURNING id`,
      [projection, generation, position, threadIds],
    ),
  );
  const change: ProjectionChange = {
    changeId: logged[0]!.id,
    projection,
    generation,
    position,
    threadIds: threadIds.length <= MAX_IDS_IN_NOTIFICATION ? threadIds : null,
  };
  await client.query(prepared('SELECT pg_notify($1, $2)', [PROJECTION_CHANGES_CHANNEL, JSON.stringify(change)]));
}
