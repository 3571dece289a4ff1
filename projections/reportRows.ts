import type { ThreadEvent, ThreadStatus } from '../domain/index.js';
import type { Column } from './bulkSql.js';

/**
 * The reports' read model, one row per thread: what it is about (organisation, query type,
 * priority, assignee), when it was answered and resolved, and the spans during which it waited
 * to be resolved (the backlog chart counts those). A pure fold of the thread's events, so a
 * rebuild from the log gives the same rows.
 */

export interface ReportRow {
  thread_id: string;
  raised_at: string;
  partner_org_id: string;
  query_type: string;
  /** Today's priority (volume by priority counts it). */
  priority: string;
  assignee_id: string | null;
  assignee_name: string | null;
  status: string;
  /** The first external staff message. */
  first_response_at: string | null;
  /** Wall-clock seconds from the raise to the first response. */
  first_response_seconds: number | null;
  /** The priority when the first response was given (the histogram's label never moves). */
  first_response_priority: string | null;
  /** The first time the thread was resolved, or closed without being resolved first. */
  resolution_at: string | null;
  /** Wall-clock seconds from the raise to `resolution_at`. */
  resolution_seconds: number | null;
  resolution_priority: string | null;
  /** The last resolution and closing (cleared by a reopen), as the inbox keeps them. */
  resolved_at: string | null;
  closed_at: string | null;
  /** How many backlog spans the thread has had; the open one (waiting to be resolved) is the last. */
  spans: number;
  /** When the open span began, or null while the thread is resolved or closed. */
  open_since: string | null;
}

/** A span of time a thread waited to be resolved: from its raise (or reopening) to its resolution or closing. */
export interface SpanRow {
  thread_id: string;
  seq: number;
  opened_at: string;
  closed_at: string | null;
}

export const reportColumns: readonly Column[] = [
  ['thread_id', 'uuid'],
  ['raised_at', 'timestamptz'],
  ['partner_org_id', 'text'],
  ['query_type', 'text'],
  ['priority', 'text'],
  ['assignee_id', 'text'],
  ['assignee_name', 'text'],
  ['status', 'text'],
  ['first_response_at', 'timestamptz'],
  ['first_response_seconds', 'double precision'],
  ['first_response_priority', 'text'],
  ['resolution_at', 'timestamptz'],
  ['resolution_seconds', 'double precision'],
  ['resolution_priority', 'text'],
  ['resolved_at', 'timestamptz'],
  ['closed_at', 'timestamptz'],
  ['spans', 'integer'],
  ['open_since', 'timestamptz'],
];

export const spanColumns: readonly Column[] = [
  ['thread_id', 'uuid'],
  ['seq', 'integer'],
  ['opened_at', 'timestamptz'],
  ['closed_at', 'timestamptz'],
];

const waiting = (status: string) => status === 'OPEN' || status === 'PENDING';

const secondsBetween = (from: string, to: string) => (Date.parse(to) - Date.parse(from)) / 1000;

export interface ReportFold {
  row: ReportRow;
  /** The span this event opened or closed, if any. */
  span: SpanRow | null;
}

/** Folds one thread event onto the thread's report row (undefined: a thread never seen raised). */
export function foldReport(row: ReportRow | undefined, event: ThreadEvent): ReportFold | undefined {
  if (event.type === 'QueryRaised') {
    const d = event.data;
    return {
      row: {
        thread_id: d.threadId,
        raised_at: d.occurredAt,
        partner_org_id: d.partnerOrgId,
        query_type: d.queryType,
        priority: d.priority,
        assignee_id: null,
        assignee_name: null,
        status: 'OPEN',
        first_response_at: null,
        first_response_seconds: null,
        first_response_priority: null,
        resolution_at: null,
        resolution_seconds: null,
        resolution_priority: null,
        resolved_at: null,
        closed_at: null,
        spans: 1,
        open_since: d.occurredAt,
      },
      span: { thread_id: d.threadId, seq: 1, opened_at: d.occurredAt, closed_at: null },
    };
  }
  if (!row) return undefined;
  const next: ReportRow = { ...row };
  const at = event.data.occurredAt;
  let status: ThreadStatus | string = row.status;
  switch (event.type) {
    case 'MessagePosted': {
      const d = event.data;
      status = d.statusAfter;
      if (d.visibility === 'external' && d.by.kind === 'staff' && !row.first_response_at) {
        next.first_response_at = at;
        next.first_response_seconds = secondsBetween(row.raised_at, at);
        next.first_response_priority = row.priority;
      }
      if (d.statusAfter !== 'RESOLVED') next.resolved_at = null;
      break;
    }
    case 'ThreadAssigned':
      next.assignee_id = event.data.assigneeId;
      next.assignee_name = event.data.assigneeName;
      break;
    case 'PriorityChanged':
      next.priority = event.data.to;
      break;
    case 'ThreadResolved':
      status = 'RESOLVED';
      next.resolved_at = at;
      break;
    case 'ThreadClosed':
      status = 'CLOSED';
      next.closed_at = at;
      break;
    case 'ThreadReopened':
      status = 'OPEN';
      next.resolved_at = null;
      next.closed_at = null;
      break;
    case 'AttachmentErased':
      break;
  }
  next.status = status;
  let span: SpanRow | null = null;
  if (waiting(row.status) && !waiting(status)) {
    span = { thread_id: row.thread_id, seq: row.spans, opened_at: row.open_since ?? row.raised_at, closed_at: at };
    next.open_since = null;
    if (!row.resolution_at) {
      next.resolution_at = at;
      next.resolution_seconds = secondsBetween(row.raised_at, at);
      next.resolution_priority = row.priority;
    }
  } else if (!waiting(row.status) && waiting(status)) {
    next.spans = row.spans + 1;
    next.open_since = at;
    span = { thread_id: row.thread_id, seq: next.spans, opened_at: at, closed_at: null };
  }
  return { row: next, span };
}
