import type pg from 'pg';
import type { GetReceivingEmailResponseSuccess } from 'resend';
import { DomainError } from '../../../domain/index.js';
import type { EventStore } from '../../../eventstore/port.js';
import type { ReceivedFiles } from './inboundAttachments.js';
import { inboundThreadIdOf, raiseInboundQuery, recordInboundMessageId } from './inboundCommands.js';
import { inboundMessageIdOf } from './inboundIds.js';
import { arrivedTextOf, inboundMessageOf } from './inboundMessage.js';
import type { InboundMessageDigest } from './inboundMessageDigest.js';
import { senderOf } from './inboundMessageHeaders.js';
import { querySubjectOf } from './inboundQuerySubject.js';
import type { InboundOutcome } from './matchThread.js';

/**
 * The worker's `raise` and `followUp` outcomes: a query raised as the partner who wrote, on the
 * assignment the subject tagged, or, for a reply to a closed thread, on that thread's assignment as
 * its follow-up (`followUpOf`; the sender's acknowledgement says a new conversation was opened).
 * Subject: the email's without tags and reply prefixes; type and priority the defaults. A guest
 * cannot raise one from a closed thread (held: `thread_closed`), nor can an empty email become one.
 * The new thread records the Message-ID as its inbound one, so later deliveries are duplicates.
 */

export type RaiseResult =
  | { kind: 'raised'; threadId: string; followUp: boolean }
  | { kind: 'hold'; reason: string; threadId: string | null; assignmentId: string | null };

export async function raiseFromEmail(
  deps: { eventStore: EventStore; pool: pg.Pool; clock: () => Date },
  input: {
    email: GetReceivingEmailResponseSuccess;
    messageId: string;
    digest: InboundMessageDigest;
    outcome: Extract<InboundOutcome, { kind: 'raise' | 'followUp' }>;
    correlationId: string;
    /** Fetches and stores the email's files, once the query is sure to be raised (nothing is fetched for a held mail). */
    receiveFiles: (target: { threadId: string; messageId: string }) => Promise<ReceivedFiles>;
  },
): Promise<RaiseResult> {
  const { email, messageId, digest, outcome } = input;
  const closedThreadId = outcome.kind === 'followUp' ? outcome.closedThreadId : null;
  const assignmentId = outcome.assignment.assignmentId;
  const { author } = outcome;
  if (author.kind !== 'partner') {
    return { kind: 'hold', reason: 'thread_closed', threadId: closedThreadId, assignmentId: null };
  }
  const message = inboundMessageOf(email);
  if (message.kind === 'empty')
    return { kind: 'hold', reason: 'empty_message', threadId: closedThreadId, assignmentId };
  const sender = senderOf(email)?.normalized ?? email.from;
  const files = await input.receiveFiles({
    threadId: inboundThreadIdOf(messageId),
    messageId: inboundMessageIdOf(messageId),
  });
  const arrived = files.inlineImages.size ? inboundMessageOf(email, files.inlineImages) : message;
  let threadId: string;
  try {
    ({ threadId } = await raiseInboundQuery(deps.eventStore, {
      messageId,
      author: { kind: 'partner', id: author.accountId, name: author.name },
      actor: { type: 'user', id: author.accountId },
      inboundEmail: {
        messageId,
        resendEmailId: email.id,
        sha256: digest.sha256,
        digestOf: digest.of,
        matchedBy: outcome.kind === 'followUp' ? outcome.matchedBy : 'subject_tag',
        bodyShortened: message.bodyShortened,
        ...arrivedTextOf(arrived),
      },
      attachments: files.refs,
      correlationId: input.correlationId,
      now: deps.clock(),
      assignment: outcome.assignment,
      subject: querySubjectOf(email.subject, `Email from ${sender}`),
      body: message.body,
      followUpOf: closedThreadId,
    }));
  } catch (error) {
    if (error instanceof DomainError && error.kind !== 'conflict') {
      return { kind: 'hold', reason: error.code, threadId: closedThreadId, assignmentId };
    }
    throw error;
  }
  await recordInboundMessageId(deps.pool, threadId, messageId, deps.clock());
  return { kind: 'raised', threadId, followUp: closedThreadId !== null };
}
