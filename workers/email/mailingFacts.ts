import type { Position } from '../../eventstore/port.js';
import type { EmailSettings } from './templates.js';

/**
 * What the email process manager knows when it decides an event's emails: the threads it saw
 * raised, the guest links it saw issued, the settings, and (looked up for the batch) partner
 * addresses and assignment references. Kept from the log's own events in the email_* tables
 * (never read from projections, whose rebuilds must not change what is emailed).
 */

/** A thread as email knows it (a row of email_threads). */
export type ThreadRow = {
  thread_id: string;
  subject: string;
  reference: string;
  raised_by_kind: string;
  raised_by_id: string;
  raised_by_name: string;
  root_message_id: string;
  raised_at: string;
  /** The staff account the thread is assigned to; null: nobody. */
  assignee_id: string | null;
  /** The thread's partner organisation; null or absent: learnt before it was kept (not checked). */
  partner_org_id?: string | null;
};

/** A thread's assignment as email learns it from ThreadAssigned. */
export type AssigneeRow = { thread_id: string; assignee_id: string | null };

/**
 * An agent to tell that a partner or guest wrote: an enabled admin or agent account, their
 * address, and whether they want these emails (their preference; on unless turned off).
 */
export interface StaffRecipient {
  email: string;
  notify: boolean;
}

/** A guest link as email knows it (a row of email_guest_links; its id is the token's SHA-256). */
export type LinkRow = {
  link_id: string;
  scope_kind: string;
  thread_id: string | null;
  recipient_email: string | null;
  expires_at: string;
  revoked_at: string | null;
};

/** The Message-IDs of a thread's emails, as email knows them (from email_thread_message_ids). */
export interface ThreadMessageIds {
  /**
   * Sent and received, in that order; the first is the thread's root (the first email we sent
   * about it). A loaded list keeps the first and the latest only.
   */
  ids: readonly string[];
  /** The latest Message-ID received for the thread; null: none yet. */
  latestInbound: string | null;
}

/** A Message-ID we send for a thread (a row of email_thread_message_ids), kept with its outbox row. */
export type MessageIdRow = {
  thread_id: string;
  message_id: string;
  direction: 'outbound';
  at: string;
  email_id: string;
};

export interface MailingFacts {
  /** Threads by id: those a batch is about, as far as they were seen raised. */
  threads: ReadonlyMap<string, ThreadRow>;
  /** Guest links by id: those a batch names, and every link of its threads. */
  links: ReadonlyMap<string, LinkRow>;
  /** Assignment references (A-1001) by assignment id: an assignment link's email names it so. */
  assignmentReferences: ReadonlyMap<string, string>;
  /** Partner account addresses by account id; undefined (or absent): nobody to email. */
  partnerEmails: ReadonlyMap<string, string | undefined>;
  /**
   * The organisations of those partner accounts (enabled ones), by account id: a partner who
   * moved to another organisation cannot see the thread any more and is sent no survey. Absent:
   * not checked.
   */
  partnerOrgs?: ReadonlyMap<string, string | undefined>;
  /**
   * Assigned staff by account id (the assignees of the threads a batch emails about); undefined
   * (or absent): nobody to email (no such enabled admin or agent).
   */
  staffRecipients: ReadonlyMap<string, StaffRecipient | undefined>;
  /** The settings as of the event (support address, portal URL). */
  settings: EmailSettings;
  /** The system config's notifyTeamOfUnassigned as of the event: a partner's message in an unassigned thread emails the support address. */
  notifyTeamOfUnassigned: boolean;
  /** The Message-IDs of the threads a batch is about, by thread id (absent: none yet). */
  threadMessageIds: ReadonlyMap<string, ThreadMessageIds>;
  /** EMAIL_FROM, frozen into each row (a changed From must not change a retried request). */
  sender: string;
  /**
   * The signed reply address of a thread for one recipient (replyAddress.ts): a pure function of
   * its input and the secret. null: no INBOUND_EMAIL_DOMAIN, so no Reply-To.
   */
  replyAddressOf: ((threadId: string, recipient: string) => string) | null;
  /**
   * The signed link of a file for an email about an event of `occurredAt` (signedLinks.ts; it
   * expires ATTACHMENT_EMAIL_LINK_DAYS after the event, so every attempt renders the same
   * email): a pure function of its input and the secret. Absent or null: no secret, so files are
   * listed by name and size only.
   */
  attachmentLinkOf?: ((attachmentId: string, occurredAt: string) => SignedFileLink) | null;
  /** Events at or before this position only teach facts and send nothing (history skipped); null: all send. */
  emailsFrom: Position | null;
}

/** A file's signed link in an email: its path and query under the portal URL, and when it stops working. */
export interface SignedFileLink {
  path: string;
  expiresAt: string;
}

/** What an event taught that must be kept for later batches. */
export interface LearntFacts {
  threads: ThreadRow[];
  links: LinkRow[];
  /** Set: the Message-IDs of the emails decided, in order, to record with them. */
  messageIds?: MessageIdRow[];
  /** Set: the settings changed to these. */
  settings?: EmailSettings;
  /** Set: the team notification switch, as of the latest SystemConfigUpdated. */
  notifyTeamOfUnassigned?: boolean;
  /** Set: threads whose assignee changed, in log order. */
  assignees?: AssigneeRow[];
}
