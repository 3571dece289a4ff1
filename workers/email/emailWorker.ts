import type pg from 'pg';
import { SurveyTokens } from '../../commands/satisfaction/satisfactionToken.js';
import { GuestTokens } from '../../commands/guestLinks/guestToken.js';
import type { EventStore } from '../../eventstore/port.js';
import { signAttachmentLink, signedAttachmentPath } from '../../platform/attachments/signedLinks.js';
import { backoffDelay, WORKER_BACKOFF } from '../../platform/backoff.js';
import { AccountStore } from '../../platform/identity/accounts.js';
import type { Logger } from '../../platform/logger.js';
import { LogWaker } from '../logWaker.js';
import { DevMailboxTransport } from './devMailbox.js';
import { inboundDomainOf, type EmailConfig } from './emailConfig.js';
import { EmailProcessManager, type AccountEmails } from './emailProcessManager.js';
import { EmailSender, type EmailSenderOptions, type SendReport } from './emailSender.js';
import type { EmailTransport } from './emailTransport.js';
import { replyAddresses } from './replyAddress.js';
import { ResendTransport } from './resendTransport.js';

export type EmailSenderTuning = Pick<
  EmailSenderOptions,
  'leaseMs' | 'sendTimeoutMs' | 'concurrency' | 'backoff' | 'random'
>;

export interface EmailWorkerOptions {
  pool: pg.Pool;
  eventStore: EventStore;
  /**
   * The parsed emailConfigSchema (RESEND_API_KEY, RESEND_BASE_URL, EMAIL_FROM, EMAIL_MAX_ATTEMPTS,
   * EMAIL_POLL_MS, INBOUND_EMAIL_DOMAIN), and how long a file's link in an email works
   * (ATTACHMENT_EMAIL_LINK_DAYS, default 7).
   */
  config: EmailConfig & { ATTACHMENT_EMAIL_LINK_DAYS?: number };
  logger?: Logger;
  /** Partner addresses; defaults to the accounts table (disabled accounts get no email). */
  accounts?: AccountEmails;
  /** Defaults to Resend with RESEND_API_KEY, else the development mailbox. */
  transport?: EmailTransport;
  workerId?: string;
  clock?: () => Date;
  /** Log events per process-manager batch. */
  eventBatchSize?: number;
  /** The portal base URL until an admin sets one (where the desk serves). */
  defaultPortalBaseUrl?: () => string;
  /**
   * The guest link secret(s) (loadGuestLinkSecrets): the same the API issues links with, so a
   * guest's email can carry their link. Without them, guests' emails say they cannot. They also
   * sign the reply addresses (INBOUND_EMAIL_DOMAIN), which therefore needs them, and the links to
   * files in emails (the first of them, as the API checks them); without them files are listed
   * by name and size only.
   */
  guestLinkSecrets?: string[];
  /** First run over a log with history: email it (`send`, default) or only learn from it (`skip`). */
  history?: 'send' | 'skip';
  sender?: EmailSenderTuning;
  /** A started waker shared with other workers of the process (else the worker makes its own). */
  waker?: LogWaker;
  /** Builds the sender (tests use it to play a worker that dies mid-way). */
  createSender?: (options: EmailSenderOptions) => EmailSender;
}

export interface EmailRunReport extends Omit<SendReport, 'claimed'> {
  /** Log events read by the process manager. */
  events: number;
  /** Outbox rows written. */
  enqueued: number;
  /** Emails claimed and attempted. */
  attempted: number;
}

export function defaultTransport(pool: pg.Pool, config: EmailConfig): EmailTransport {
  return config.RESEND_API_KEY
    ? new ResendTransport({
        apiKey: config.RESEND_API_KEY,
        ...(config.RESEND_BASE_URL ? { baseUrl: config.RESEND_BASE_URL } : {}),
      })
    : new DevMailboxTransport(pool);
}

/** How long a file's link in an email works without ATTACHMENT_EMAIL_LINK_DAYS: a week. */
export const DEFAULT_ATTACHMENT_LINK_DAYS = 7;

/** Signs the links to files in emails with the secret the API verifies them with (signedLinks.ts). */
function attachmentLinksOf(secret: string, config: { ATTACHMENT_EMAIL_LINK_DAYS?: number }) {
  return {
    sign: (attachmentId: string, expiresAt: Date) =>
      signedAttachmentPath(attachmentId, signAttachmentLink(secret, attachmentId, expiresAt)),
    lifetimeDays: config.ATTACHMENT_EMAIL_LINK_DAYS ?? DEFAULT_ATTACHMENT_LINK_DAYS,
  };
}

export function accountEmailsFrom(accounts: AccountStore): AccountEmails {
  return {
    async emailOf(accountId) {
      const account = await accounts.findById(accountId);
      return account && !account.disabled ? account.email : undefined;
    },
  };
}

/**
 * The email worker: the process manager (log → outbox) and a sender (outbox → provider) in one
 * process. Any number may run; the checkpoint lock and the claims keep them from doing anything twice.
 */
export class EmailWorker {
  readonly processManager: EmailProcessManager;
  readonly sender: EmailSender;
  readonly transport: EmailTransport;
  private readonly pollMs: number;
  private readonly logger: Logger | undefined;
  private readonly waker: LogWaker;
  private readonly ownsWaker: boolean;
  private loops: Promise<void>[] = [];
  private stopped = true;
  private readonly sleepers = new Set<() => void>();
  private senderNudge: (() => void) | undefined;

  constructor(options: EmailWorkerOptions) {
    const { pool, eventStore, config } = options;
    this.logger = options.logger;
    this.ownsWaker = !options.waker;
    this.waker = options.waker ?? new LogWaker(eventStore);
    this.pollMs = config.EMAIL_POLL_MS;
    this.transport = options.transport ?? defaultTransport(pool, config);
    const inboundDomain = inboundDomainOf(config);
    if (config.INBOUND_EMAIL_DOMAIN && !options.guestLinkSecrets?.length) {
      throw new Error(
        'INBOUND_EMAIL_DOMAIN is set but the email worker has no guest link secret to sign reply addresses',
      );
    }
    this.processManager = new EmailProcessManager({
      pool,
      eventStore,
      accounts: options.accounts ?? accountEmailsFrom(new AccountStore(pool)),
      from: config.EMAIL_FROM,
      ...(inboundDomain && options.guestLinkSecrets?.length
        ? { replyAddresses: replyAddresses({ secrets: options.guestLinkSecrets, domain: inboundDomain }) }
        : {}),
      ...(options.guestLinkSecrets?.[0]
        ? { attachmentLinks: attachmentLinksOf(options.guestLinkSecrets[0], config) }
        : {}),
      ...(options.eventBatchSize ? { batchSize: options.eventBatchSize } : {}),
      ...(options.history ? { history: options.history } : {}),
      ...(options.defaultPortalBaseUrl ? { defaultPortalBaseUrl: options.defaultPortalBaseUrl } : {}),
    });
    const senderOptions: EmailSenderOptions = {
      ...options.sender,
      pool,
      eventStore,
      transport: this.transport,
      maxAttempts: config.EMAIL_MAX_ATTEMPTS,
      ...(options.logger ? { logger: options.logger } : {}),
      ...(options.workerId ? { workerId: options.workerId } : {}),
      ...(options.clock ? { clock: options.clock } : {}),
      ...(options.guestLinkSecrets?.length
        ? {
            guestTokens: new GuestTokens(options.guestLinkSecrets),
            surveyTokens: new SurveyTokens(options.guestLinkSecrets),
          }
        : {}),
    };
    this.sender = options.createSender ? options.createSender(senderOptions) : new EmailSender(senderOptions);
  }

  /**
   * One pass, for tests and one-shot runs: the process manager up to the log's head, then every
   * email due now (until a claim finds none, or the provider asks to slow down).
   */
  async runOnce(): Promise<EmailRunReport> {
    const { read, enqueued } = await this.processManager.catchUp();
    const report: EmailRunReport = {
      events: read,
      enqueued,
      attempted: 0,
      sent: 0,
      retrying: 0,
      failed: 0,
      dead: 0,
      lost: 0,
    };
    for (;;) {
      const round = await this.sender.sendDue();
      report.attempted += round.claimed;
      report.sent += round.sent;
      report.retrying += round.retrying;
      report.failed += round.failed;
      report.dead += round.dead;
      report.lost += round.lost;
      if (round.claimed === 0) return report;
    }
  }

  /** Runs until stop(): the process manager wakes on appends (or every EMAIL_POLL_MS), the sender polls. */
  async start(): Promise<void> {
    if (!this.stopped) return;
    this.stopped = false;
    if (this.ownsWaker) await this.waker.start();
    this.loops = [this.processLoop(), this.sendLoop()];
    this.logger?.info({ delivery: this.transport.kind, workerId: this.sender.workerId }, 'email worker running');
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    if (this.ownsWaker) await this.waker.stop();
    else this.waker.wakeAll();
    for (const wake of [...this.sleepers]) wake();
    await Promise.all(this.loops);
    this.loops = [];
  }

  private async processLoop(): Promise<void> {
    let failures = 0;
    while (!this.stopped) {
      const mark = this.waker.mark();
      try {
        const { enqueued } = await this.processManager.catchUp();
        failures = 0;
        if (enqueued > 0) this.nudgeSender();
        await this.waker.wait(this.pollMs, mark);
      } catch (error) {
        failures++;
        const delay = backoffDelay(failures, WORKER_BACKOFF);
        this.logger?.error({ err: error, retryInMs: delay }, 'email process manager failed; retrying');
        await this.sleep(delay);
      }
    }
  }

  private nudgeSender(): void {
    this.senderNudge?.();
  }

  private async sendLoop(): Promise<void> {
    let failures = 0;
    while (!this.stopped) {
      try {
        const round = await this.sender.sendDue();
        failures = 0;
        if (round.claimed > 0 && this.sender.pausedMs === 0) continue;
        await this.sleep(Math.max(this.pollMs, this.sender.pausedMs), true);
      } catch (error) {
        failures++;
        const delay = backoffDelay(failures, WORKER_BACKOFF);
        this.logger?.error({ err: error, retryInMs: delay }, 'email sender failed; retrying');
        await this.sleep(delay);
      }
    }
  }

  private sleep(ms: number, wakeOnNudge = false): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.sleepers.delete(done);
        if (this.senderNudge === done) this.senderNudge = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.sleepers.add(done);
      if (wakeOnNudge) this.senderNudge = done;
      if (this.stopped) done();
    });
  }
}
