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
};

/** A guest link as email knows it (a row of email_guest_links; its id is the token's SHA-256). */
export type LinkRow = {
  link_id: string;
  scope_kind: string;
  thread_id: string | null;
  recipient_email: string | null;
  expires_at: string;
  revoked_at: string | null;
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
  /** The settings as of the event (support address, portal URL). */
  settings: EmailSettings;
  /** EMAIL_FROM, frozen into each row (a changed From must not change a retried request). */
  sender: string;
  /** Events at or before this position only teach facts and send nothing (history skipped); null: all send. */
  emailsFrom: Position | null;
}

/** What an event taught that must be kept for later batches. */
export interface LearntFacts {
  threads: ThreadRow[];
  links: LinkRow[];
  /** Set: the settings changed to these. */
  settings?: EmailSettings;
}
