import { awaitingOf, isStaffOnlyThreadEvent, type ThreadEvent } from '../domain/index.js';
import { loadRows, prepared, upsertRows, type Column } from './bulkSql.js';
import type { Projection } from './projection.js';

/**
 * The inbox (one row per thread) and the thread view (its messages in order). One projection,
 * because both follow the same events and must move together.
 */

export const PREVIEW_LENGTH = 160;

export interface InboxRow {
  thread_id: string;
  revision: number;
  status: string;
  priority: string;
  query_type: string;
  assignee_id: string | null;
  assignee_name: string | null;
  partner_org_id: string;
  assignment_id: string;
  assignment_reference: string;
  subject: string;
  raised_by_kind: string;
  raised_by_id: string;
  raised_by_name: string;
  raised_at: string;
  last_message_preview: string | null;
  last_message_at: string | null;
  last_message_by_kind: string | null;
  /** 'external' or 'internal' (a note): staff previews say which. */
  last_message_visibility: string | null;
  last_public_preview: string | null;
  last_public_at: string | null;
  last_public_by_kind: string | null;
  message_count: number;
  public_message_count: number;
  awaiting: string | null;
  first_response_at: string | null;
  resolved_at: string | null;
  first_resolved_at: string | null;
  closed_at: string | null;
  /** Staff: the last event of any kind. */
  last_activity_at: string;
  /**
   * Partners and guests: the last event they may see (the raise, external messages, status and
   * priority changes; not internal notes or assignment). Their lists order and page by it, so a
   * staff-only event moves nothing they can see.
   */
  public_activity_at: string;
  /** The closed thread this one follows up (a reply by email to it), or null. */
  follow_up_of: string | null;
}

const inboxColumns: readonly Column[] = [
  ['thread_id', 'uuid'],
  ['revision', 'integer'],
  ['status', 'text'],
  ['priority', 'text'],
  ['query_type', 'text'],
  ['assignee_id', 'text'],
  ['assignee_name', 'text'],
  ['partner_org_id', 'text'],
  ['assignment_id', 'text'],
  ['assignment_reference', 'text'],
  ['subject', 'text'],
  ['raised_by_kind', 'text'],
  ['raised_by_id', 'text'],
  ['raised_by_name', 'text'],
  ['raised_at', 'timestamptz'],
  ['last_message_preview', 'text'],
  ['last_message_at', 'timestamptz'],
  ['last_message_by_kind', 'text'],
  ['last_message_visibility', 'text'],
  ['last_public_preview', 'text'],
  ['last_public_at', 'timestamptz'],
  ['last_public_by_kind', 'text'],
  ['message_count', 'integer'],
  ['public_message_count', 'integer'],
  ['awaiting', 'text'],
  ['first_response_at', 'timestamptz'],
  ['resolved_at', 'timestamptz'],
  ['first_resolved_at', 'timestamptz'],
  ['closed_at', 'timestamptz'],
  ['last_activity_at', 'timestamptz'],
  ['public_activity_at', 'timestamptz'],
  ['follow_up_of', 'uuid'],
];

const messageColumns: readonly Column[] = [
  ['message_id', 'uuid'],
  ['thread_id', 'uuid'],
  ['revision', 'integer'],
  ['author_kind', 'text'],
  ['author_id', 'text'],
  ['author_name', 'text'],
  ['visibility', 'text'],
  ['body', 'text'],
  ['via', 'text'],
  ['full_text', 'text'],
  ['created_at', 'timestamptz'],
];

/** What an event made from a received email says of it (workers/email/inbound: `metadata.inboundEmail`). */
function inboundEmailOf(metadata: Record<string, unknown>): { fullText: string | null } | null {
  const email = metadata.inboundEmail;
  if (!email || typeof email !== 'object') return null;
  const fullText = (email as { fullText?: unknown }).fullText;
  return { fullText: typeof fullText === 'string' ? fullText : null };
}

const preview = (body: string) => (body.length > PREVIEW_LENGTH ? `${body.slice(0, PREVIEW_LENGTH - 1)}…` : body);

/** Folds one event onto a thread's row (pure: the same rules the decider's evolve applies). */
export function foldInbox(row: InboxRow | undefined, event: ThreadEvent, revision: number): InboxRow | undefined {
  if (event.type === 'QueryRaised') {
    const d = event.data;
    return {
      thread_id: d.threadId,
      revision,
      status: 'OPEN',
      priority: d.priority,
      query_type: d.queryType,
      assignee_id: null,
      assignee_name: null,
      partner_org_id: d.partnerOrgId,
      assignment_id: d.assignmentId,
      assignment_reference: d.assignmentReference,
      subject: d.subject,
      raised_by_kind: d.by.kind,
      raised_by_id: d.by.id,
      raised_by_name: d.by.name,
      raised_at: d.occurredAt,
      last_message_preview: preview(d.body),
      last_message_at: d.occurredAt,
      last_message_by_kind: d.by.kind,
      last_message_visibility: 'external',
      last_public_preview: preview(d.body),
      last_public_at: d.occurredAt,
      last_public_by_kind: d.by.kind,
      message_count: 1,
      public_message_count: 1,
      awaiting: awaitingOf('OPEN'),
      first_response_at: null,
      resolved_at: null,
      first_resolved_at: null,
      closed_at: null,
      last_activity_at: d.occurredAt,
      public_activity_at: d.occurredAt,
      follow_up_of: d.followUpOf,
    };
  }
  if (!row) return undefined; // an event for a thread we never saw raised: nothing to fold onto
  // the service-level events change no column but the revision (the ETag a client sends back as If-Match)
  if (event.type === 'SlaPolicyApplied' || event.type === 'SlaWarning' || event.type === 'SlaBreached') {
    return { ...row, revision };
  }
  const next: InboxRow = {
    ...row,
    revision,
    last_activity_at: event.data.occurredAt,
    public_activity_at: isStaffOnlyThreadEvent(event) ? row.public_activity_at : event.data.occurredAt,
  };
  switch (event.type) {
    case 'MessagePosted': {
      const d = event.data;
      next.status = d.statusAfter;
      next.awaiting = awaitingOf(d.statusAfter);
      next.message_count = row.message_count + 1;
      next.last_message_preview = preview(d.body);
      next.last_message_at = d.occurredAt;
      next.last_message_by_kind = d.by.kind;
      next.last_message_visibility = d.visibility;
      if (d.visibility === 'external') {
        next.public_message_count = row.public_message_count + 1;
        next.last_public_preview = preview(d.body);
        next.last_public_at = d.occurredAt;
        next.last_public_by_kind = d.by.kind;
        if (d.by.kind === 'staff' && !row.first_response_at) next.first_response_at = d.occurredAt;
      }
      if (d.statusAfter !== 'RESOLVED') next.resolved_at = null;
      return next;
    }
    case 'ThreadAssigned':
      next.assignee_id = event.data.assigneeId;
      next.assignee_name = event.data.assigneeName;
      return next;
    case 'PriorityChanged':
      next.priority = event.data.to;
      return next;
    case 'ThreadResolved':
      next.status = 'RESOLVED';
      next.awaiting = awaitingOf('RESOLVED');
      next.resolved_at = event.data.occurredAt;
      next.first_resolved_at = row.first_resolved_at ?? event.data.occurredAt;
      return next;
    case 'ThreadClosed':
      next.status = 'CLOSED';
      next.awaiting = awaitingOf('CLOSED');
      next.closed_at = event.data.occurredAt;
      return next;
    case 'ThreadReopened':
      next.status = 'OPEN';
      next.awaiting = awaitingOf('OPEN');
      next.resolved_at = null;
      next.closed_at = null;
      return next;
    case 'AttachmentErased':
      return next;
    // staff-only: the revision and staff's last activity move (the drawer reads the survey itself)
    case 'SatisfactionSurveyOffered':
    case 'SatisfactionRated':
      return next;
  }
}

const attachmentColumns: readonly Column[] = [
  ['attachment_id', 'uuid'],
  ['thread_id', 'uuid'],
  ['message_id', 'uuid'],
  ['visibility', 'text'],
  ['author_kind', 'text'],
  ['author_id', 'text'],
  ['position', 'integer'],
  ['sha256', 'text'],
  ['size_bytes', 'bigint'],
  ['media_type', 'text'],
  ['file_name', 'text'],
  ['content_id', 'text'],
  ['created_at', 'timestamptz'],
];

const threadEventTypes = [
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

export const threadInboxProjection: Projection = {
  name: 'threads',
  // 2: public_activity_at (partners and guests order by what they may see)
  // 3: last_message_visibility (staff previews mark internal notes)
  // 4: support_messages.via and full_text (a reply by email keeps its whole text for "show quoted")
  // 5: follow_up_of (a follow-up names the closed thread it continues; that one reads "continued in" from it)
  // 6: support_attachments (the files of messages, and their erasure)
  // 7: the service-level events move the revision too (it is the stream's, the ETag of If-Match)
  version: 7,
  tables: ['support_inbox', 'support_messages', 'support_attachments'],
  eventTypes: threadEventTypes,
  createTables: (t) => `
    CREATE TABLE ${t('support_inbox')} (
      thread_id uuid PRIMARY KEY,
      revision integer NOT NULL,
      status text NOT NULL,
      priority text NOT NULL,
      query_type text NOT NULL,
      assignee_id text,
      assignee_name text,
      partner_org_id text NOT NULL,
      assignment_id text NOT NULL,
      assignment_reference text NOT NULL,
      subject text NOT NULL,
      raised_by_kind text NOT NULL,
      raised_by_id text NOT NULL,
      raised_by_name text NOT NULL,
      raised_at timestamptz NOT NULL,
      last_message_preview text,
      last_message_at timestamptz,
      last_message_by_kind text,
      last_message_visibility text,
      last_public_preview text,
      last_public_at timestamptz,
      last_public_by_kind text,
      message_count integer NOT NULL,
      public_message_count integer NOT NULL,
      awaiting text,
      first_response_at timestamptz,
      resolved_at timestamptz,
      first_resolved_at timestamptz,
      closed_at timestamptz,
      last_activity_at timestamptz NOT NULL,
      public_activity_at timestamptz NOT NULL,
      follow_up_of uuid
    );
    CREATE TABLE ${t('support_messages')} (
      message_id uuid PRIMARY KEY,
      thread_id uuid NOT NULL,
      revision integer NOT NULL,
      author_kind text NOT NULL,
      author_id text NOT NULL,
      author_name text NOT NULL,
      visibility text NOT NULL,
      body text NOT NULL,
      -- 'web' or 'email' (the event's metadata.inboundEmail says it came by email)
      via text NOT NULL,
      -- a reply by email: its whole text, quoted history and signature included, when that is more than the body
      full_text text,
      created_at timestamptz NOT NULL
    );
    CREATE TABLE ${t('support_attachments')} (
      attachment_id uuid PRIMARY KEY,
      thread_id uuid NOT NULL,
      message_id uuid NOT NULL,
      -- the message's: an internal note's files are staff-only like the note
      visibility text NOT NULL,
      -- who posted the message (its uploader, or the sender of a received email)
      author_kind text NOT NULL,
      author_id text NOT NULL,
      -- its place among the message's files
      position integer NOT NULL,
      sha256 text NOT NULL,
      size_bytes bigint NOT NULL,
      media_type text NOT NULL,
      file_name text NOT NULL,
      content_id text,
      created_at timestamptz NOT NULL,
      erased_at timestamptz,
      erased_by_name text,
      erase_reason text
    );
  `,
  createIndexes: (t) => `
    CREATE INDEX ON ${t('support_inbox')} (last_activity_at DESC, thread_id DESC);
    CREATE INDEX ON ${t('support_inbox')} (status, last_activity_at DESC, thread_id DESC);
    CREATE INDEX ON ${t('support_inbox')} (partner_org_id, last_activity_at DESC, thread_id DESC);
    CREATE INDEX ON ${t('support_inbox')} (assignee_id, last_activity_at DESC, thread_id DESC);
    CREATE INDEX ON ${t('support_inbox')} (assignment_id, last_activity_at DESC, thread_id DESC);
    CREATE INDEX ON ${t('support_inbox')} (partner_org_id, public_activity_at DESC, thread_id DESC);
    CREATE INDEX ON ${t('support_inbox')} (assignment_id, public_activity_at DESC, thread_id DESC);
    CREATE INDEX ON ${t('support_inbox')} USING gin (to_tsvector('english', subject));
    CREATE INDEX ON ${t('support_inbox')} (follow_up_of) WHERE follow_up_of IS NOT NULL;
    CREATE INDEX ON ${t('support_messages')} (thread_id, revision);
    CREATE INDEX ON ${t('support_messages')} USING gin (to_tsvector('english', body));
    CREATE INDEX ON ${t('support_attachments')} (thread_id, message_id, position);
    CREATE INDEX ON ${t('support_attachments')} (message_id);
  `,
  partitionKey: (e) => (e.event as ThreadEvent).data.threadId,
  async apply(client, events, t) {
    const threadIds = [...new Set(events.map((e) => (e.event as ThreadEvent).data.threadId))];
    const rows = await loadRows<InboxRow>(client, t('support_inbox'), 'thread_id', threadIds, inboxColumns);
    const changed = new Map<string, InboxRow>();
    const messages: Record<string, unknown>[] = [];
    const files = new Map<string, Record<string, unknown>>();
    const erasures: { attachment_id: string; erased_at: string; erased_by_name: string; erase_reason: string }[] = [];
    for (const { record, event } of events) {
      const e = event as ThreadEvent;
      const id = e.data.threadId;
      const next = foldInbox(changed.get(id) ?? rows.get(id), e, record.revision);
      if (!next) continue;
      changed.set(id, next);
      if (e.type === 'AttachmentErased') {
        const d = e.data;
        const erased = { erased_at: d.occurredAt, erased_by_name: d.by.name, erase_reason: d.reason };
        const pending = files.get(d.attachmentId);
        if (pending) Object.assign(pending, erased);
        else erasures.push({ attachment_id: d.attachmentId, ...erased });
        continue;
      }
      if (e.type === 'QueryRaised' || e.type === 'MessagePosted') {
        const visibility = e.type === 'QueryRaised' ? 'external' : e.data.visibility;
        e.data.attachments.forEach((file, position) => {
          files.set(file.attachmentId, {
            attachment_id: file.attachmentId,
            thread_id: id,
            message_id: e.data.messageId,
            visibility,
            author_kind: e.data.by.kind,
            author_id: e.data.by.id,
            position,
            sha256: file.sha256,
            size_bytes: file.sizeBytes,
            media_type: file.mediaType,
            file_name: file.fileName,
            content_id: file.contentId,
            created_at: e.data.occurredAt,
            erased_at: null,
            erased_by_name: null,
            erase_reason: null,
          });
        });
        const email = inboundEmailOf(record.metadata);
        messages.push({
          message_id: e.data.messageId,
          thread_id: id,
          revision: record.revision,
          author_kind: e.data.by.kind,
          author_id: e.data.by.id,
          author_name: e.data.by.name,
          visibility: e.type === 'QueryRaised' ? 'external' : e.data.visibility,
          body: e.data.body,
          via: email ? 'email' : 'web',
          full_text: email?.fullText && email.fullText.trim() !== e.data.body.trim() ? email.fullText : null,
          created_at: e.data.occurredAt,
        });
      }
    }
    await upsertRows(client, t('support_inbox'), inboxColumns, ['thread_id'], [
      ...changed.values(),
    ] as unknown as Record<string, unknown>[]);
    await upsertRows(client, t('support_messages'), messageColumns, ['message_id'], messages, 'nothing');
    await upsertRows(
      client,
      t('support_attachments'),
      [...attachmentColumns, ['erased_at', 'timestamptz'], ['erased_by_name', 'text'], ['erase_reason', 'text']],
      ['attachment_id'],
      [...files.values()],
      'nothing',
    );
    if (erasures.length) {
      await client.query(
        prepared(
          `UPDATE ${t('support_attachments')} a SET erased_at = r.erased_at, erased_by_name = r.erased_by_name,
                  erase_reason = r.erase_reason
             FROM jsonb_to_recordset($1::jsonb) AS r(attachment_id uuid, erased_at timestamptz, erased_by_name text, erase_reason text)
            WHERE a.attachment_id = r.attachment_id AND a.erased_at IS NULL`,
          [JSON.stringify(erasures)],
        ),
      );
    }
    return { threadIds: [...changed.keys()] };
  },
};
