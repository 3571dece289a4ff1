import { createHash } from 'node:crypto';
import type { EmailTemplate } from '../../domain/index.js';
import type { SatisfactionRender } from './satisfactionEmail.js';
import type { EmailAudience, EmailContent, EmailSettings } from './templates.js';

/**
 * The rows of email_outbox: what the process manager writes (one per email to send) and what a
 * sender claims and finishes. The row id is also the provider's idempotency key.
 */

/** hex SHA-256 of (event id, template, recipient): the outbox id and the provider's idempotency key. */
export function emailIdFor(eventId: string, template: EmailTemplate, recipient: string): string {
  return createHash('sha256').update(`${eventId}\n${template}\n${recipient.trim().toLowerCase()}`).digest('hex');
}

/**
 * What the sender renders a guest's email from when it sends it: only then is the link's token
 * rebuilt (and only if the link still works), so no token is ever stored in the outbox.
 */
export interface GuestRender {
  content: EmailContent;
  settings: EmailSettings;
}

/** What every outbox row holds of its email, whoever reads it. */
interface OutboxEmail {
  id: string;
  event_id: string;
  /** null: the email handing out an assignment's guest link. */
  thread_id: string | null;
  message_id: string | null;
  template: EmailTemplate;
  recipient: string;
  sender: string;
  subject: string;
  html: string;
  text: string;
  headers: Record<string, string>;
  /** The guest link this email carries, rebuilt as it is sent; html and text are then only a preview. */
  guest_link_id: string | null;
  guest_render: GuestRender | null;
  /** The satisfaction survey this email carries, its token rebuilt as it is sent; absent or null: none. */
  satisfaction_render?: SatisfactionRender | null;
}

/** A row as the process manager writes it. */
export interface OutboxRow extends OutboxEmail {
  audience: EmailAudience;
}

/** A row this worker holds a claim on. */
export interface ClaimedEmail extends OutboxEmail {
  attempts: number;
  round: number;
  claim_token: string;
}

/** A claimed row with its final outcome recorded, whose events are still to append. */
export interface FinishedEmail extends ClaimedEmail {
  status: 'sent' | 'failed' | 'dead';
  provider_id: string | null;
  last_error: string | null;
  last_error_name: string | null;
  finished_at: string;
}
