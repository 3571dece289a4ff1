import { z } from 'zod';
import { authorKinds, prioritySchema, queryTypeSchema, threadStatusSchema, type Awaiting } from '../domain/index.js';
import { attachmentView, type AttachmentView } from './attachments/attachmentViews.js';
import { slaHeadlineView } from './serviceLevels/slaViews.js';

/**
 * What each audience may see of a thread. Staff see everything; partners and guests never
 * see internal notes, who is assigned, or previews of internal notes.
 */

// the domain's vocabulary, so the OpenAPI document lists the values and the web app's types narrow
const authorKindSchema = z.enum(authorKinds);
const awaitingSchema = z.enum(['staff', 'partner'] as const satisfies readonly NonNullable<Awaiting>[]).nullable();

const iso = (v: unknown): string | null => (v instanceof Date ? v.toISOString() : v == null ? null : String(v));

export const staffThreadSummary = z
  .object({
    threadId: z.string(),
    revision: z.number().int(),
    status: threadStatusSchema,
    priority: prioritySchema,
    queryType: queryTypeSchema,
    subject: z.string(),
    partnerOrgId: z.string(),
    assignmentId: z.string(),
    assignmentReference: z.string(),
    assigneeId: z.string().nullable(),
    assigneeName: z.string().nullable(),
    raisedBy: z.object({ kind: authorKindSchema, id: z.string(), name: z.string() }),
    raisedAt: z.string(),
    lastMessagePreview: z.string().nullable(),
    lastMessageAt: z.string().nullable(),
    lastMessageByKind: authorKindSchema.nullable(),
    lastMessageVisibility: z
      .enum(['external', 'internal'])
      .nullable()
      .meta({ description: "'internal' when the last message (the preview) is an internal note" }),
    messageCount: z.number().int(),
    awaiting: awaitingSchema.meta({ description: "Who the thread waits for: 'staff', 'partner' or null" }),
    firstResponseAt: z.string().nullable(),
    resolvedAt: z.string().nullable(),
    closedAt: z.string().nullable(),
    lastActivityAt: z.string(),
    firstResponseSeconds: z.number().nullable(),
    resolutionSeconds: z.number().nullable(),
    sla: slaHeadlineView
      .nullable()
      .optional()
      .meta({
        description:
          'The service-level clock the row shows (null: no policy applies or every clock is done). In inbox pages and thread reads; ' +
          'live pushes of a thread leave it out, and an `sla` frame carries it when the clocks change.',
      }),
  })
  .meta({ id: 'StaffThreadSummary' });

export const partnerThreadSummary = z
  .object({
    threadId: z.string(),
    status: threadStatusSchema,
    priority: prioritySchema,
    queryType: queryTypeSchema,
    subject: z.string(),
    assignmentId: z.string(),
    assignmentReference: z.string(),
    raisedAt: z.string(),
    lastMessagePreview: z.string().nullable(),
    lastMessageAt: z.string().nullable(),
    lastMessageByKind: authorKindSchema.nullable(),
    messageCount: z.number().int(),
    awaitingYou: z.boolean(),
    lastActivityAt: z.string().meta({
      description:
        'The last activity partners and guests may see: the raise, external messages, status and priority changes (never an internal note or an assignment)',
    }),
  })
  .meta({ id: 'PartnerThreadSummary' });

export type StaffThreadSummary = z.infer<typeof staffThreadSummary>;
export type PartnerThreadSummary = z.infer<typeof partnerThreadSummary>;

const seconds = (from: unknown, to: unknown): number | null => {
  const a = iso(from);
  const b = iso(to);
  return a && b ? Math.round((Date.parse(b) - Date.parse(a)) / 1000) : null;
};

export function toStaffSummary(r: Record<string, unknown>): StaffThreadSummary {
  return {
    threadId: String(r.thread_id),
    revision: Number(r.revision),
    status: threadStatusSchema.parse(r.status),
    priority: prioritySchema.parse(r.priority),
    queryType: queryTypeSchema.parse(r.query_type),
    subject: String(r.subject),
    partnerOrgId: String(r.partner_org_id),
    assignmentId: String(r.assignment_id),
    assignmentReference: String(r.assignment_reference),
    assigneeId: (r.assignee_id as string | null) ?? null,
    assigneeName: (r.assignee_name as string | null) ?? null,
    raisedBy: {
      kind: authorKindSchema.parse(r.raised_by_kind),
      id: String(r.raised_by_id),
      name: String(r.raised_by_name),
    },
    raisedAt: iso(r.raised_at)!,
    lastMessagePreview: (r.last_message_preview as string | null) ?? null,
    lastMessageAt: iso(r.last_message_at),
    lastMessageByKind: authorKindSchema.nullable().parse(r.last_message_by_kind ?? null),
    lastMessageVisibility:
      r.last_message_visibility === 'internal'
        ? 'internal'
        : r.last_message_visibility === 'external'
          ? 'external'
          : null,
    messageCount: Number(r.message_count),
    awaiting: awaitingSchema.parse(r.awaiting ?? null),
    firstResponseAt: iso(r.first_response_at),
    resolvedAt: iso(r.resolved_at),
    closedAt: iso(r.closed_at),
    lastActivityAt: iso(r.last_activity_at)!,
    firstResponseSeconds: seconds(r.raised_at, r.first_response_at),
    resolutionSeconds: seconds(r.raised_at, r.first_resolved_at),
  };
}

/** Built from the public columns only: a partner's summary cannot carry an internal note's preview. */
export function toPartnerSummary(r: Record<string, unknown>): PartnerThreadSummary {
  return {
    threadId: String(r.thread_id),
    status: threadStatusSchema.parse(r.status),
    priority: prioritySchema.parse(r.priority),
    queryType: queryTypeSchema.parse(r.query_type),
    subject: String(r.subject),
    assignmentId: String(r.assignment_id),
    assignmentReference: String(r.assignment_reference),
    raisedAt: iso(r.raised_at)!,
    lastMessagePreview: (r.last_public_preview as string | null) ?? null,
    lastMessageAt: iso(r.last_public_at),
    lastMessageByKind: authorKindSchema.nullable().parse(r.last_public_by_kind ?? null),
    messageCount: Number(r.public_message_count),
    awaitingYou: r.awaiting === 'partner',
    // the last activity they may see: staff-only events (internal notes, assignment) do not move it
    lastActivityAt: iso(r.public_activity_at)!,
  };
}

/** Another thread this one is linked to (a follow-up and the closed thread it continues). */
export const linkedThreadView = z
  .object({ threadId: z.string(), subject: z.string(), status: threadStatusSchema })
  .meta({ id: 'LinkedThread' });

export type LinkedThreadView = z.infer<typeof linkedThreadView>;

export function toLinkedThread(r: Record<string, unknown>): LinkedThreadView {
  return {
    threadId: String(r.thread_id),
    subject: String(r.subject),
    status: threadStatusSchema.parse(r.status),
  };
}

export const messageView = z
  .object({
    messageId: z.string(),
    revision: z.number().int(),
    author: z.object({ kind: authorKindSchema, id: z.string(), name: z.string() }),
    visibility: z.enum(['external', 'internal']),
    body: z.string(),
    via: z.enum(['web', 'email']).meta({ description: 'Written in the app, or a reply by email' }),
    fullText: z.string().nullable().meta({
      description:
        'A reply by email: its whole text, quoted history and signature included ("show quoted"), when that is more than the body; never HTML',
    }),
    createdAt: z.string(),
    attachments: z.array(attachmentView).meta({ description: 'The files the message carries, in their order' }),
  })
  .meta({ id: 'Message' });

export type MessageView = z.infer<typeof messageView>;

export function toMessage(
  r: Record<string, unknown>,
  audience: 'staff' | 'public',
  attachments: readonly AttachmentView[] = [],
): MessageView {
  return {
    messageId: String(r.message_id),
    revision: Number(r.revision),
    // partners and guests see staff by name but not their account ids
    author: {
      kind: authorKindSchema.parse(r.author_kind),
      id: audience === 'staff' || r.author_kind !== 'staff' ? String(r.author_id) : '',
      name: String(r.author_name),
    },
    visibility: r.visibility === 'internal' ? 'internal' : 'external',
    body: String(r.body),
    via: r.via === 'email' ? 'email' : 'web',
    fullText: typeof r.full_text === 'string' ? r.full_text : null,
    createdAt: iso(r.created_at)!,
    attachments: [...attachments],
  };
}

export const guestLinkView = z
  .object({
    linkId: z.string(),
    scope: z.enum(['thread', 'assignment']),
    threadId: z.string().nullable(),
    assignmentId: z.string().nullable(),
    recipientEmail: z.string().nullable(),
    issuedAt: z.string(),
    expiresAt: z.string(),
    issuedBy: z.string(),
    revokedAt: z.string().nullable(),
    state: z.enum(['active', 'expired', 'revoked']),
  })
  .meta({ id: 'GuestLink' });

export function toGuestLink(r: Record<string, unknown>, now: Date): z.infer<typeof guestLinkView> {
  const revokedAt = iso(r.revoked_at);
  const expiresAt = iso(r.expires_at)!;
  return {
    linkId: String(r.link_id),
    scope: r.scope_kind === 'assignment' ? 'assignment' : 'thread',
    threadId: (r.thread_id as string | null) ?? null,
    assignmentId: (r.assignment_id as string | null) ?? null,
    recipientEmail: (r.recipient_email as string | null) ?? null,
    issuedAt: iso(r.issued_at)!,
    expiresAt,
    issuedBy: String(r.issued_by_name),
    revokedAt,
    state: revokedAt ? 'revoked' : Date.parse(expiresAt) <= now.getTime() ? 'expired' : 'active',
  };
}
