import { createHash } from 'node:crypto';
import type pg from 'pg';
import { emailAddressStreamName } from '../../../domain/index.js';
import { bareAddress } from '../replyAddress.js';

/**
 * The addresses mail is stopped to, as the `emailSuppressions` projection keeps them
 * (`email_suppressions`). Addresses are compared in lower case, without a display name.
 */

export const normalizedAddress: (address: string) => string = bareAddress;

/** `emailAddress-<sha256 of the lowercase address>`. */
export function addressStreamName(address: string): string {
  return emailAddressStreamName(createHash('sha256').update(normalizedAddress(address)).digest('hex'));
}

export interface Suppression {
  address: string;
  reason: 'bounced' | 'complained';
  emailId: string;
  since: string;
}

export interface SuppressionRecord {
  address: string;
  active: boolean;
  reason: 'bounced' | 'complained' | null;
  emailId: string | null;
  since: string | null;
  clearedAt: string | null;
  clearedBy: string | null;
  clearedReason: string | null;
}

/** Pools that have seen the view: once a projector created it, it stays (a rebuild swaps what it points at). */
const viewSeen = new WeakSet<pg.Pool>();

/** Whether the projection's view exists yet (a projector created it): before, nothing was ever suppressed. */
async function viewExists(pool: pg.Pool): Promise<boolean> {
  if (viewSeen.has(pool)) return true;
  const { rows } = await pool.query<{ exists: boolean }>(
    `SELECT to_regclass('email_suppressions') IS NOT NULL AS exists`,
  );
  if (rows[0]?.exists) viewSeen.add(pool);
  return rows[0]?.exists ?? false;
}

/** The suppression in force for this address, if any. */
export async function suppressionOfAddress(pool: pg.Pool, address: string): Promise<Suppression | null> {
  if (!(await viewExists(pool))) return null;
  const { rows } = await pool.query<{
    address: string;
    reason: 'bounced' | 'complained';
    email_id: string;
    suppressed_at: Date;
  }>('SELECT address, reason, email_id, suppressed_at FROM email_suppressions WHERE address = $1 AND active', [
    normalizedAddress(address),
  ]);
  const row = rows[0];
  return row
    ? { address: row.address, reason: row.reason, emailId: row.email_id, since: row.suppressed_at.toISOString() }
    : null;
}

/** Every address ever suppressed (the ones in force first, newest first), or only those in force. */
export async function listSuppressions(
  pool: pg.Pool,
  options: { includeCleared?: boolean; limit?: number } = {},
): Promise<SuppressionRecord[]> {
  if (!(await viewExists(pool))) return [];
  const { rows } = await pool.query<{
    address: string;
    active: boolean;
    reason: 'bounced' | 'complained' | null;
    email_id: string | null;
    suppressed_at: Date | null;
    cleared_at: Date | null;
    cleared_by: string | null;
    cleared_reason: string | null;
  }>(
    `SELECT * FROM email_suppressions WHERE active OR $1::boolean
      ORDER BY active DESC, coalesce(suppressed_at, cleared_at) DESC, address LIMIT $2`,
    [options.includeCleared ?? false, Math.min(Math.max(options.limit ?? 200, 1), 1000)],
  );
  return rows.map((r) => ({
    address: r.address,
    active: r.active,
    reason: r.reason,
    emailId: r.email_id,
    since: r.suppressed_at?.toISOString() ?? null,
    clearedAt: r.cleared_at?.toISOString() ?? null,
    clearedBy: r.cleared_by,
    clearedReason: r.cleared_reason,
  }));
}
