import type pg from 'pg';
import { parsePosition, type EventStore, type Position } from '../../eventstore/port.js';
import { applyCheckpointedBatch, parseRecorded } from '../../projections/checkpointedBatch.js';
import type { ProjectedEvent } from '../../projections/projection.js';
import { emailCheckpoint, seenEmailCheckpoint } from './emailCheckpoint.js';
import { decideBatch, mailedEventTypes, partnersToEmail, staffToEmail } from './emailDecider.js';
import {
  loadMailingFacts,
  loadPartnerOrgs,
  loadStaffRecipients,
  queueEmails,
  saveLearntFacts,
} from './mailingFactsStore.js';
import type { ReplyAddresses } from './replyAddress.js';

/**
 * The email process manager: follows the log from its own checkpoint and turns the events that
 * need mail into outbox rows. Which emails an event sends is decided by `decideEmails`
 * (emailDecider.ts, pure); this runner loads what the decider needs to know, writes what it
 * answers (outbox rows, and the Message-IDs they send) and moves the checkpoint, in one transaction (projections/checkpointedBatch.ts), so
 * each email is written exactly once whatever crashes. Sending is someone else's job (EmailSender).
 */

/** Looks up the address of a partner account (the one who raised a thread). */
export interface AccountEmails {
  emailOf(accountId: string): Promise<string | undefined>;
}

export interface EmailProcessManagerOptions {
  pool: pg.Pool;
  eventStore: EventStore;
  accounts: AccountEmails;
  /** EMAIL_FROM, frozen into each row (a changed From must not change a retried request). */
  from: string;
  /** Signs the Reply-To of emails to partners and guests (INBOUND_EMAIL_DOMAIN); absent: no Reply-To. */
  replyAddresses?: ReplyAddresses;
  /**
   * Signs the links to files in emails to partners and guests (the path under the portal URL of
   * a link that works until `expiresAt`); absent: files are listed by name and size only.
   */
  attachmentLinks?: { sign(attachmentId: string, expiresAt: Date): string; lifetimeDays: number };
  /** Events per read of the log. */
  batchSize?: number;
  /** The portal base URL until an admin sets one: where the desk serves (default http://127.0.0.1:3000). */
  defaultPortalBaseUrl?: () => string;
  /** Checkpoint row name; one per process manager. */
  checkpointName?: string;
  /**
   * What the very first run does with events already in the log: `send` (default) emails them
   * like any other; `skip` learns their facts (threads, links, settings) but sends nothing for
   * them — for turning email on over a log with history.
   */
  history?: 'send' | 'skip';
}

export interface BatchReport {
  /** Log events read (all types). */
  read: number;
  /** Outbox rows written (already present ones not counted). */
  enqueued: number;
  caughtUp: boolean;
}

export class EmailProcessManager {
  readonly checkpointName: string;
  private readonly batchSize: number;

  constructor(private readonly options: EmailProcessManagerOptions) {
    this.checkpointName = options.checkpointName ?? 'email';
    this.batchSize = options.batchSize ?? 500;
  }

  /** Processes batches until the log's head. */
  async catchUp(): Promise<{ read: number; enqueued: number }> {
    let read = 0;
    let enqueued = 0;
    for (;;) {
      const report = await this.processBatch();
      read += report.read;
      enqueued += report.enqueued;
      if (report.caughtUp) return { read, enqueued };
    }
  }

  async position(): Promise<string> {
    return (await this.checkpoint()).position;
  }

  private checkpoint() {
    const { pool, eventStore, history } = this.options;
    return emailCheckpoint(pool, eventStore, this.checkpointName, history ?? 'send');
  }

  /**
   * One batch: read after the checkpoint (outside the transaction, to keep it short), then lock
   * the checkpoint row; if another worker moved it meanwhile, give up this batch (it was done).
   * A stored event the email code cannot read (say, a newer schema version written by a newer
   * release) stops the process manager rather than losing its email: it retries with backoff.
   */
  async processBatch(): Promise<BatchReport> {
    const { pool, eventStore } = this.options;
    const { position: seen, emailsFrom } = await this.checkpoint();
    const after = parsePosition(seen);
    const batch = await eventStore.readAll({ after, limit: this.batchSize });
    const events = batch
      .filter((record) => mailedEventTypes.has(record.type))
      .map((record) => ({ record, event: parseRecorded(record) }));
    const progress = await applyCheckpointedBatch(
      pool,
      seenEmailCheckpoint(this.checkpointName, seen),
      { after, batch, events },
      this.batchSize,
      { apply: (client, mailed) => this.queueEmailsFor(client, mailed, emailsFrom) },
    );
    switch (progress.kind) {
      case 'atHead':
        return { read: 0, enqueued: 0, caughtUp: true };
      case 'movedElsewhere':
        return { read: 0, enqueued: 0, caughtUp: false };
      case 'advanced':
        return { read: progress.read, enqueued: progress.effect ?? 0, caughtUp: progress.caughtUp };
    }
  }

  /** Loads what the batch needs to know, decides its emails, and writes them with what it taught. */
  private async queueEmailsFor(
    client: pg.PoolClient,
    events: ProjectedEvent[],
    emailsFrom: Position | null,
  ): Promise<number> {
    const stored = await loadMailingFacts(client, events, this.options.defaultPortalBaseUrl);
    const partnerEmails = new Map<string, string | undefined>();
    const partners = partnersToEmail(stored.threads, events);
    for (const accountId of partners) {
      partnerEmails.set(accountId, await this.options.accounts.emailOf(accountId));
    }
    // a survey goes only to a partner still in the thread's organisation
    const partnerOrgs = events.some((e) => e.event.type === 'SatisfactionSurveyOffered')
      ? await loadPartnerOrgs(client, partners)
      : undefined;
    const staffRecipients = await loadStaffRecipients(client, staffToEmail(stored.threads, events));
    const { replyAddresses } = this.options;
    const replyAddressOf = replyAddresses
      ? (threadId: string, recipient: string) => replyAddresses.signReplyAddress(threadId, recipient)
      : null;
    const { attachmentLinks } = this.options;
    // the expiry follows from the event's time, so every attempt renders the same email
    const attachmentLinkOf = attachmentLinks
      ? (attachmentId: string, occurredAt: string) => {
          const ms = Date.parse(occurredAt) + attachmentLinks.lifetimeDays * 86_400_000;
          const expiresAt = new Date(Math.floor(ms / 1000) * 1000);
          return { path: attachmentLinks.sign(attachmentId, expiresAt), expiresAt: expiresAt.toISOString() };
        }
      : null;
    const { emails, learnt } = decideBatch(
      {
        ...stored,
        partnerEmails,
        ...(partnerOrgs ? { partnerOrgs } : {}),
        staffRecipients,
        sender: this.options.from,
        replyAddressOf,
        attachmentLinkOf,
        emailsFrom,
      },
      events,
    );
    await saveLearntFacts(client, learnt);
    return queueEmails(client, emails);
  }
}
