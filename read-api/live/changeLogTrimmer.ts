/**
 * Trims projection_change_log: rows older than the retention go, the last `keepChanges` ids
 * stay (what resumes replay from); one process at a time, by an advisory lock.
 */
import type pg from 'pg';
import type { Logger } from '../../platform/logger.js';
import type { LiveLimits } from './liveLimits.js';

const LOG_TRIM_LOCK = 0x5d_e5_c0_11;

/** Answers the rows deleted (0 when another process holds the trim, or it failed). */
export async function trimChangeLog(
  pool: pg.Pool,
  limits: Pick<LiveLimits, 'retentionMs' | 'keepChanges'>,
  logger: Logger,
): Promise<number> {
  const db = await pool.connect();
  try {
    await db.query('BEGIN');
    const { rows: lock } = await db.query<{ ok: boolean }>('SELECT pg_try_advisory_xact_lock($1) AS ok', [
      LOG_TRIM_LOCK,
    ]);
    if (!lock[0]?.ok) {
      await db.query('ROLLBACK');
      return 0;
    }
    const { rowCount } = await db.query(
      `DELETE FROM projection_change_log WHERE id IN (
         SELECT id FROM projection_change_log
          WHERE created_at < now() - make_interval(secs => $1)
            AND id <= (SELECT max(id) FROM projection_change_log) - $2
          ORDER BY id LIMIT 10000)`,
      [limits.retentionMs / 1000, limits.keepChanges],
    );
    await db.query('COMMIT');
    return rowCount ?? 0;
  } catch (error) {
    await db.query('ROLLBACK').catch(() => undefined);
    logger.warn({ err: error }, 'live push: trimming the change log failed');
    return 0;
  } finally {
    db.release();
  }
}
