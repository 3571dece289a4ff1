import type pg from 'pg';
import { formatPosition, parsePosition, type EventStore, type Position } from '../../eventstore/port.js';
import type { SeenCheckpoint } from '../../projections/checkpointedBatch.js';

/**
 * The email process manager's row in email_checkpoints: its position in the log, and
 * `emails_from` (events at or before it only teach facts) when it was told to skip history.
 */
export interface EmailCheckpointRow {
  position: string;
  emailsFrom: Position | null;
}

/** The checkpoint row, created on first use (with `emails_from` at the head when history is skipped). */
export async function emailCheckpoint(
  pool: pg.Pool,
  eventStore: EventStore,
  name: string,
  history: 'send' | 'skip',
): Promise<EmailCheckpointRow> {
  const read = () =>
    pool.query<{ position: string; emails_from: string | null }>(
      'SELECT position, emails_from FROM email_checkpoints WHERE name = $1',
      [name],
    );
  let { rows } = await read();
  if (!rows[0]) {
    const emailsFrom = history === 'skip' ? formatPosition(await eventStore.headPosition()) : null;
    await pool.query(
      'INSERT INTO email_checkpoints (name, emails_from) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING',
      [name, emailsFrom],
    );
    ({ rows } = await read());
  }
  const row = rows[0];
  if (!row) throw new Error(`email checkpoint ${name} could not be created`);
  return { position: row.position, emailsFrom: row.emails_from ? parsePosition(row.emails_from) : null };
}

/** The row as a batch saw it at `seen`: moved only from there, locked and compared inside the batch's transaction. */
export function seenEmailCheckpoint(name: string, seen: string): SeenCheckpoint {
  return {
    async move(db, to, _events, durable) {
      const { rows } = await db.query<{ moved: string }>(
        `WITH moved AS (UPDATE email_checkpoints SET position = $2, updated_at = now() WHERE name = $1 AND position = $3 RETURNING 1)
         SELECT ${durable ? '' : `set_config('synchronous_commit', 'off', true), `}(SELECT count(*) FROM moved) AS moved`,
        [name, formatPosition(to), seen],
      );
      return Number(rows[0]?.moved) > 0;
    },
    async lock(client) {
      const { rows } = await client.query<{ position: string }>(
        'SELECT position FROM email_checkpoints WHERE name = $1 FOR UPDATE',
        [name],
      );
      return rows[0]?.position === seen;
    },
  };
}
