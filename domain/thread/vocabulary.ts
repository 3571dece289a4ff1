import { z } from 'zod';
import { unreachable } from '../shared.js';

export const threadStatuses = ['OPEN', 'PENDING', 'RESOLVED', 'CLOSED'] as const;
export const threadStatusSchema = z.enum(threadStatuses, {
  error: `must be one of ${threadStatuses.join(', ')}`,
});
export type ThreadStatus = z.infer<typeof threadStatusSchema>;

export const priorities = ['LOW', 'MEDIUM', 'HIGH', 'URGENT'] as const;
export const prioritySchema = z.enum(priorities, { error: `must be one of ${priorities.join(', ')}` });
export type Priority = z.infer<typeof prioritySchema>;

export const queryTypes = ['DOCUMENTS', 'PAYMENT', 'SCHEDULING', 'TECHNICAL', 'ACCESS', 'OTHER'] as const;
export const queryTypeSchema = z.enum(queryTypes, { error: `must be one of ${queryTypes.join(', ')}` });
export type QueryType = z.infer<typeof queryTypeSchema>;

export const messageVisibilities = ['external', 'internal'] as const;
export const messageVisibilitySchema = z.enum(messageVisibilities, {
  error: 'must be external (seen by the partner) or internal (staff only)',
});
export type MessageVisibility = z.infer<typeof messageVisibilitySchema>;

/** Who the thread waits for: OPEN waits for staff, PENDING for the partner. */
export type Awaiting = 'staff' | 'partner' | null;

/** Who a thread in `status` waits for: the one rule, for the domain and every read model. */
export function awaitingOf(status: ThreadStatus): Awaiting {
  switch (status) {
    case 'OPEN':
      return 'staff';
    case 'PENDING':
      return 'partner';
    case 'RESOLVED':
    case 'CLOSED':
      return null;
    default:
      return unreachable(status);
  }
}

export const threadStreamPrefix = 'thread-';

export function threadStreamName(threadId: string): string {
  return `${threadStreamPrefix}${threadId}`;
}

/* Limits shared by commands and events. */
export const SUBJECT_MAX = 200;
export const BODY_MAX = 10_000;
/** Ids of the host platform (assignments, partner organisations, staff users): opaque strings. */
export const EXTERNAL_ID_MAX = 200;

export const threadIdSchema = z.uuid({ error: 'must be a UUID' });
export const externalIdSchema = z
  .string({ error: 'must be a string' })
  .trim()
  .min(1, { error: 'must not be empty' })
  .max(EXTERNAL_ID_MAX, { error: `must be at most ${EXTERNAL_ID_MAX} characters` });
export const subjectSchema = z
  .string({ error: 'must be a string' })
  .trim()
  .min(1, { error: 'must not be empty' })
  .max(SUBJECT_MAX, { error: `must be at most ${SUBJECT_MAX} characters` });
export const bodySchema = z
  .string({ error: 'must be a string' })
  .trim()
  .min(1, { error: 'must not be empty' })
  .max(BODY_MAX, { error: `must be at most ${BODY_MAX} characters` });

/* Attachments: the files a message carries. Their bytes live in a blob store, never in an event. */
export const ATTACHMENTS_PER_MESSAGE_MAX = 10;
export const FILE_NAME_MAX = 200;
export const ERASE_REASON_MAX = 500;
export const sha256Schema = z.string().regex(/^[0-9a-f]{64}$/, { error: 'must be a SHA-256 in lowercase hex' });

/** The ids of uploaded files a message command attaches (each the uploader's own, staged). */
export const attachmentIdsSchema = z
  .array(z.uuid({ error: 'must be a UUID' }), { error: 'must be a list of attachment ids' })
  .max(ATTACHMENTS_PER_MESSAGE_MAX, { error: `at most ${ATTACHMENTS_PER_MESSAGE_MAX} files a message` })
  .refine((ids) => new Set(ids).size === ids.length, { error: 'must not name a file twice' });

export const eraseReasonSchema = z
  .string({ error: 'must be a string' })
  .trim()
  .min(1, { error: 'must say why' })
  .max(ERASE_REASON_MAX, { error: `must be at most ${ERASE_REASON_MAX} characters` });
