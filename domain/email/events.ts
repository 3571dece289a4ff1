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
  'sla_alert',
  'satisfaction_survey',
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

/*
 * What Resend tells about an email after it took it (its webhooks `email.sent`, `email.delivered`,
 * `email.delivery_delayed`, `email.bounced`, `email.complained`), appended to the same stream as
 * the email's outcome. Every report is kept, in the order it arrived; the state shown is the
 * strongest reported (deliveryState.ts), so a report arriving late never moves it backwards.
 */

export const deliveryReportStates = ['sent', 'delayed', 'delivered', 'bounced', 'complained'] as const;
export const deliveryReportStateSchema = z.enum(deliveryReportStates);
export type DeliveryReportState = z.infer<typeof deliveryReportStateSchema>;

/** Resend's bounce types: only a permanent bounce stops mail to the address. */
export const bounceTypes = ['Permanent', 'Transient', 'Undetermined'] as const;

export const emailDeliveryReportedData = z.object({
  emailId,
  threadId,
  guestLinkId,
  recipient,
  /** Resend's id of the email (`data.email_id`). */
  providerId: z.string().min(1).max(200),
  state: deliveryReportStateSchema,
  /** A bounce's type as Resend gave it (`Permanent`, `Transient`, `Undetermined`); null otherwise. */
  bounceType: z.string().max(100).nullable(),
  /** What the receiving server or Resend said (a bounce's message and sub-type); null when nothing. */
  reason: z.string().max(1000).nullable(),
  /** When Resend says it happened (the event's `created_at`). */
  occurredAt: isoTimestamp,
});

export const emailDeliveryReportedEvent = z.object({
  type: z.literal('EmailDeliveryReported'),
  data: emailDeliveryReportedData,
});
export type EmailDeliveryReported = z.infer<typeof emailDeliveryReportedEvent>;

/*
 * Addresses the desk no longer emails: a permanent bounce or a complaint suppresses the address
 * until an admin clears it. One stream per address, `emailAddress-<sha256 of the lowercase
 * address>` (the hash keeps the stream name short and free of the address's characters).
 */

export const emailAddressStreamPrefix = 'emailAddress-';

/** The stream of an address, named by the SHA-256 (hex) of its lowercase form. */
export function emailAddressStreamName(addressHash: string): string {
  return `${emailAddressStreamPrefix}${addressHash}`;
}

export const suppressionReasons = ['bounced', 'complained'] as const;
export const suppressionReasonSchema = z.enum(suppressionReasons);
export type SuppressionReason = z.infer<typeof suppressionReasonSchema>;

const lowercaseAddress = z
  .string()
  .min(3)
  .max(320)
  .refine((a) => a === a.toLowerCase(), 'must be lowercase');

export const emailAddressSuppressedData = z.object({
  address: lowercaseAddress,
  reason: suppressionReasonSchema,
  /** The email whose bounce or complaint it was. */
  emailId,
  /** When Resend says the bounce or complaint happened. */
  occurredAt: isoTimestamp,
});

export const emailAddressSuppressionClearedData = z.object({
  address: lowercaseAddress,
  /** The admin who cleared it. */
  by: z.object({ id: z.string().min(1).max(200), name: z.string().max(200) }),
  /** Why, in the admin's words. */
  reason: z.string().min(1).max(500),
  occurredAt: isoTimestamp,
});

export const emailAddressSuppressedEvent = z.object({
  type: z.literal('EmailAddressSuppressed'),
  data: emailAddressSuppressedData,
});
export const emailAddressSuppressionClearedEvent = z.object({
  type: z.literal('EmailAddressSuppressionCleared'),
  data: emailAddressSuppressionClearedData,
});
export type EmailAddressSuppressed = z.infer<typeof emailAddressSuppressedEvent>;
export type EmailAddressSuppressionCleared = z.infer<typeof emailAddressSuppressionClearedEvent>;
export type EmailAddressEvent = EmailAddressSuppressed | EmailAddressSuppressionCleared;
