import { createHash } from 'node:crypto';
import { deterministicUuid } from '../../../commands/commandHandler.js';

/** The idempotency key of the message an inbound Message-ID becomes. */
export function inboundKeyHash(messageId: string): string {
  return createHash('sha256').update(`inbound-email:${messageId}`).digest('hex');
}

/** The id of the message an inbound Message-ID becomes (the same for every delivery of it). */
export function inboundMessageIdOf(messageId: string): string {
  return deterministicUuid(`${inboundKeyHash(messageId)}:message`);
}

/** The id a file of the email is stored under: every run of the same email stores it under the same id. */
export function inboundAttachmentIdOf(messageId: string, resendAttachmentId: string): string {
  return deterministicUuid(`${inboundKeyHash(messageId)}:attachment:${resendAttachmentId}`);
}

/** The idempotency key of the internal note listing the files of the email that were not kept. */
export function refusedFilesNoteKeyHash(messageId: string): string {
  return createHash('sha256').update(`inbound-email-refused-files:${messageId}`).digest('hex');
}
