import { z } from 'zod';
import { tokenHashSchema } from '../guestLink/vocabulary.js';
import { isoTimestamp } from '../shared.js';

/*
 * What became of each email the desk sent about a thread. Appended by the email worker to the
 * thread's email stream (never to the thread itself, whose history stays the conversation), so
 * auditors and the delivery log see every outcome. Never a secret: no API key, no token (an email
 * that carried a guest link names the link by its id, the token's hash). The email handing out an
 * assignment's guest link belongs to no thread: its outcomes go to `guestLinkEmail-<linkId>`.
 */

export const emailTemplates = [
  'query_raised_support',
  'query_raised_ack',
  'staff_reply',
  'thread_resolved',
  'guest_link_issued',
  'partner_wrote',
] as const;
export const emailTemplateSchema = z.enum(emailTemplates);
export type EmailTemplate = z.infer<typeof emailTemplateSchema>;

export const emailStreamPrefix = 'threadEmail-';

export function emailStreamName(threadId: string): string {
  return `${emailStreamPrefix}${threadId}`;
}

export const guestLinkEmailStreamPrefix = 'guestLinkEmail-';

/** Where an email's outcomes go: its thread's email stream, else (an assignment link's email) its link's. */
export function emailOutcomeStreamName(email: { threadId: string | null; guestLinkId?: string | undefined }): string {
  if (email.threadId) return emailStreamName(email.threadId);
  if (email.guestLinkId) return `${guestLinkEmailStreamPrefix}${email.guestLinkId}`;
  throw new Error('an email is about a thread or a guest link');
}

/** The outbox id: lowercase hex SHA-256 of (event id, template, recipient); also the provider's idempotency key. */
const emailId = z.string().regex(/^[0-9a-f]{64}$/);
const recipient = z.string().min(3).max(320);
const attempts = z.number().int().min(0);

/** The thread the email is about; null only for the email handing out an assignment's guest link. */
const threadId = z.guid().nullable();
/** The guest link the email carried (or would have, had it still worked). */
const guestLinkId = tokenHashSchema.optional();

export const emailDeliveredData = z.object({
  emailId,
  threadId,
  guestLinkId,
  template: emailTemplateSchema,
  recipient,
  /** The message that caused the email (the query's first message, a staff reply); null for a resolution. */
  messageId: z.guid().nullable(),
  /** The provider's id of the email (`dev-…` for the development mailbox). */
  providerId: z.string().min(1).max(200),
  attempts,
  occurredAt: isoTimestamp,
});

export const emailDeliveryFailedData = z.object({
  emailId,
  threadId,
  guestLinkId,
  template: emailTemplateSchema,
  recipient,
  messageId: z.guid().nullable(),
  providerId: z.string().max(200).nullable(),
  attempts,
  /** The provider's error name (`validation_error`, …) or `network_error`; null when unknown. */
  errorName: z.string().max(100).nullable(),
  reason: z.string().min(1).max(1000),
  /** true: the provider refused it for good (not retried); false: every attempt failed (dead-lettered). */
  permanent: z.boolean(),
  occurredAt: isoTimestamp,
});

export const emailDeliveredEvent = z.object({ type: z.literal('EmailDelivered'), data: emailDeliveredData });
export const emailDeliveryFailedEvent = z.object({
  type: z.literal('EmailDeliveryFailed'),
  data: emailDeliveryFailedData,
});

export type EmailDelivered = z.infer<typeof emailDeliveredEvent>;
export type EmailDeliveryFailed = z.infer<typeof emailDeliveryFailedEvent>;
export type EmailEvent = EmailDelivered | EmailDeliveryFailed;

export const emailEventTypes = [
  'EmailDelivered',
  'EmailDeliveryFailed',
] as const satisfies readonly EmailEvent['type'][];
