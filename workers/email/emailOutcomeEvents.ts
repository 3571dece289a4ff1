import { createHash } from 'node:crypto';
import { deterministicUuid, handleCommand } from '../../commands/commandHandler.js';
import {
  BODY_MAX,
  DomainError,
  deliveryFailureNote,
  emailDelivered,
  emailDeliveryFailed,
  emailOutcomeStreamName,
  eventSchemaVersion,
  threadDecider,
  threadStreamName,
  type Author,
  type EmailDelivered,
  type EmailDeliveryFailed,
  type EmailFacts,
  type EmailFailure,
} from '../../domain/index.js';
import type { EventStore, JsonObject } from '../../eventstore/port.js';
import type { Logger } from '../../platform/logger.js';
import type { FinishedEmail } from './outboxRows.js';

/**
 * What a finished email leaves in the log: its outcome as an event in the email's own stream
 * (`threadEmail-<threadId>`, or `guestLinkEmail-<linkId>` for an assignment link's email) and,
 * for a failure, an internal note on the thread. Every id follows from the email and its round,
 * so a crash between the steps can only ever repeat them harmlessly.
 */

/** Who writes the "could not email" notes: the desk itself, never a person. */
export const emailSystemAuthor: Author = Object.freeze({ kind: 'system', id: 'email', name: 'Email' });

export interface OutcomeEventsContext {
  eventStore: EventStore;
  logger?: Logger;
  clock?: () => Date;
}

type OutcomeMetadata = { actor: { type: 'system'; id: string }; causationId: string };

/** Appends the outcome event (and, for a failure, the thread note) of a finished email. */
export async function appendOutcomeEvents(context: OutcomeEventsContext, email: FinishedEmail): Promise<void> {
  const metadata: OutcomeMetadata = {
    actor: { type: 'system' as const, id: 'email' },
    causationId: email.event_id,
  };
  const facts: EmailFacts = {
    emailId: email.id,
    threadId: email.thread_id,
    ...(email.guest_link_id ? { guestLinkId: email.guest_link_id } : {}),
    template: email.template,
    recipient: email.recipient,
    messageId: email.message_id,
    attempts: email.attempts,
  };
  const at = new Date(email.finished_at);
  if (email.status === 'sent') {
    await appendEmailEvent(context, email, emailDelivered(facts, email.provider_id ?? 'unknown', at), metadata);
    return;
  }
  const failure: EmailFailure = {
    errorName: email.last_error_name,
    reason:
      email.status === 'dead'
        ? `gave up after ${email.attempts} attempts; last error: ${email.last_error ?? 'unknown'}`
        : (email.last_error ?? 'refused by the email provider'),
    permanent: email.status === 'failed',
    providerId: email.provider_id,
  };
  // the email handing out an assignment's link has no thread to note it on: its event says it
  if (email.thread_id)
    await noteOnThread(context, email, email.thread_id, deliveryFailureNote(email.recipient, failure));
  await appendEmailEvent(context, email, emailDeliveryFailed(facts, failure, at), metadata);
}

async function appendEmailEvent(
  { eventStore }: OutcomeEventsContext,
  email: FinishedEmail,
  event: EmailDelivered | EmailDeliveryFailed,
  metadata: OutcomeMetadata,
): Promise<void> {
  await eventStore.append(
    emailOutcomeStreamName({ threadId: email.thread_id, guestLinkId: email.guest_link_id ?? undefined }),
    [
      {
        // one outcome per round: a crash and a re-append leave one event
        id: deterministicUuid(`email-outcome:${email.id}:${email.round}`),
        type: event.type,
        data: event.data as unknown as JsonObject,
        metadata: { ...metadata, schemaVersion: eventSchemaVersion(event.type) },
      },
    ],
    { expected: 'any' },
  );
}

/** The internal note staff see in the thread; its ids follow from the email and round, so it is added once. */
async function noteOnThread(
  { eventStore, logger, clock }: OutcomeEventsContext,
  email: FinishedEmail,
  threadId: string,
  body: string,
): Promise<void> {
  const keyHash = createHash('sha256').update(`email-note:${email.id}:${email.round}`).digest('hex');
  try {
    await handleCommand(
      eventStore,
      threadDecider,
      threadStreamName(threadId),
      {
        type: 'PostMessage',
        data: {
          threadId,
          messageId: deterministicUuid(`${keyHash}:message`),
          body: body.slice(0, BODY_MAX),
          visibility: 'internal',
        },
        metadata: { now: clock?.() ?? new Date(), author: emailSystemAuthor },
      },
      {
        idempotencyKeyHash: keyHash,
        metadata: { actor: { type: 'system', id: 'email' }, causationId: email.event_id },
      },
    );
  } catch (error) {
    // A thread that refuses the note (it cannot: the decider takes system notes even when
    // closed) must not block the outcome; the EmailDeliveryFailed event still records it.
    if (!(error instanceof DomainError)) throw error;
    logger?.error({ emailId: email.id, err: error }, 'could not add the email failure note');
  }
}
