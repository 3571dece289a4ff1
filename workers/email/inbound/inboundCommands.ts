import type pg from 'pg';
import { serviceLevelPoliciesOf } from '../../../commands/serviceLevels/serviceLevelPolicies.js';
import { deterministicUuid, handleCommand } from '../../../commands/commandHandler.js';
import {
  BODY_MAX,
  threadDecider,
  threadStreamName,
  type Author,
  type MessageVisibility,
  type Priority,
  type QueryType,
} from '../../../domain/index.js';
import type { Actor, EventStore, JsonValue } from '../../../eventstore/port.js';
import { emailSystemAuthor } from '../emailOutcomeEvents.js';
import type { InboundAttachmentRef } from './inboundAttachments.js';
import { inboundKeyHash, inboundMessageIdOf, refusedFilesNoteKeyHash } from './inboundIds.js';
import type { InboundAssignment } from './matchThread.js';

/**
 * What an inbound email becomes, as commands: a message in a thread, or a query raised on an
 * assignment (a follow-up of a closed thread is one, naming it). Every id is derived from the
 * email's Message-ID (the thread, the first message, the idempotency key), so whoever runs it
 * again (a retried delivery, a replay, a second worker, staff assigning a held mail twice)
 * appends nothing more. The worker and the held-mail routes share these.
 */

/** Raised from email: the type and priority a person would pick for "I don't know yet". */
export const INBOUND_QUERY_TYPE: QueryType = 'OTHER';
export const INBOUND_QUERY_PRIORITY: Priority = 'MEDIUM';

/** The thread a query raised from this Message-ID gets (the same for every run of it). */
export function inboundThreadIdOf(messageId: string): string {
  return deterministicUuid(`${inboundKeyHash(messageId)}:thread`);
}

export interface InboundCommandOptions {
  /** The inbound Message-ID, canonical `<left@right>`. */
  messageId: string;
  author: Author;
  actor: Actor;
  /** Recorded in every event's metadata (`inboundEmail`: digest, Resend id, how it matched), under the hash chain. */
  inboundEmail: Record<string, JsonValue>;
  correlationId: string;
  now: Date;
  /** The email's files, stored (inboundAttachments.ts): the message carries them. */
  attachments?: readonly InboundAttachmentRef[];
}

/** The command's files: none leaves the field out, as a message posted without any. */
function attachmentsOf(options: InboundCommandOptions) {
  return options.attachments?.length ? { attachments: [...options.attachments] } : {};
}

/** Posts the email's text in `threadId` (external as its sender, or a staff member's internal note). */
export async function postInboundMessage(
  eventStore: EventStore,
  options: InboundCommandOptions & { threadId: string; body: string; visibility: MessageVisibility },
) {
  return handleCommand(
    eventStore,
    threadDecider,
    threadStreamName(options.threadId),
    {
      type: 'PostMessage',
      data: {
        threadId: options.threadId,
        messageId: inboundMessageIdOf(options.messageId),
        body: options.body,
        visibility: options.visibility,
        ...attachmentsOf(options),
      },
      metadata: { now: options.now, author: options.author },
    },
    {
      idempotencyKeyHash: inboundKeyHash(options.messageId),
      metadata: { actor: options.actor, correlationId: options.correlationId },
      eventMetadata: { inboundEmail: options.inboundEmail },
    },
  );
}

/** Raises the email as a query on `assignment` (a follow-up of `followUpOf` when given). Answers the thread. */
export async function raiseInboundQuery(
  eventStore: EventStore,
  options: InboundCommandOptions & {
    assignment: InboundAssignment;
    subject: string;
    body: string;
    followUpOf: string | null;
  },
): Promise<{ threadId: string; position: string | null }> {
  const threadId = inboundThreadIdOf(options.messageId);
  const slaSnapshot = await serviceLevelPoliciesOf(eventStore).match({
    queryType: INBOUND_QUERY_TYPE,
    partnerOrgId: options.assignment.partnerOrgId,
  });
  const outcome = await handleCommand(
    eventStore,
    threadDecider,
    threadStreamName(threadId),
    {
      type: 'RaiseQuery',
      data: {
        threadId,
        messageId: inboundMessageIdOf(options.messageId),
        assignmentId: options.assignment.assignmentId,
        assignmentReference: options.assignment.reference,
        partnerOrgId: options.assignment.partnerOrgId,
        queryType: INBOUND_QUERY_TYPE,
        priority: INBOUND_QUERY_PRIORITY,
        subject: options.subject,
        body: options.body,
        ...(options.followUpOf ? { followUpOf: options.followUpOf } : {}),
        ...attachmentsOf(options),
        slaSnapshot,
      },
      metadata: { now: options.now, author: options.author },
    },
    {
      idempotencyKeyHash: inboundKeyHash(options.messageId),
      metadata: { actor: options.actor, correlationId: options.correlationId },
      eventMetadata: { inboundEmail: options.inboundEmail },
    },
  );
  return { threadId, position: outcome.position };
}

/**
 * The internal note that lists the files of an email the desk did not keep (too large, a type it
 * does not take, …), by the system's Email author, once per email: staff see what did not arrive.
 */
export async function noteRefusedFiles(
  eventStore: EventStore,
  options: { threadId: string; messageId: string; body: string; now: Date; correlationId: string },
) {
  const keyHash = refusedFilesNoteKeyHash(options.messageId);
  return handleCommand(
    eventStore,
    threadDecider,
    threadStreamName(options.threadId),
    {
      type: 'PostMessage',
      data: {
        threadId: options.threadId,
        messageId: deterministicUuid(`${keyHash}:message`),
        body: options.body.slice(0, BODY_MAX),
        visibility: 'internal',
      },
      metadata: { now: options.now, author: emailSystemAuthor },
    },
    {
      idempotencyKeyHash: keyHash,
      metadata: { actor: { type: 'system', id: 'email' }, correlationId: options.correlationId },
    },
  );
}

/** Records the Message-ID as the thread's inbound one: later deliveries of it are duplicates, replies to it match. */
export async function recordInboundMessageId(
  pool: pg.Pool | pg.PoolClient,
  threadId: string,
  messageId: string,
  at: Date,
): Promise<void> {
  await pool.query(
    `INSERT INTO email_thread_message_ids (thread_id, message_id, direction, at) VALUES ($1, $2, 'inbound', $3)
     ON CONFLICT DO NOTHING`,
    [threadId, messageId, at],
  );
}
