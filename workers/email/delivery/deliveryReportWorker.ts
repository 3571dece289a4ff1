import type pg from 'pg';
import { deterministicUuid } from '../../../commands/commandHandler.js';
import { deliveryStateRank } from '../../../domain/email/deliveryState.js';
import {
  emailOutcomeStreamName,
  eventSchemaVersion,
  type EmailAddressSuppressed,
  type EmailDeliveryReported,
} from '../../../domain/index.js';
import type { EventStore, JsonObject } from '../../../eventstore/port.js';
import { backoffDelay, WORKER_BACKOFF } from '../../../platform/backoff.js';
import type { Logger } from '../../../platform/logger.js';
import { deliveryEventTypeNames, deliveryReportOf, type DeliveryReport } from './deliveryReport.js';
import { addressStreamName, normalizedAddress } from './suppressedAddresses.js';

/**
 * Turns Resend's recorded delivery webhooks (`email.sent`, `email.delivered`,
 * `email.delivery_delayed`, `email.bounced`, `email.complained` in resend_webhook_deliveries) into
 * events: `EmailDeliveryReported` on the email's outcome stream and, for a permanent bounce or a
 * complaint, `EmailAddressSuppressed` on the address's stream. The report is matched to our email
 * by Resend's id (`data.email_id`, the outbox's provider_id).
 *
 * Claims due rows with FOR UPDATE SKIP LOCKED and a lease, as the inbound worker does, so several
 * workers may run and a worker that dies leaves its rows due again. Every event id is derived
 * from the svix-id, so a retried, duplicated or replayed webhook, or a crash after the append,
 * appends once. A failure is retried with backoff and dead-lettered after the last attempt. A
 * report about an email the desk does not know is waited for a while (Resend can report before
 * the sender has recorded the id it answered), then skipped with its reason: never an error loop.
 */

export interface DeliveryReportWorkerOptions {
  pool: pg.Pool;
  eventStore: EventStore;
  /** Attempts per delivery before it is dead-lettered. */
  maxAttempts: number;
  pollMs?: number;
  leaseMs?: number;
  backoff?: { baseMs: number; capMs: number };
  /** How long a report about an unknown email is waited on before it is skipped. */
  unknownEmailGraceMs?: number;
  batchSize?: number;
  clock?: () => Date;
  logger?: Logger;
  random?: () => number;
}

export interface DeliveryReportRound {
  claimed: number;
  recorded: number;
  skipped: number;
  waiting: number;
  retrying: number;
  dead: number;
}

interface ClaimedReport {
  svix_id: string;
  payload: unknown;
  attempts: number;
  received_at: Date;
}

interface ReportedEmail {
  id: string;
  thread_id: string | null;
  guest_link_id: string | null;
  recipient: string;
}

type Done =
  | { outcome: 'recorded'; reason: string; threadId: string | null }
  | { outcome: 'skipped'; reason: string; threadId: null }
  | { outcome: 'waiting'; reason: string };

const emptyRound = (): DeliveryReportRound => ({
  claimed: 0,
  recorded: 0,
  skipped: 0,
  waiting: 0,
  retrying: 0,
  dead: 0,
});

/** The id of the report event one webhook delivery becomes (the same for every retry and replay of it). */
export function deliveryReportEventId(svixId: string): string {
  return deterministicUuid(`email-delivery-report:${svixId}`);
}

export class DeliveryReportWorker {
  private readonly clock: () => Date;
  private readonly leaseMs: number;
  private readonly backoff: { baseMs: number; capMs: number };
  private readonly graceMs: number;
  private stopped = true;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;

  constructor(private readonly options: DeliveryReportWorkerOptions) {
    this.clock = options.clock ?? (() => new Date());
    this.leaseMs = options.leaseMs ?? 60_000;
    this.backoff = options.backoff ?? { baseMs: 1000, capMs: 15 * 60_000 };
    this.graceMs = options.unknownEmailGraceMs ?? 10 * 60_000;
  }

  /** Every report due now, until a claim finds none. */
  async runOnce(): Promise<DeliveryReportRound> {
    const total = emptyRound();
    for (;;) {
      const round = await this.processDue();
      for (const key of Object.keys(total) as (keyof DeliveryReportRound)[]) total[key] += round[key];
      // reports waiting for their email are due again later, not now
      if (round.claimed === round.waiting) return total;
    }
  }

  /** One round: claim up to `batchSize` due reports and work on each. */
  async processDue(): Promise<DeliveryReportRound> {
    const round = emptyRound();
    const claimed = await this.claim();
    round.claimed = claimed.length;
    for (const delivery of claimed) {
      try {
        const done = await this.process(delivery);
        if (done.outcome === 'waiting') await this.wait(delivery, done.reason);
        else await this.finish(delivery, done);
        round[done.outcome]++;
      } catch (error) {
        round[await this.fail(delivery, error)]++;
      }
    }
    return round;
  }

  async start(): Promise<void> {
    if (!this.stopped) return;
    this.stopped = false;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.loop;
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (!this.stopped) {
      let delay = this.options.pollMs ?? 500;
      try {
        const round = await this.processDue();
        failures = 0;
        if (round.claimed > 0 && round.claimed > round.waiting) continue;
      } catch (error) {
        failures++;
        delay = backoffDelay(failures, WORKER_BACKOFF);
        this.options.logger?.error({ err: error, retryInMs: delay }, 'email delivery report worker failed; retrying');
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, delay);
        timer.unref?.();
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }

  private async claim(): Promise<ClaimedReport[]> {
    const now = this.clock();
    const { rows } = await this.options.pool.query<ClaimedReport>(
      `WITH due AS (
         SELECT svix_id FROM resend_webhook_deliveries
          WHERE event_type = ANY($4::text[]) AND processed_at IS NULL AND dead_at IS NULL
            AND next_attempt_at <= $1 AND (claimed_until IS NULL OR claimed_until < $1)
          ORDER BY next_attempt_at, svix_id LIMIT $2 FOR UPDATE SKIP LOCKED)
       UPDATE resend_webhook_deliveries d
          SET claimed_until = $1::timestamptz + make_interval(secs => $3), attempts = d.attempts + 1
         FROM due WHERE d.svix_id = due.svix_id
       RETURNING d.svix_id, d.payload, d.attempts, d.received_at`,
      [now, this.options.batchSize ?? 16, this.leaseMs / 1000, deliveryEventTypeNames],
    );
    return rows;
  }

  private async process(delivery: ClaimedReport): Promise<Done> {
    const report = deliveryReportOf(delivery.payload);
    if (report.kind === 'skip') return { outcome: 'skipped', reason: report.reason, threadId: null };
    const email = await this.emailOf(report.providerId);
    if (!email) {
      const waited = this.clock().getTime() - delivery.received_at.getTime();
      if (waited < this.graceMs)
        return { outcome: 'waiting', reason: `no email with provider id ${report.providerId} yet` };
      return { outcome: 'skipped', reason: 'unknown_email', threadId: null };
    }
    await this.appendReport(delivery, email, report);
    if (report.suppress) await this.appendSuppression(delivery, email, report, report.suppress);
    await this.options.pool.query(
      `UPDATE email_outbox SET delivery_state = $2, delivery_rank = $3, delivery_reason = $4, delivery_at = $5
        WHERE id = $1 AND delivery_rank < $3`,
      [email.id, report.state, deliveryStateRank(report.state), report.reason, report.occurredAt],
    );
    return { outcome: 'recorded', reason: report.state, threadId: email.thread_id };
  }

  private async emailOf(providerId: string): Promise<ReportedEmail | undefined> {
    const { rows } = await this.options.pool.query<ReportedEmail>(
      `SELECT id, thread_id::text, guest_link_id, recipient FROM email_outbox WHERE provider_id = $1
        ORDER BY created_at LIMIT 1`,
      [providerId],
    );
    return rows[0];
  }

  private metadata(delivery: ClaimedReport, type: string) {
    return {
      actor: { type: 'system' as const, id: 'email' },
      correlationId: delivery.svix_id,
      schemaVersion: eventSchemaVersion(type),
    };
  }

  private async appendReport(
    delivery: ClaimedReport,
    email: ReportedEmail,
    report: Extract<DeliveryReport, { kind: 'report' }>,
  ): Promise<void> {
    const event: EmailDeliveryReported = {
      type: 'EmailDeliveryReported',
      data: {
        emailId: email.id,
        threadId: email.thread_id,
        ...(email.guest_link_id ? { guestLinkId: email.guest_link_id } : {}),
        recipient: email.recipient,
        providerId: report.providerId,
        state: report.state,
        bounceType: report.bounceType,
        reason: report.reason,
        occurredAt: report.occurredAt,
      },
    };
    await this.options.eventStore.append(
      emailOutcomeStreamName({ threadId: email.thread_id, guestLinkId: email.guest_link_id ?? undefined }),
      [
        {
          id: deliveryReportEventId(delivery.svix_id),
          type: event.type,
          data: event.data as unknown as JsonObject,
          metadata: this.metadata(delivery, event.type),
        },
      ],
      { expected: 'any' },
    );
  }

  private async appendSuppression(
    delivery: ClaimedReport,
    email: ReportedEmail,
    report: Extract<DeliveryReport, { kind: 'report' }>,
    reason: 'bounced' | 'complained',
  ): Promise<void> {
    const event: EmailAddressSuppressed = {
      type: 'EmailAddressSuppressed',
      data: { address: normalizedAddress(email.recipient), reason, emailId: email.id, occurredAt: report.occurredAt },
    };
    await this.options.eventStore.append(
      addressStreamName(email.recipient),
      [
        {
          id: deterministicUuid(`email-address-suppressed:${delivery.svix_id}`),
          type: event.type,
          data: event.data as unknown as JsonObject,
          metadata: this.metadata(delivery, event.type),
        },
      ],
      { expected: 'any' },
    );
    this.options.logger?.warn(
      { emailId: email.id, reason, svixId: delivery.svix_id },
      'email address suppressed: no more mail goes to it until an admin clears it',
    );
  }

  private async finish(delivery: ClaimedReport, done: Exclude<Done, { outcome: 'waiting' }>): Promise<void> {
    await this.options.pool.query(
      `UPDATE resend_webhook_deliveries
          SET processed_at = $2, outcome = $3, outcome_reason = $4, thread_id = $5, claimed_until = NULL, last_error = NULL
        WHERE svix_id = $1`,
      [delivery.svix_id, this.clock(), done.outcome, done.reason.slice(0, 1000), done.threadId],
    );
  }

  /** Due again later, without counting towards the dead letter: the email's send may not be recorded yet. */
  private async wait(delivery: ClaimedReport, reason: string): Promise<void> {
    const delay = backoffDelay(delivery.attempts - 1, { ...this.backoff, random: this.options.random ?? Math.random });
    await this.options.pool.query(
      `UPDATE resend_webhook_deliveries SET last_error = $2, claimed_until = NULL, next_attempt_at = $3 WHERE svix_id = $1`,
      [delivery.svix_id, reason, new Date(this.clock().getTime() + delay)],
    );
  }

  private async fail(delivery: ClaimedReport, error: unknown): Promise<'retrying' | 'dead'> {
    const message = (error instanceof Error ? error.message : String(error)).slice(0, 1000);
    const now = this.clock();
    const dead = delivery.attempts >= this.options.maxAttempts;
    const delay = backoffDelay(delivery.attempts - 1, { ...this.backoff, random: this.options.random ?? Math.random });
    await this.options.pool.query(
      `UPDATE resend_webhook_deliveries
          SET last_error = $2, claimed_until = NULL, next_attempt_at = $3, dead_at = $4
        WHERE svix_id = $1`,
      [delivery.svix_id, message, new Date(now.getTime() + delay), dead ? now : null],
    );
    this.options.logger?.warn(
      { webhook: { svixId: delivery.svix_id, attempts: delivery.attempts, dead }, err: error },
      dead ? 'email delivery report dead-lettered' : 'email delivery report failed; retrying',
    );
    return dead ? 'dead' : 'retrying';
  }
}

/** Delivery reports by state, for ops: waiting (never failed), retrying, dead-lettered. */
export async function deliveryReportStats(pool: pg.Pool): Promise<{ pending: number; retrying: number; dead: number }> {
  const { rows } = await pool.query<{ pending: string; retrying: string; dead: string }>(
    `SELECT count(*) FILTER (WHERE dead_at IS NULL AND last_error IS NULL) AS pending,
            count(*) FILTER (WHERE dead_at IS NULL AND last_error IS NOT NULL) AS retrying,
            count(*) FILTER (WHERE dead_at IS NOT NULL) AS dead
       FROM resend_webhook_deliveries WHERE processed_at IS NULL AND event_type = ANY($1::text[])`,
    [deliveryEventTypeNames],
  );
  const row = rows[0];
  return { pending: Number(row?.pending ?? 0), retrying: Number(row?.retrying ?? 0), dead: Number(row?.dead ?? 0) };
}
