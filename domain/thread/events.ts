import { z } from 'zod';
import { authorSchema, isoTimestamp } from '../shared.js';
import {
  BODY_MAX,
  EXTERNAL_ID_MAX,
  SUBJECT_MAX,
  messageVisibilitySchema,
  prioritySchema,
  queryTypeSchema,
  threadStatusSchema,
  ATTACHMENTS_PER_MESSAGE_MAX,
  ERASE_REASON_MAX,
  FILE_NAME_MAX,
  sha256Schema,
} from './vocabulary.js';
import { slaSnapshotSchema } from '../serviceLevel/events.js';
import { slaMetricSchema } from '../serviceLevel/vocabulary.js';
import type { SatisfactionRated, SatisfactionSurveyOffered } from './satisfaction.js';

/*
 * Event data as stored: plain JSON, no transforms, no optional fields (absent is `null`).
 * The types below are inferred from these schemas, so the two cannot drift apart.
 */

// Commands insist on RFC 9562 UUIDs; stored events are read leniently, so history always loads.
const threadId = z.guid();
const externalId = z.string().min(1).max(EXTERNAL_ID_MAX);
const by = authorSchema;
const occurredAt = isoTimestamp;

/**
 * A file a message carries, as its event records it: the hash chain covers exactly which bytes were
 * sent (`sha256`). The media type was sniffed from the bytes, the name cleaned; `contentId` is an
 * inline image of a received email (its Content-ID), else null.
 */
export const attachmentRefSchema = z.object({
  attachmentId: z.guid(),
  sha256: sha256Schema,
  sizeBytes: z.number().int().min(0),
  mediaType: z.string().min(1).max(200),
  fileName: z.string().min(1).max(FILE_NAME_MAX),
  contentId: z.string().min(1).max(500).nullable(),
});
export type AttachmentRef = z.infer<typeof attachmentRefSchema>;

const attachments = z.array(attachmentRefSchema).max(ATTACHMENTS_PER_MESSAGE_MAX);

export const queryRaisedData = z.object({
  threadId,
  /** Id of the first message, the query's body. */
  messageId: z.guid(),
  assignmentId: externalId,
  assignmentReference: externalId,
  partnerOrgId: externalId,
  queryType: queryTypeSchema,
  priority: prioritySchema,
  subject: z.string().min(1).max(SUBJECT_MAX),
  body: z.string().min(1).max(BODY_MAX),
  by,
  occurredAt,
  /**
   * Since v2: the closed thread this one continues (a reply by email to a closed thread opens a
   * follow-up, as "a closed thread takes no messages"); null for a query of its own. v1 events are
   * upcast with null.
   */
  followUpOf: threadId.nullable(),
  /** Since v3: the files the query carries (v1 and v2 events are upcast with none). */
  attachments,
});

/** QueryRaised v1 → v2: no query raised before v2 followed up another thread. */
export function upcastQueryRaisedV1(data: Record<string, unknown>): Record<string, unknown> {
  return { ...data, followUpOf: null };
}

/** QueryRaised v2 → v3 and MessagePosted v1 → v2: nothing before carried files. */
export function upcastWithoutAttachments(data: Record<string, unknown>): Record<string, unknown> {
  return { ...data, attachments: [] };
}

export const messagePostedData = z.object({
  threadId,
  messageId: z.guid(),
  body: z.string().min(1).max(BODY_MAX),
  visibility: messageVisibilitySchema,
  by,
  occurredAt,
  /** The automatic status change this message made, explicit for projections and auditors. */
  statusBefore: threadStatusSchema,
  statusAfter: threadStatusSchema,
  /** Since v2: the files the message carries (v1 events are upcast with none). */
  attachments,
});

/**
 * An admin erased a file's bytes (a person's data, a file sent by mistake). The history keeps the
 * file's hash and shows it as erased; `visibility` is its message's, so that partners and guests
 * learn of the erasure of an internal note's file no more than of the note.
 */
export const attachmentErasedData = z.object({
  threadId,
  messageId: z.guid(),
  attachmentId: z.guid(),
  sha256: sha256Schema,
  visibility: messageVisibilitySchema,
  reason: z.string().min(1).max(ERASE_REASON_MAX),
  by,
  occurredAt,
});

export const threadAssignedData = z.object({
  threadId,
  assigneeId: externalId.nullable(),
  assigneeName: z.string().max(200).nullable(),
  previousAssigneeId: externalId.nullable(),
  by,
  occurredAt,
});

export const priorityChangedData = z.object({
  threadId,
  from: prioritySchema,
  to: prioritySchema,
  by,
  occurredAt,
});

export const threadResolvedData = z.object({ threadId, statusBefore: threadStatusSchema, by, occurredAt });
export const threadClosedData = z.object({ threadId, statusBefore: threadStatusSchema, by, occurredAt });
export const threadReopenedData = z.object({ threadId, statusBefore: threadStatusSchema, by, occurredAt });

/**
 * The service-level policy a thread is held to, as it was when applied (its targets and its
 * calendar): appended with the query when a policy matches it, or when an admin re-applies the
 * policy that matches it now (`snapshot` null: none does any more). Staff-only.
 */
export const slaPolicyAppliedData = z.object({
  threadId,
  snapshot: slaSnapshotSchema.nullable(),
  reason: z.enum(['raised', 'reapplied']),
  by,
  occurredAt,
});

/**
 * A service-level target is close (a warning) or past (a breach). Recorded by the scheduler once
 * per (thread, metric, cycle): its event id is derived from them. Staff-only.
 */
export const slaAlertData = z.object({
  threadId,
  metric: slaMetricSchema,
  cycle: z.number().int().min(0),
  dueAt: isoTimestamp,
  policyId: z.guid(),
  policyVersion: z.number().int().min(1),
  by,
  occurredAt,
});

export const queryRaisedEvent = z.object({ type: z.literal('QueryRaised'), data: queryRaisedData });
export const messagePostedEvent = z.object({ type: z.literal('MessagePosted'), data: messagePostedData });
export const threadAssignedEvent = z.object({ type: z.literal('ThreadAssigned'), data: threadAssignedData });
export const priorityChangedEvent = z.object({ type: z.literal('PriorityChanged'), data: priorityChangedData });
export const threadResolvedEvent = z.object({ type: z.literal('ThreadResolved'), data: threadResolvedData });
export const threadClosedEvent = z.object({ type: z.literal('ThreadClosed'), data: threadClosedData });
export const threadReopenedEvent = z.object({ type: z.literal('ThreadReopened'), data: threadReopenedData });
export const attachmentErasedEvent = z.object({ type: z.literal('AttachmentErased'), data: attachmentErasedData });
export const slaPolicyAppliedEvent = z.object({ type: z.literal('SlaPolicyApplied'), data: slaPolicyAppliedData });
export const slaWarningEvent = z.object({ type: z.literal('SlaWarning'), data: slaAlertData });
export const slaBreachedEvent = z.object({ type: z.literal('SlaBreached'), data: slaAlertData });

export type QueryRaised = z.infer<typeof queryRaisedEvent>;
export type MessagePosted = z.infer<typeof messagePostedEvent>;
export type ThreadAssigned = z.infer<typeof threadAssignedEvent>;
export type PriorityChanged = z.infer<typeof priorityChangedEvent>;
export type ThreadResolved = z.infer<typeof threadResolvedEvent>;
export type ThreadClosed = z.infer<typeof threadClosedEvent>;
export type ThreadReopened = z.infer<typeof threadReopenedEvent>;
export type AttachmentErased = z.infer<typeof attachmentErasedEvent>;
export type SlaPolicyApplied = z.infer<typeof slaPolicyAppliedEvent>;
export type SlaWarning = z.infer<typeof slaWarningEvent>;
export type SlaBreached = z.infer<typeof slaBreachedEvent>;

export type ThreadEvent =
  | QueryRaised
  | MessagePosted
  | ThreadAssigned
  | PriorityChanged
  | ThreadResolved
  | ThreadClosed
  | ThreadReopened
  | AttachmentErased
  | SlaPolicyApplied
  | SlaWarning
  | SlaBreached
  | SatisfactionSurveyOffered
  | SatisfactionRated;

export const threadEventTypes = [
  'QueryRaised',
  'MessagePosted',
  'ThreadAssigned',
  'PriorityChanged',
  'ThreadResolved',
  'ThreadClosed',
  'ThreadReopened',
  'AttachmentErased',
  'SlaPolicyApplied',
  'SlaWarning',
  'SlaBreached',
  'SatisfactionSurveyOffered',
  'SatisfactionRated',
] as const satisfies readonly ThreadEvent['type'][];

/**
 * Staff-only events: partners and guests must not learn that they happened at all (an internal
 * note, an assignment: the assignee is a staff-only field). Their lists order by the last event
 * that is not staff-only, and the live push sends them nothing for a change made only of these.
 * Takes the stored shape (`type`, `data`) so the log's records can be asked directly.
 */
export function isStaffOnlyThreadEvent(event: { type: string; data: unknown }): boolean {
  switch (event.type) {
    case 'MessagePosted':
    case 'AttachmentErased':
      return (event.data as { visibility?: unknown } | null)?.visibility === 'internal';
    case 'ThreadAssigned':
    case 'SlaPolicyApplied':
    case 'SlaWarning':
    case 'SlaBreached':
      return true;
    // the survey and its answers are for staff (the drawer, the audit history, reports): the
    // partner's own list does not move when they rate
    case 'SatisfactionSurveyOffered':
    case 'SatisfactionRated':
      return true;
    default:
      return false;
  }
}
