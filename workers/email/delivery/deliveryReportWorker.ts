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
import type { Logger } from '../../../platform/logger.js';
import { deliveryEventTypeNames, deliveryReportOf, type DeliveryReport } from './deliveryReport.js';
import {
  PollingLoop,
  WebhookDeliveryQueue,
  webhookDeliveryStats,
  type ClaimedDelivery,
} from '../webhookDeliveryQueue.js';
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

type ClaimedReport = ClaimedDelivery;

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
  private readonly graceMs: number;
  private readonly queue: WebhookDeliveryQueue;
  private readonly loop: PollingLoop;

  constructor(private readonly options: DeliveryReportWorkerOptions) {
    this.queue = new WebhookDeliveryQueue({
      pool: options.pool,
      eventTypes: deliveryEventTypeNames,
      maxAttempts: options.maxAttempts,
      label: 'email delivery report',
      leaseMs: options.leaseMs,
      backoff: options.backoff,
      batchSize: options.batchSize ?? 16,
      clock: options.clock,
      random: options.random,
      logger: options.logger,
    });
    this.clock = this.queue.clock;
    this.graceMs = options.unknownEmailGraceMs ?? 10 * 60_000;
    this.loop = new PollingLoop({
      // reports waiting for their email are due again later, not now
      round: async () => {
        const round = await this.processDue();
        return round.claimed > round.waiting;
      },
      pollMs: options.pollMs ?? 500,
      label: 'email delivery report',
      logger: options.logger,
    });
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
    const claimed = await this.queue.claim();
    round.claimed = claimed.length;
    for (const delivery of claimed) {
      try {
        const done = await this.process(delivery);
        if (done.outcome === 'waiting') await this.queue.later(delivery, done.reason);
        else await this.queue.finish(delivery, done);
        round[done.outcome]++;
      } catch (error) {
        round[await this.queue.fail(delivery, error)]++;
      }
    }
    return round;
  }

  async start(): Promise<void> {
    this.loop.start();
  }

  async stop(): Promise<void> {
    await this.loop.stop();
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
}

/** Delivery reports by state, for ops: waiting (never failed), retrying, dead-lettered. */
export function deliveryReportStats(pool: pg.Pool): Promise<{ pending: number; retrying: number; dead: number }> {
  return webhookDeliveryStats(pool, deliveryEventTypeNames);
}
