import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { loadStream } from '../../commands/commandHandler.js';
import type { GuestTokens } from '../../commands/guestLinks/guestToken.js';
import type { SurveyTokens } from '../../commands/satisfaction/satisfactionToken.js';
import { guestLinkAccess, guestLinkDecider, guestLinkStreamName } from '../../domain/index.js';
import type { EventStore } from '../../eventstore/port.js';
import { backoffDelay } from '../../platform/backoff.js';
import type { Logger } from '../../platform/logger.js';
import { suppressionOfAddress } from './delivery/suppressedAddresses.js';
import { appendOutcomeEvents } from './emailOutcomeEvents.js';
import type { EmailTransport, OutgoingEmail, SendOutcome } from './emailTransport.js';
import type { ClaimedEmail, FinishedEmail } from './outboxRows.js';
import { renderSatisfactionSurvey } from './satisfactionEmail.js';
import { guestLinkUrl, renderEmail, type GuestLinkInEmail } from './templates.js';

export interface BackoffOptions {
  /** The first retry waits up to this long (full jitter: a random wait between 0 and the bound). */
  baseMs?: number;
  /** The bound doubles per attempt up to this. */
  capMs?: number;
}

export interface EmailSenderOptions {
  pool: pg.Pool;
  eventStore: EventStore;
  transport: EmailTransport;
  /** EMAIL_MAX_ATTEMPTS: sends per email before it is dead-lettered. */
  maxAttempts: number;
  logger?: Logger;
  /** Shown in claims (`claimed_by`), for ops. */
  workerId?: string;
  clock?: () => Date;
  /** How long a claim holds; a row whose worker died is due again after it. Must exceed sendTimeoutMs. */
  leaseMs?: number;
  /** A send with no answer by then counts as a network error (and is retried with the same key). */
  sendTimeoutMs?: number;
  /** Emails sent at once by this worker (and claimed at once: each claim starts its send at once). */
  concurrency?: number;
  backoff?: BackoffOptions;
  /** For tests: the jitter's source. */
  random?: () => number;
  /**
   * Rebuilds guest link tokens (GUEST_LINK_SECRET) for the emails that carry one. Without it, a
   * guest's email says that it cannot carry their link.
   */
  guestTokens?: GuestTokens;
  /** Rebuilds satisfaction survey tokens (the same secret). Without it, a survey email says it cannot carry its link. */
  surveyTokens?: SurveyTokens;
}

export interface SendReport {
  claimed: number;
  sent: number;
  retrying: number;
  failed: number;
  dead: number;
  /** Outcomes not recorded because the claim had expired and another worker took the row. */
  lost: number;
}

/** Columns of a claimed row, from the outbox aliased `o`. */
const claimedColumns = `o.id, o.event_id::text, o.thread_id::text, o.message_id::text, o.template, o.recipient, o.sender,
  o.subject, o.html, o.text, o.headers, o.attempts, o.round, o.claim_token::text, o.guest_link_id, o.guest_render,
  o.satisfaction_render`;
const finishedColumns = `${claimedColumns}, o.status, o.provider_id, o.last_error, o.last_error_name,
  to_json(o.updated_at)#>>'{}' AS finished_at`;

/**
 * Delivers the outbox. Claims due rows with FOR UPDATE SKIP LOCKED and a lease (several workers
 * may run; none holds a transaction open across a send), sends each with its row id as the
 * idempotency key, then records the outcome — only while it still holds the claim. A final
 * outcome (sent, failed, dead) is appended as an event to `threadEmail-<threadId>` (an assignment
 * link's own email: `guestLinkEmail-<linkId>`), and a
 * failure also as an internal note on the thread, with deterministic ids so that a crash
 * between the steps can only ever repeat them harmlessly.
 */
export class EmailSender {
  readonly workerId: string;
  protected readonly options: EmailSenderOptions;
  private readonly leaseMs: number;
  private readonly sendTimeoutMs: number;
  private readonly concurrency: number;
  private readonly baseMs: number;
  private readonly capMs: number;
  private readonly random: () => number;
  private pausedUntil = 0;

  constructor(options: EmailSenderOptions) {
    this.options = options;
    this.workerId = options.workerId ?? `email-${randomUUID().slice(0, 8)}`;
    this.sendTimeoutMs = options.sendTimeoutMs ?? 15_000;
    this.leaseMs = options.leaseMs ?? Math.max(60_000, this.sendTimeoutMs * 4);
    this.concurrency = options.concurrency ?? 4;
    this.baseMs = options.backoff?.baseMs ?? 1000;
    this.capMs = options.backoff?.capMs ?? 15 * 60_000;
    this.random = options.random ?? Math.random;
    if (this.leaseMs <= this.sendTimeoutMs) {
      throw new Error(
        `email lease (${this.leaseMs} ms) must be longer than the send timeout (${this.sendTimeoutMs} ms)`,
      );
    }
  }

  /** When the provider said to slow down, this worker claims nothing until then. */
  get pausedMs(): number {
    return Math.max(0, this.pausedUntil - Date.now());
  }

  /** One round: finish outcomes left half-recorded, then claim and send up to `concurrency` due emails. */
  async sendDue(): Promise<SendReport> {
    const report: SendReport = { claimed: 0, sent: 0, retrying: 0, failed: 0, dead: 0, lost: 0 };
    await this.finishAbandonedOutcomes();
    if (this.pausedMs > 0) return report;
    const claimed = await this.claim();
    report.claimed = claimed.length;
    // every claimed email finishes its round (a failure to record one leaves it to its lease)
    const settled = await Promise.allSettled(
      claimed.map(async (email) => {
        // a permanent bounce or a complaint stopped mail to this address: refused for good, not sent
        const suppression = await suppressionOfAddress(this.options.pool, email.recipient);
        if (suppression) {
          const reason = `suppressed: ${suppression.reason}`;
          const refused: SendOutcome = {
            ok: false,
            kind: 'permanent',
            errorName: 'suppressed',
            reason,
            statusCode: null,
          };
          report[await this.recordOutcome(email, refused)]++;
          return;
        }
        const { outgoing, idempotencyKey } = await this.compose(email);
        const outcome = await this.options.transport.send(outgoing, {
          idempotencyKey,
          timeoutMs: this.sendTimeoutMs,
        });
        const result = await this.recordOutcome(email, outcome);
        report[result]++;
      }),
    );
    const failure = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failure) throw failure.reason;
    return report;
  }

  /**
   * The request for one email. Most were rendered when their row was written. A guest's email is
   * rendered now, from its link's own stream (a revocation counts at once): while the link works
   * it carries the link, its token rebuilt from the link's seed; once the link has ended, or when
   * its token cannot be rebuilt, it says so and carries none. The token lives only in this request.
   *
   * The request a key sends must never change (the provider refuses a changed payload under a
   * used key), so a guest email that is not the one with the link goes under a key of its own.
   */
  private async compose(email: ClaimedEmail): Promise<{ outgoing: OutgoingEmail; idempotencyKey: string }> {
    const base = { from: email.sender, to: email.recipient, headers: email.headers };
    if (email.satisfaction_render) {
      // the survey's token is rebuilt from its recorded seed, only now; a key of its own when it cannot be
      const { content, settings, threadId, tokenSeed, tokenHash } = email.satisfaction_render;
      const token = this.options.surveyTokens?.rebuild(threadId, tokenSeed, tokenHash) ?? null;
      if (!token) {
        this.options.logger?.warn(
          { emailId: email.id, threadId },
          'cannot rebuild a survey link for its email: GUEST_LINK_SECRET differs from the one that made it',
        );
      }
      const rendered = renderSatisfactionSurvey(content, token, settings);
      return {
        outgoing: { ...base, subject: rendered.subject, html: rendered.html, text: rendered.text },
        idempotencyKey: token ? email.id : `${email.id}.unavailable`,
      };
    }
    if (!email.guest_link_id || !email.guest_render) {
      return {
        outgoing: { ...base, subject: email.subject, html: email.html, text: email.text },
        idempotencyKey: email.id,
      };
    }
    const link = await this.guestLinkOf(email, email.guest_link_id);
    const { content, settings } = email.guest_render;
    const rendered = renderEmail(content, { audience: 'guest', link }, settings);
    return {
      outgoing: { ...base, subject: rendered.subject, html: rendered.html, text: rendered.text },
      idempotencyKey: link.state === 'working' ? email.id : `${email.id}.${link.state}`,
    };
  }

  private async guestLinkOf(email: ClaimedEmail, linkId: string): Promise<GuestLinkInEmail> {
    const { state } = await loadStream(this.options.eventStore, guestLinkDecider, guestLinkStreamName(linkId));
    const access = guestLinkAccess(state, this.options.clock?.() ?? new Date());
    if (!access.ok) return { state: access.reason === 'unknown' ? 'unavailable' : 'ended' };
    if (access.recipientEmail?.trim().toLowerCase() !== email.recipient.trim().toLowerCase()) {
      return { state: 'unavailable' }; // never someone else's link
    }
    const seed = state.status === 'ACTIVE' ? state.tokenSeed : undefined;
    const token = seed ? this.options.guestTokens?.rebuild(seed, linkId) : undefined;
    if (!token) {
      if (seed) {
        this.options.logger?.warn(
          { emailId: email.id, guestLinkId: linkId },
          'cannot rebuild a guest link for its email: GUEST_LINK_SECRET differs from the one that issued it',
        );
      }
      return { state: 'unavailable' };
    }
    const threadId = email.thread_id;
    return {
      state: 'working',
      url: guestLinkUrl(email.guest_render!.settings.portalBaseUrl, token, access.scope.kind, threadId),
      expiresAt: access.expiresAt,
    };
  }

  private async claim(): Promise<ClaimedEmail[]> {
    const { rows } = await this.options.pool.query<ClaimedEmail>(
      `WITH due AS (
         SELECT id FROM email_outbox
          WHERE status = 'pending' AND next_attempt_at <= now() AND (claimed_until IS NULL OR claimed_until < now())
          ORDER BY next_attempt_at, id LIMIT $1 FOR UPDATE SKIP LOCKED)
       UPDATE email_outbox o
          SET claim_token = gen_random_uuid(), claimed_by = $2, claimed_until = now() + make_interval(secs => $3),
              attempts = o.attempts + 1, updated_at = now()
         FROM due WHERE o.id = due.id
       RETURNING ${claimedColumns}`,
      [this.concurrency, this.workerId, this.leaseMs / 1000],
    );
    return rows;
  }

  /**
   * Records what the provider answered. Overridable so tests can play a worker that dies between
   * the send and this step.
   */
  protected async recordOutcome(email: ClaimedEmail, outcome: SendOutcome): Promise<keyof Omit<SendReport, 'claimed'>> {
    const { pool, logger, maxAttempts } = this.options;
    const log = { emailId: email.id, threadId: email.thread_id, template: email.template, attempts: email.attempts };
    if (!outcome.ok && outcome.kind === 'retry' && email.attempts < maxAttempts) {
      const delayMs = this.retryDelayMs(email.attempts, outcome.retryAfterMs);
      if (outcome.errorName === 'rate_limit_exceeded' && outcome.retryAfterMs) {
        this.pausedUntil = Math.max(this.pausedUntil, Date.now() + outcome.retryAfterMs);
      }
      const { rowCount } = await pool.query(
        `UPDATE email_outbox SET next_attempt_at = now() + make_interval(secs => $3), last_error = $4, last_error_name = $5,
                claim_token = NULL, claimed_by = NULL, claimed_until = NULL, updated_at = now()
          WHERE id = $1 AND claim_token = $2`,
        [email.id, email.claim_token, delayMs / 1000, outcome.reason, outcome.errorName],
      );
      if (!rowCount) return 'lost';
      logger?.warn(
        { ...log, error: outcome.errorName, retryInMs: Math.round(delayMs) },
        'email send failed; will retry',
      );
      return 'retrying';
    }
    const status = outcome.ok ? 'sent' : outcome.kind === 'permanent' ? 'failed' : 'dead';
    const { rows } = await pool.query<FinishedEmail>(
      `UPDATE email_outbox o
          SET status = $3, provider_id = $4, last_error = $5, last_error_name = $6,
              sent_at = CASE WHEN $3 = 'sent' THEN now() END, events_pending = true,
              claimed_until = now() + make_interval(secs => $7), updated_at = now()
        WHERE id = $1 AND claim_token = $2
       RETURNING ${finishedColumns}`,
      [
        email.id,
        email.claim_token,
        status,
        outcome.ok ? outcome.providerId : null,
        outcome.ok ? null : outcome.reason,
        outcome.ok ? null : outcome.errorName,
        this.leaseMs / 1000,
      ],
    );
    const finished = rows[0];
    if (!finished) return 'lost';
    if (status === 'sent') logger?.info({ ...log, providerId: finished.provider_id }, 'email sent');
    else logger?.error({ ...log, error: finished.last_error_name, status }, 'email not delivered');
    await this.appendOutcome(finished);
    return status;
  }

  private retryDelayMs(attempts: number, retryAfterMs: number | undefined): number {
    const jittered = backoffDelay(attempts - 1, { baseMs: this.baseMs, capMs: this.capMs, random: this.random });
    return Math.max(jittered, retryAfterMs ?? 0);
  }

  /** Outcomes whose events a dead worker did not finish appending: take them over once their lease ran out. */
  private async finishAbandonedOutcomes(): Promise<void> {
    const { rows } = await this.options.pool.query<FinishedEmail>(
      `WITH stale AS (
         SELECT id FROM email_outbox WHERE events_pending AND claimed_until < now()
          ORDER BY claimed_until LIMIT 20 FOR UPDATE SKIP LOCKED)
       UPDATE email_outbox o SET claim_token = gen_random_uuid(), claimed_by = $1,
              claimed_until = now() + make_interval(secs => $2)
         FROM stale WHERE o.id = stale.id
       RETURNING ${finishedColumns}`,
      [this.workerId, this.leaseMs / 1000],
    );
    for (const email of rows) await this.appendOutcome(email);
  }

  /** Appends the outcome event (and, for a failure, the thread note), then releases the claim. */
  protected async appendOutcome(email: FinishedEmail): Promise<void> {
    const { pool, logger } = this.options;
    await appendOutcomeEvents(this.options, email);
    await pool.query(
      `UPDATE email_outbox SET events_pending = false, claim_token = NULL, claimed_by = NULL, claimed_until = NULL
        WHERE id = $1 AND claim_token = $2`,
      [email.id, email.claim_token],
    );
    logger?.debug({ emailId: email.id, status: email.status }, 'email outcome recorded');
  }
}
