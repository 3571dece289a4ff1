import { z } from 'zod';
import type { Command } from '../shared.js';
import { attachmentRefSchema } from './events.js';
import { slaSnapshotSchema } from '../serviceLevel/events.js';
import { satisfactionCommentSchema, satisfactionRatingSchema, surveyOfferSchema } from './satisfaction.js';
import { tokenHashSchema } from '../guestLink/vocabulary.js';
import {
  attachmentIdsSchema,
  eraseReasonSchema,
  bodySchema,
  externalIdSchema,
  messageVisibilitySchema,
  prioritySchema,
  queryTypeSchema,
  subjectSchema,
  threadIdSchema,
} from './vocabulary.js';

/*
 * `...Input`: what a person types (the HTTP layer validates requests with these).
 * `...Data`: the input plus what the caller adds (ids, references looked up on the host platform).
 * Every command names its thread; the decider refuses one aimed at another thread's state.
 */

export const raiseQueryInput = z.object({
  assignmentId: externalIdSchema,
  queryType: queryTypeSchema,
  priority: prioritySchema.default('MEDIUM'),
  subject: subjectSchema,
  body: bodySchema,
  /** Files uploaded first (POST /api/support/attachments), by their ids. */
  attachmentIds: attachmentIdsSchema.optional(),
});

export const raiseQueryData = raiseQueryInput.extend({
  threadId: threadIdSchema,
  messageId: z.uuid({ error: 'must be a UUID' }),
  assignmentReference: externalIdSchema,
  partnerOrgId: externalIdSchema,
  /** The closed thread this query continues (a reply by email to it); absent for a query of its own. */
  followUpOf: threadIdSchema.optional(),
  /** The files, as the edge found them (the uploader's own staged files); none when absent. */
  attachments: z.array(attachmentRefSchema).optional(),
  /** The service-level policy that matches the query, as the edge found it (none when absent or null). */
  slaSnapshot: slaSnapshotSchema.nullable().optional(),
});

export const postMessageInput = z.object({
  body: bodySchema,
  visibility: messageVisibilitySchema.default('external'),
  /** Files uploaded first (POST /api/support/attachments), by their ids. */
  attachmentIds: attachmentIdsSchema.optional(),
});

export const postMessageData = postMessageInput.extend({
  threadId: threadIdSchema,
  messageId: z.uuid({ error: 'must be a UUID' }),
  /** The files, as the edge found them; none when absent. */
  attachments: z.array(attachmentRefSchema).optional(),
});

export const assignInput = z.object({
  /** `null` unassigns. */
  assigneeId: externalIdSchema.nullable(),
  assigneeName: z
    .string({ error: 'must be a string' })
    .trim()
    .max(200, { error: 'must be at most 200 characters' })
    .nullish(),
});

export const assignData = assignInput.extend({ threadId: threadIdSchema });

export const changePriorityInput = z.object({ priority: prioritySchema });
export const changePriorityData = changePriorityInput.extend({ threadId: threadIdSchema });

export const eraseAttachmentInput = z.object({ reason: eraseReasonSchema });
export const eraseAttachmentData = eraseAttachmentInput.extend({
  threadId: threadIdSchema,
  attachmentId: z.uuid({ error: 'must be a UUID' }),
});

/** An admin re-applies the policy that matches the thread now (null: none does). */
export const applySlaPolicyData = z.object({ threadId: threadIdSchema, snapshot: slaSnapshotSchema.nullable() });

/** Resolve, Close and Reopen carry nothing but the thread they act on. */
export const threadTransitionData = z.object({ threadId: threadIdSchema });

/**
 * A resolution may also offer the raiser a satisfaction survey: the command layer adds it when
 * the survey is switched on (its id, token seed and hash, scale and expiry); the decider offers it
 * only when a partner or guest raised the thread.
 */
export const resolveData = threadTransitionData.extend({ survey: surveyOfferSchema.optional() });

/** What the person asked types on the rating page. */
export const rateSatisfactionInput = z.object({
  rating: satisfactionRatingSchema,
  /** Omitted: the comment given before stays; empty or null: none. */
  comment: satisfactionCommentSchema.nullish(),
});

/** The answer, with the survey it answers: found by the hash of the token its link carries. */
export const rateSatisfactionData = rateSatisfactionInput.extend({
  threadId: threadIdSchema,
  tokenHash: tokenHashSchema,
});

/*
 * A command carries its data parsed (validated, trimmed, defaults applied): the edge parses what
 * it receives once, with the schemas above, and the deciders trust their typed input.
 */
export type RaiseQuery = Command<'RaiseQuery', z.output<typeof raiseQueryData>>;
export type PostMessage = Command<'PostMessage', z.output<typeof postMessageData>>;
export type Assign = Command<'Assign', z.output<typeof assignData>>;
export type ChangePriority = Command<'ChangePriority', z.output<typeof changePriorityData>>;
export type Resolve = Command<'Resolve', z.output<typeof resolveData>>;
export type Close = Command<'Close', z.output<typeof threadTransitionData>>;
export type Reopen = Command<'Reopen', z.output<typeof threadTransitionData>>;
export type EraseAttachment = Command<'EraseAttachment', z.output<typeof eraseAttachmentData>>;
export type ApplySlaPolicy = Command<'ApplySlaPolicy', z.output<typeof applySlaPolicyData>>;
/** The scheduler's: record whatever warning or breach is due on the thread now (and nothing else). */
export type RecordSlaAlerts = Command<'RecordSlaAlerts', z.output<typeof threadTransitionData>>;
export type RateSatisfaction = Command<'RateSatisfaction', z.output<typeof rateSatisfactionData>>;

export type ThreadCommand =
  | RaiseQuery
  | PostMessage
  | Assign
  | ChangePriority
  | Resolve
  | Close
  | Reopen
  | EraseAttachment
  | ApplySlaPolicy
  | RecordSlaAlerts
  | RateSatisfaction;
