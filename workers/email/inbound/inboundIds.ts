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
