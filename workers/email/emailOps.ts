import type pg from 'pg';
import { z } from 'zod';
import { deliveryReportStates } from '../../domain/index.js';

/**
 * What ops ask of the email queue: how many emails are where, which ones, and "try again".
 * pending: due or waiting, never failed yet; retrying: failed at least once, will try again;
 * failed: refused for good by the provider; deadLettered: every attempt failed.
 */
export interface EmailQueueStats {
  pending: number;
  retrying: number;
  sent: number;
  failed: number;
  deadLettered: number;
}

export async function emailQueueStats(pool: pg.Pool): Promise<EmailQueueStats> {
  const { rows } = await pool.query<Record<keyof EmailQueueStats, string>>(
    `SELECT count(*) FILTER (WHERE status = 'pending' AND last_error IS NULL) AS pending,
            count(*) FILTER (WHERE status = 'pending' AND last_error IS NOT NULL) AS retrying,
            count(*) FILTER (WHERE status = 'sent') AS sent,
            count(*) FILTER (WHERE status = 'failed') AS failed,
            count(*) FILTER (WHERE status = 'dead') AS "deadLettered"
       FROM email_outbox`,
  );
  const row = rows[0];
  return {
    pending: Number(row?.pending ?? 0),
    retrying: Number(row?.retrying ?? 0),
    sent: Number(row?.sent ?? 0),
    failed: Number(row?.failed ?? 0),
    deadLettered: Number(row?.deadLettered ?? 0),
  };
}

export const emailListStatuses = ['pending', 'retrying', 'sending', 'sent', 'failed', 'dead'] as const;
export type EmailListStatus = (typeof emailListStatuses)[number];

/** What Resend reported about a sent email: the strongest state so far (sent < delayed < delivered; bounced, complained final). */
export const emailDeliveryReportSchema = z
  .object({
    state: z.enum(deliveryReportStates),
    reason: z.string().nullable().meta({ description: "A bounce's sub-type and message" }),
    at: z.string().meta({ description: 'When Resend says it happened' }),
  })
  .nullable()
  .meta({ description: 'What Resend reported after taking the email (its webhooks); null: nothing yet' });
export type EmailDeliveryReport = z.infer<typeof emailDeliveryReportSchema>;

export interface EmailQueueEntry {
  id: string;
  /** null: the email handing out an assignment's guest link. */
  threadId: string | null;
  /** The guest link the email carries (never its token). */
  guestLinkId: string | null;
  messageId: string | null;
  template: string;
  recipient: string;
  subject: string;
  status: EmailListStatus;
  attempts: number;
  nextAttemptAt: string | null;
  lastError: string | null;
  lastErrorName: string | null;
  providerId: string | null;
  claimedBy: string | null;
  createdAt: string;
  updatedAt: string;
  sentAt: string | null;
  delivery: EmailDeliveryReport;
}

/** The state ops see: a pending row someone holds a live claim on is being sent right now. */
const listedStatus = `CASE
    WHEN status = 'pending' AND claimed_until > now() THEN 'sending'
    WHEN status = 'pending' AND last_error IS NOT NULL THEN 'retrying'
    ELSE status END`;

/** The latest emails (most recently changed first), optionally of one status. */
export async function listEmails(
  pool: pg.Pool,
  options: { limit?: number; status?: EmailListStatus; threadId?: string } = {},
): Promise<EmailQueueEntry[]> {
  const { rows } = await pool.query<{
    id: string;
    thread_id: string | null;
    guest_link_id: string | null;
    message_id: string | null;
    template: string;
    recipient: string;
    subject: string;
    listed_status: EmailListStatus;
    attempts: number;
    next_attempt_at: Date;
    last_error: string | null;
    last_error_name: string | null;
    provider_id: string | null;
    claimed_by: string | null;
    created_at: Date;
    updated_at: Date;
    sent_at: Date | null;
    delivery_state: NonNullable<EmailDeliveryReport>['state'] | null;
    delivery_reason: string | null;
    delivery_at: Date | null;
  }>(
    `SELECT * FROM (
       SELECT id, thread_id::text, guest_link_id, message_id::text, template, recipient, subject, ${listedStatus} AS listed_status,
              attempts, next_attempt_at, last_error, last_error_name, provider_id,
              CASE WHEN claimed_until > now() THEN claimed_by END AS claimed_by, created_at, updated_at, sent_at,
              delivery_state, delivery_reason, delivery_at
         FROM email_outbox WHERE $2::uuid IS NULL OR thread_id = $2::uuid) listed
      WHERE $3::text IS NULL OR listed_status = $3
      ORDER BY updated_at DESC, id LIMIT $1`,
    [Math.min(Math.max(options.limit ?? 50, 1), 500), options.threadId ?? null, options.status ?? null],
  );
  return rows.map((r) => ({
    id: r.id,
    threadId: r.thread_id,
    guestLinkId: r.guest_link_id,
    messageId: r.message_id,
    template: r.template,
    recipient: r.recipient,
    subject: r.subject,
    status: r.listed_status,
    attempts: r.attempts,
    nextAttemptAt:
      r.listed_status === 'pending' || r.listed_status === 'retrying' ? r.next_attempt_at.toISOString() : null,
    lastError: r.last_error,
    lastErrorName: r.last_error_name,
    providerId: r.provider_id,
    claimedBy: r.claimed_by,
    createdAt: r.created_at.toISOString(),
    updatedAt: r.updated_at.toISOString(),
    sentAt: r.sent_at?.toISOString() ?? null,
    delivery:
      r.delivery_state && r.delivery_at
        ? { state: r.delivery_state, reason: r.delivery_reason, at: r.delivery_at.toISOString() }
        : null,
  }));
}

export type RetryResult = 'retried' | 'not_found' | 'not_failed';

/**
 * Makes a failed or dead-lettered email due now, with its attempts reset. A new round: its
 * outcome gets events (and, if it fails again, a note) of its own. The idempotency key stays,
 * so an email the provider did accept is not sent twice.
 */
export async function retryEmail(pool: pg.Pool, id: string): Promise<RetryResult> {
  const { rowCount } = await pool.query(
    `UPDATE email_outbox SET ${retrySet} WHERE id = $1 AND status IN ('failed', 'dead') AND NOT events_pending`,
    [id],
  );
  if (rowCount) return 'retried';
  const { rows } = await pool.query('SELECT 1 FROM email_outbox WHERE id = $1', [id]);
  return rows.length ? 'not_failed' : 'not_found';
}

/** retryEmail for every failed and dead-lettered email; answers how many. */
export async function retryAllFailed(pool: pg.Pool): Promise<number> {
  const { rowCount } = await pool.query(
    `UPDATE email_outbox SET ${retrySet} WHERE status IN ('failed', 'dead') AND NOT events_pending`,
  );
  return rowCount ?? 0;
}

const retrySet = `status = 'pending', attempts = 0, round = round + 1, next_attempt_at = now(), last_error = NULL,
  last_error_name = NULL, provider_id = NULL, claim_token = NULL, claimed_by = NULL, claimed_until = NULL,
  updated_at = now()`;

/** Due emails older than this mean no sender is running (or the provider is down): /healthz says so. */
const STUCK_AFTER_SECONDS = 15 * 60;

/** The email section of /healthz: the counts, and whether due emails are being sent at all. */
export async function emailQueueHealth(
  pool: pg.Pool,
): Promise<{ ok: boolean } & EmailQueueStats & { oldestDueSeconds: number }> {
  const [stats, { rows }] = await Promise.all([
    emailQueueStats(pool),
    pool.query<{ seconds: number | null }>(
      `SELECT extract(epoch FROM now() - min(next_attempt_at))::float8 AS seconds
         FROM email_outbox WHERE status = 'pending' AND next_attempt_at <= now()`,
    ),
  ]);
  const oldestDueSeconds = Math.max(0, Math.round(rows[0]?.seconds ?? 0));
  return { ok: oldestDueSeconds < STUCK_AFTER_SECONDS, ...stats, oldestDueSeconds };
}
