import type pg from 'pg';
import type { GetReceivingEmailResponseSuccess } from 'resend';
import { handleCommand } from '../../../commands/commandHandler.js';
import {
  DomainError,
  threadDecider,
  threadStreamName,
  type AttachmentRef,
  type Author,
} from '../../../domain/index.js';
import type { EventStore } from '../../../eventstore/port.js';
import type { Logger } from '../../../platform/logger.js';
import type { ReplyAddresses } from '../replyAddress.js';
import {
  PollingLoop,
  WebhookDeliveryQueue,
  webhookDeliveryStats,
  type ClaimedDelivery,
} from '../webhookDeliveryQueue.js';
import {
  receiveAttachments,
  refusedFilesNote,
  type ReceivedAttachmentsApi,
  type ReceivedFiles,
  type StoreInboundFile,
} from './inboundAttachments.js';
import { noteRefusedFiles } from './inboundCommands.js';
import { inboundAttachmentIdOf, inboundKeyHash, inboundMessageIdOf } from './inboundIds.js';
import { arrivedTextOf, inboundMessageOf } from './inboundMessage.js';
import { receivedEmailDigest, type InboundMessageDigest } from './inboundMessageDigest.js';
import { ownMessageIdOf, senderOf } from './inboundMessageHeaders.js';
import { raiseFromEmail } from './inboundRaise.js';
import { matchThread, type InboundAuthor, type InboundLookup, type InboundOutcome } from './matchThread.js';

/**
 * Turns the recorded `email.received` deliveries (resend_webhook_deliveries) into messages. It
 * claims due rows with FOR UPDATE SKIP LOCKED and a lease (several workers may run), fetches each
 * email with `emails.receiving.get` (never inside the webhook request), and then: noise is
 * marked processed with its reason; a match is posted as the partner's or guest's message; a known
 * partner's mail that names an assignment and no thread raises a query there as that partner, and
 * a participant's reply to a closed thread raises a follow-up linked to it (a guest's is held:
 * `thread_closed`); what is held goes to `held_inbound_emails`. A failure is retried with backoff
 * and dead-lettered after the last attempt (`dead_at`).
 *
 * Each inbound Message-ID becomes at most one message, ever: the command's idempotency key and
 * message id are derived from it, so a second delivery, a replay or a retry after a crash appends
 * nothing more; and it is recorded as the thread's inbound Message-ID, so later ones are seen
 * as duplicates before anything is matched.
 */

/** What the worker needs of the SDK: `resend.emails.receiving` (resendReceiving.ts), or the development mailbox's. */
export interface ReceivingApi {
  get(
    id: string,
  ): Promise<
    { data: GetReceivingEmailResponseSuccess; error: null } | { data: null; error: { message: string; name?: string } }
  >;
  /** `resend.emails.receiving.attachments`, and the download of the URLs it hands out. */
  attachments: ReceivedAttachmentsApi;
}

/** Where the files of received emails go: the desk's `storeFile`, with its limits (inboundFileStore.ts). */
export interface InboundFileStore {
  store: StoreInboundFile;
  /** Marks the stored files as the message's (as a command claims the uploads it names). */
  claim(
    refs: readonly AttachmentRef[],
    receivedEmailId: string,
    target: { threadId: string; messageId: string },
  ): Promise<void>;
  /** Gives them back when the message was refused (the mail is held instead). */
  release(refs: readonly AttachmentRef[], messageId: string): Promise<void>;
  maxBytes: number;
  /** Files a message carries at most. */
  maxFiles: number;
}

export interface InboundWorkerOptions {
  pool: pg.Pool;
  eventStore: EventStore;
  receiving: ReceivingApi;
  /**
   * Where the emails' files are stored. Without it (a worker built for text only) the files of an
   * email are not fetched, and the message's internal note says they were not kept.
   */
  files?: InboundFileStore;
  lookup: InboundLookup;
  /** Signed reply addresses (INBOUND_EMAIL_DOMAIN and the guest link secret); without them none matches. */
  replyAddresses?: ReplyAddresses;
  /** The desk's own addresses (EMAIL_FROM's), lowercase: mail from them is noise. */
  ownAddresses: readonly string[];
  /** Attempts per delivery before it is dead-lettered. */
  maxAttempts: number;
  pollMs?: number;
  leaseMs?: number;
  backoff?: { baseMs: number; capMs: number };
  batchSize?: number;
  clock?: () => Date;
  logger?: Logger;
  random?: () => number;
}

export interface InboundReport {
  claimed: number;
  posted: number;
  /** Queries raised (follow-ups included). */
  raised: number;
  held: number;
  ignored: number;
  duplicate: number;
  retrying: number;
  dead: number;
}

type Done = {
  outcome: 'posted' | 'raised' | 'held' | 'ignored' | 'duplicate';
  reason: string | null;
  threadId: string | null;
};

export { inboundKeyHash, inboundMessageIdOf } from './inboundIds.js';

export class InboundWorker {
  private readonly clock: () => Date;
  private readonly queue: WebhookDeliveryQueue;
  private readonly loop: PollingLoop;

  constructor(private readonly options: InboundWorkerOptions) {
    this.queue = new WebhookDeliveryQueue({
      pool: options.pool,
      eventTypes: ['email.received'],
      maxAttempts: options.maxAttempts,
      label: 'inbound email',
      leaseMs: options.leaseMs,
      backoff: options.backoff,
      batchSize: options.batchSize,
      clock: options.clock,
      random: options.random,
      logger: options.logger,
    });
    this.clock = this.queue.clock;
    this.loop = new PollingLoop({
      round: async () => (await this.processDue()).claimed > 0,
      pollMs: options.pollMs ?? 500,
      label: 'inbound email',
      logger: options.logger,
    });
  }

  /** Every delivery due now, until a claim finds none. */
  async runOnce(): Promise<InboundReport> {
    const report: InboundReport = emptyReport();
    for (;;) {
      const round = await this.processDue();
      for (const key of Object.keys(report) as (keyof InboundReport)[]) report[key] += round[key];
      if (round.claimed === 0) return report;
    }
  }

  /** One round: claim up to `batchSize` due deliveries and work on each. */
  async processDue(): Promise<InboundReport> {
    const report: InboundReport = emptyReport();
    const claimed = await this.queue.claim();
    report.claimed = claimed.length;
    for (const delivery of claimed) {
      try {
        const done = await this.process(delivery);
        await this.queue.finish(delivery, done);
        report[done.outcome]++;
      } catch (error) {
        report[await this.queue.fail(delivery, error)]++;
      }
    }
    return report;
  }

  async start(): Promise<void> {
    this.loop.start();
  }

  async stop(): Promise<void> {
    await this.loop.stop();
  }

  private async process(delivery: ClaimedDelivery): Promise<Done> {
    const emailId = (delivery.payload as { data?: { email_id?: unknown } } | null)?.data?.email_id;
    if (typeof emailId !== 'string' || emailId === '') throw new Error('email.received without data.email_id');
    const { data: email, error } = await this.options.receiving.get(emailId);
    if (error || !email)
      throw new Error(`emails.receiving.get(${emailId}): ${error?.name ?? ''} ${error?.message ?? ''}`);
    const messageId = ownMessageIdOf(email) ?? `<${emailId}@inbound.resend>`;
    if (await this.alreadyProcessed(messageId)) return { outcome: 'duplicate', reason: null, threadId: null };

    const ourIds = await this.ourMessageIds(messageId);
    const replies = this.options.replyAddresses;
    const own = new Set(this.options.ownAddresses.map((a) => a.toLowerCase()));
    const receivedAt = typeof email.created_at === 'string' ? email.created_at : this.clock().toISOString();
    const outcome = await matchThread(email, {
      isOurMessageId: (id) => ourIds.has(id),
      isOurAddress: (address) => own.has(address) || (!!replies && address.endsWith(`@${replies.domain}`)),
      inboundDomain: replies?.domain ?? '',
      verifyReplyAddress: (local, sender) =>
        !!replies && replies.verifyReplyAddress(`${local}@${replies.domain}`, sender).ok,
      lookup: this.options.lookup,
      receivedAt,
    });
    const digest = receivedEmailDigest(email);
    if (outcome.kind === 'ignore') return { outcome: 'ignored', reason: outcome.reason, threadId: null };
    if (outcome.kind === 'post') return this.post(delivery, email, messageId, digest, outcome);
    if (outcome.kind === 'raise' || outcome.kind === 'followUp') {
      return this.raise(delivery, email, messageId, digest, outcome);
    }
    return this.hold(delivery, email, messageId, digest, { reason: outcome.reason, threadId: outcome.threadId });
  }

  /** Posted (recorded inbound for a thread) or held before: nothing more to do. */
  private async alreadyProcessed(messageId: string): Promise<boolean> {
    const { rows } = await this.options.pool.query(
      `SELECT 1 FROM email_thread_message_ids WHERE message_id = $1 AND direction = 'inbound'
       UNION ALL SELECT 1 FROM held_inbound_emails WHERE message_id = $1 LIMIT 1`,
      [messageId],
    );
    return rows.length > 0;
  }

  /** Which of these Message-IDs we sent. */
  private async ourMessageIds(...ids: string[]): Promise<Set<string>> {
    const { rows } = await this.options.pool.query<{ message_id: string }>(
      `SELECT message_id FROM email_thread_message_ids WHERE message_id = ANY($1::text[]) AND direction = 'outbound'`,
      [ids],
    );
    return new Set(rows.map((r) => r.message_id));
  }

  private async post(
    delivery: ClaimedDelivery,
    email: GetReceivingEmailResponseSuccess,
    messageId: string,
    digest: InboundMessageDigest,
    outcome: Extract<InboundOutcome, { kind: 'post' }>,
  ): Promise<Done> {
    const message = inboundMessageOf(email);
    if (message.kind === 'empty') {
      return this.hold(delivery, email, messageId, digest, { reason: 'empty_message', threadId: outcome.threadId });
    }
    const keyHash = inboundKeyHash(messageId);
    const author = authorOf(outcome.author);
    const target = { threadId: outcome.threadId, messageId: inboundMessageIdOf(messageId) };
    const files = await this.receiveFiles(email, messageId, target);
    const arrived = files.inlineImages.size ? inboundMessageOf(email, files.inlineImages) : message;
    try {
      await handleCommand(
        this.options.eventStore,
        threadDecider,
        threadStreamName(outcome.threadId),
        {
          type: 'PostMessage',
          data: {
            threadId: outcome.threadId,
            messageId: target.messageId,
            body: message.body,
            visibility: 'external',
            ...(files.refs.length ? { attachments: files.refs } : {}),
          },
          metadata: { now: this.clock(), author },
        },
        {
          idempotencyKeyHash: keyHash,
          metadata: {
            actor: outcome.author.kind === 'guest' ? { type: 'guest', id: author.id } : { type: 'user', id: author.id },
            correlationId: delivery.svix_id,
          },
          eventMetadata: {
            inboundEmail: {
              messageId,
              resendEmailId: email.id,
              sha256: digest.sha256,
              digestOf: digest.of,
              matchedBy: outcome.matchedBy,
              bodyShortened: message.bodyShortened,
              ...arrivedTextOf(arrived),
            },
          },
        },
      );
    } catch (error) {
      // the thread changed between the match and the post (closed meanwhile): staff decide
      if (error instanceof DomainError && error.kind !== 'conflict') {
        await this.options.files?.release(files.refs, target.messageId);
        return this.hold(delivery, email, messageId, digest, { reason: error.code, threadId: outcome.threadId });
      }
      throw error;
    }
    await this.noteRefused(delivery, email, messageId, outcome.threadId, files);
    await this.options.pool.query(
      `INSERT INTO email_thread_message_ids (thread_id, message_id, direction, at) VALUES ($1, $2, 'inbound', $3)
       ON CONFLICT DO NOTHING`,
      [outcome.threadId, messageId, this.clock()],
    );
    return { outcome: 'posted', reason: outcome.matchedBy, threadId: outcome.threadId };
  }

  /** A query raised as the partner who wrote (inboundRaise.ts), or held when it cannot be. */
  private async raise(
    delivery: ClaimedDelivery,
    email: GetReceivingEmailResponseSuccess,
    messageId: string,
    digest: InboundMessageDigest,
    outcome: Extract<InboundOutcome, { kind: 'raise' | 'followUp' }>,
  ): Promise<Done> {
    let files: ReceivedFiles | undefined;
    const result = await raiseFromEmail(
      { eventStore: this.options.eventStore, pool: this.options.pool, clock: this.clock },
      {
        email,
        messageId,
        digest,
        outcome,
        correlationId: delivery.svix_id,
        receiveFiles: async (target) => (files = await this.receiveFiles(email, messageId, target)),
      },
    );
    if (result.kind === 'hold') {
      if (files) await this.options.files?.release(files.refs, inboundMessageIdOf(messageId));
      return this.hold(delivery, email, messageId, digest, result);
    }
    if (files) await this.noteRefused(delivery, email, messageId, result.threadId, files);
    return { outcome: 'raised', reason: result.followUp ? 'follow_up' : 'raised_query', threadId: result.threadId };
  }

  /**
   * The email's files, fetched and stored (inboundAttachments.ts) under ids derived from its
   * Message-ID, so that a retried delivery stores each once. Without a file store, none is
   * fetched and each is listed as not kept.
   */
  private async receiveFiles(
    email: GetReceivingEmailResponseSuccess,
    messageId: string,
    target: { threadId: string; messageId: string },
  ): Promise<ReceivedFiles> {
    const { files } = this.options;
    if (!files) {
      return {
        refs: [],
        refused: (email.attachments ?? []).map((a) => ({
          fileName: a.filename ?? 'attachment',
          sizeBytes: a.size,
          reason: 'no_file_store' as const,
        })),
        inlineImages: new Map(),
      };
    }
    const received = await receiveAttachments(
      {
        attachments: this.options.receiving.attachments,
        store: files.store,
        clock: this.clock,
        attachmentIdOf: (id) => inboundAttachmentIdOf(messageId, id),
        maxBytes: files.maxBytes,
        maxFiles: files.maxFiles,
      },
      email,
    );
    await files.claim(received.refs, email.id, target);
    return received;
  }

  /** The internal note listing the files of the email that were not kept (none: no note). */
  private async noteRefused(
    delivery: ClaimedDelivery,
    email: GetReceivingEmailResponseSuccess,
    messageId: string,
    threadId: string,
    files: ReceivedFiles,
  ): Promise<void> {
    if (files.refused.length === 0) return;
    const sender = senderOf(email)?.normalized ?? email.from;
    await noteRefusedFiles(this.options.eventStore, {
      threadId,
      messageId,
      body: refusedFilesNote(sender, files.refused, this.options.files),
      now: this.clock(),
      correlationId: delivery.svix_id,
    });
  }

  private async hold(
    delivery: ClaimedDelivery,
    email: GetReceivingEmailResponseSuccess,
    messageId: string,
    digest: InboundMessageDigest,
    { reason, threadId, assignmentId = null }: Held,
  ): Promise<Done> {
    const { raw: _raw, ...kept } = email;
    await this.options.pool.query(
      `INSERT INTO held_inbound_emails
         (message_id, resend_email_id, svix_id, reason, thread_id, assignment_id, sender, subject, received_at, held_at, sha256, email)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
       ON CONFLICT (message_id) DO NOTHING`,
      [
        messageId,
        email.id,
        delivery.svix_id,
        reason,
        threadId,
        assignmentId,
        senderOf(email)?.normalized ?? email.from,
        email.subject,
        email.created_at,
        this.clock(),
        digest.sha256,
        JSON.stringify(kept),
      ],
    );
    return { outcome: 'held', reason, threadId };
  }
}

/** Why a mail is held, and what it names. */
interface Held {
  reason: string;
  threadId: string | null;
  assignmentId?: string | null;
}

function emptyReport(): InboundReport {
  return { claimed: 0, posted: 0, raised: 0, held: 0, ignored: 0, duplicate: 0, retrying: 0, dead: 0 };
}

function authorOf(author: InboundAuthor): Author {
  switch (author.kind) {
    case 'partner':
    case 'staff':
      // a staff member's reply by email is their own staff reply, emailed on like any other
      return { kind: author.kind, id: author.accountId, name: author.name };
    case 'guest':
      return { kind: 'guest', id: author.linkId, name: author.name };
  }
}

/** Received emails by state, for ops: waiting (never failed), retrying, dead-lettered. */
export function inboundDeliveryStats(pool: pg.Pool): Promise<{ pending: number; retrying: number; dead: number }> {
  return webhookDeliveryStats(pool, ['email.received']);
}
