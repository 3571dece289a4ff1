import type pg from 'pg';
import { backoffDelay, WORKER_BACKOFF } from '../../platform/backoff.js';
import type { Logger } from '../../platform/logger.js';

/**
 * Resend's recorded webhook deliveries (`resend_webhook_deliveries`) as a work queue, shared by
 * the workers that act on them (the inbound worker: `email.received`; the delivery report worker:
 * `email.sent`, `email.delivered`, …). A worker claims due rows of its event types with `FOR
 * UPDATE SKIP LOCKED` and a lease, so any number of workers may run and one that dies leaves its
 * rows due again once the lease ends; a failure is due again after a backoff and dead-lettered
 * (`dead_at`) after the last attempt, left unprocessed for ops to see and retry.
 */

export interface ClaimedDelivery {
  svix_id: string;
  /** The body Resend sent (parsed JSON). */
  payload: unknown;
  /** Attempts so far, this one included. */
  attempts: number;
  received_at: Date;
}

export interface WebhookDeliveryQueueOptions {
  pool: pg.Pool;
  /** The webhook event types this queue's worker acts on. */
  eventTypes: readonly string[];
  /** Attempts per delivery before it is dead-lettered. */
  maxAttempts: number;
  leaseMs?: number | undefined;
  backoff?: { baseMs: number; capMs: number } | undefined;
  batchSize?: number | undefined;
  clock?: (() => Date) | undefined;
  random?: (() => number) | undefined;
  logger?: Logger | undefined;
  /** Names the work in log lines: "inbound email", "email delivery report". */
  label: string;
}

export class WebhookDeliveryQueue {
  readonly clock: () => Date;
  private readonly leaseMs: number;
  private readonly backoff: { baseMs: number; capMs: number; random: () => number };

  constructor(private readonly options: WebhookDeliveryQueueOptions) {
    this.clock = options.clock ?? (() => new Date());
    this.leaseMs = options.leaseMs ?? 60_000;
    this.backoff = {
      ...(options.backoff ?? { baseMs: 1000, capMs: 15 * 60_000 }),
      random: options.random ?? Math.random,
    };
  }

  /** Up to `batchSize` due deliveries, each leased to this worker and its attempt counted. */
  async claim(): Promise<ClaimedDelivery[]> {
    const now = this.clock();
    const { rows } = await this.options.pool.query<ClaimedDelivery>(
      `WITH due AS (
         SELECT svix_id FROM resend_webhook_deliveries
          WHERE event_type = ANY($4::text[]) AND processed_at IS NULL AND dead_at IS NULL
            AND next_attempt_at <= $1 AND (claimed_until IS NULL OR claimed_until < $1)
          ORDER BY next_attempt_at, svix_id LIMIT $2 FOR UPDATE SKIP LOCKED)
       UPDATE resend_webhook_deliveries d
          SET claimed_until = $1::timestamptz + make_interval(secs => $3), attempts = d.attempts + 1
         FROM due WHERE d.svix_id = due.svix_id
       RETURNING d.svix_id, d.payload, d.attempts, d.received_at`,
      [now, this.options.batchSize ?? 8, this.leaseMs / 1000, this.options.eventTypes],
    );
    return rows;
  }

  /** Done with: what became of it, and the thread it concerned. */
  async finish(
    delivery: ClaimedDelivery,
    done: { outcome: string; reason: string | null; threadId: string | null },
  ): Promise<void> {
    await this.options.pool.query(
      `UPDATE resend_webhook_deliveries
          SET processed_at = $2, outcome = $3, outcome_reason = $4, thread_id = $5, claimed_until = NULL, last_error = NULL
        WHERE svix_id = $1`,
      [delivery.svix_id, this.clock(), done.outcome, done.reason?.slice(0, 1000) ?? null, done.threadId],
    );
  }

  /** Due again after the backoff, never dead-lettered for it: what it needs may not be there yet. */
  async later(delivery: ClaimedDelivery, reason: string): Promise<void> {
    await this.options.pool.query(
      `UPDATE resend_webhook_deliveries SET last_error = $2, claimed_until = NULL, next_attempt_at = $3 WHERE svix_id = $1`,
      [delivery.svix_id, reason.slice(0, 1000), this.nextAttemptAt(delivery)],
    );
  }

  /** Failed: due again after the backoff, or dead-lettered after the last attempt. */
  async fail(delivery: ClaimedDelivery, error: unknown): Promise<'retrying' | 'dead'> {
    const message = (error instanceof Error ? error.message : String(error)).slice(0, 1000);
    const now = this.clock();
    const dead = delivery.attempts >= this.options.maxAttempts;
    await this.options.pool.query(
      `UPDATE resend_webhook_deliveries
          SET last_error = $2, claimed_until = NULL, next_attempt_at = $3, dead_at = $4
        WHERE svix_id = $1`,
      [delivery.svix_id, message, this.nextAttemptAt(delivery), dead ? now : null],
    );
    this.options.logger?.warn(
      { webhook: { svixId: delivery.svix_id, attempts: delivery.attempts, dead }, err: error },
      dead ? `${this.options.label} dead-lettered` : `${this.options.label} failed; retrying`,
    );
    return dead ? 'dead' : 'retrying';
  }

  /** This queue's unprocessed deliveries by state, for ops: waiting (never failed), retrying, dead-lettered. */
  async stats(): Promise<{ pending: number; retrying: number; dead: number }> {
    return webhookDeliveryStats(this.options.pool, this.options.eventTypes);
  }

  private nextAttemptAt(delivery: ClaimedDelivery): Date {
    return new Date(this.clock().getTime() + backoffDelay(delivery.attempts - 1, this.backoff));
  }
}

/** Unprocessed deliveries of these event types by state: waiting (never failed), retrying, dead-lettered. */
export async function webhookDeliveryStats(
  pool: pg.Pool,
  eventTypes: readonly string[],
): Promise<{ pending: number; retrying: number; dead: number }> {
  const { rows } = await pool.query<{ pending: string; retrying: string; dead: string }>(
    `SELECT count(*) FILTER (WHERE dead_at IS NULL AND last_error IS NULL) AS pending,
            count(*) FILTER (WHERE dead_at IS NULL AND last_error IS NOT NULL) AS retrying,
            count(*) FILTER (WHERE dead_at IS NOT NULL) AS dead
       FROM resend_webhook_deliveries WHERE processed_at IS NULL AND event_type = ANY($1::text[])`,
    [eventTypes],
  );
  const row = rows[0];
  return { pending: Number(row?.pending ?? 0), retrying: Number(row?.retrying ?? 0), dead: Number(row?.dead ?? 0) };
}

/**
 * A worker's loop: a round, at once again while rounds find work, else after `pollMs` (or
 * `wake()`); a round that throws is tried again with the workers' backoff.
 */
export class PollingLoop {
  private stopped = true;
  private loop: Promise<void> | undefined;
  private wakeUp: (() => void) | undefined;

  constructor(
    private readonly options: {
      /** One round; true when it found work (so the next starts at once). */
      round: () => Promise<boolean>;
      pollMs: number;
      label: string;
      logger?: Logger | undefined;
    },
  ) {}

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wakeUp?.();
    await this.loop;
  }

  wake(): void {
    this.wakeUp?.();
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (!this.stopped) {
      let delay = this.options.pollMs;
      try {
        const busy = await this.options.round();
        failures = 0;
        if (busy) continue;
      } catch (error) {
        failures++;
        delay = backoffDelay(failures, WORKER_BACKOFF);
        this.options.logger?.error({ err: error, retryInMs: delay }, `${this.options.label} worker failed; retrying`);
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, delay);
        timer.unref?.();
        this.wakeUp = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }
}
