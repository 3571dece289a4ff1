import { problems } from '../platform/http/problem.js';

export interface InboxFilter {
  status?: string | undefined; // ALL or a status
  priority?: string | undefined;
  queryType?: string | undefined;
  assigneeId?: string | undefined; // an id, or 'none'
  partnerOrgId?: string | undefined;
  assignmentId?: string | undefined;
  threadId?: string | undefined;
  awaiting?: string | undefined;
  q?: string | undefined;
  /** 'due': only threads with a running service-level clock, soonest due (most overdue) first. */
  sla?: 'due' | undefined;
  /**
   * Partners and guests: search only external messages, and order and page by the last
   * activity they may see (`public_activity_at`), so staff-only events move nothing of theirs.
   */
  publicOnly?: boolean;
  cursor?: string | undefined;
  limit: number;
}

export interface Cursor {
  at: string;
  id: string;
}

export function encodeCursor(c: Cursor): string {
  return Buffer.from(`${c.at}|${c.id}`, 'utf8').toString('base64url');
}

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z$/;

export function decodeCursor(text: string): Cursor {
  const raw = Buffer.from(text, 'base64url').toString('utf8');
  const [at, id] = raw.split('|');
  // only the form encodeCursor writes: Date.parse takes much that Postgres refuses ('1', 'May 5')
  if (!at || !id || !ISO_INSTANT.test(at) || Number.isNaN(Date.parse(at)) || !/^[0-9a-f-]{36}$/i.test(id)) {
    throw problems.badRequest([{ path: 'query.cursor', message: 'is not a cursor from an earlier page' }]);
  }
  return { at, id };
}

/** The column a page is ordered and keyed by: all activity for staff, visible activity for partners and guests. */
export function activityColumn(filter: Pick<InboxFilter, 'publicOnly'>): 'last_activity_at' | 'public_activity_at' {
  return filter.publicOnly ? 'public_activity_at' : 'last_activity_at';
}

/**
 * One keyset-paginated page of the inbox, newest activity first. Every filter is a
 * parameter; the (filter, last_activity_at DESC, thread_id DESC) indexes serve it (for
 * partners and guests, the (filter, public_activity_at DESC, thread_id DESC) ones).
 */
export function inboxPageSql(filter: InboxFilter, columns: string): { sql: string; params: unknown[] } {
  const where: string[] = [];
  const params: unknown[] = [];
  const activity = `i.${activityColumn(filter)}`;
  const add = (clause: (p: string) => string, value: unknown) => {
    params.push(value);
    where.push(clause(`$${params.length}`));
  };
  if (filter.status && filter.status !== 'ALL') add((p) => `i.status = ${p}`, filter.status);
  if (filter.priority) add((p) => `i.priority = ${p}`, filter.priority);
  if (filter.queryType) add((p) => `i.query_type = ${p}`, filter.queryType);
  if (filter.assigneeId === 'none') where.push('i.assignee_id IS NULL');
  else if (filter.assigneeId) add((p) => `i.assignee_id = ${p}`, filter.assigneeId);
  if (filter.partnerOrgId) add((p) => `i.partner_org_id = ${p}`, filter.partnerOrgId);
  if (filter.assignmentId) add((p) => `i.assignment_id = ${p}`, filter.assignmentId);
  if (filter.threadId) add((p) => `i.thread_id = ${p}::uuid`, filter.threadId);
  if (filter.awaiting) add((p) => `i.awaiting = ${p}`, filter.awaiting);
  if (filter.q) {
    params.push(filter.q);
    const q = `websearch_to_tsquery('english', $${params.length})`;
    const visibility = filter.publicOnly ? "AND m.visibility = 'external'" : '';
    where.push(
      `(to_tsvector('english', i.subject) @@ ${q} OR i.thread_id IN (SELECT m.thread_id FROM support_messages m WHERE to_tsvector('english', m.body) @@ ${q} ${visibility}))`,
    );
  }
  const bySla = filter.sla === 'due' && !filter.publicOnly;
  if (filter.cursor) {
    const c = decodeCursor(filter.cursor);
    params.push(c.at, c.id);
    where.push(
      bySla
        ? `(s.due_at, i.thread_id) > ($${params.length - 1}::timestamptz, $${params.length}::uuid)`
        : `(${activity}, i.thread_id) < ($${params.length - 1}::timestamptz, $${params.length}::uuid)`,
    );
  }
  params.push(filter.limit + 1);
  const from = bySla
    ? 'support_inbox i JOIN sla_clocks s ON s.thread_id = i.thread_id AND s.due_at IS NOT NULL'
    : 'support_inbox i';
  const select = bySla ? `${columns}, s.due_at AS sla_due_at` : columns;
  const order = bySla ? 's.due_at ASC, i.thread_id ASC' : `${activity} DESC, i.thread_id DESC`;
  const sql = `SELECT ${select} FROM ${from} ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
    ORDER BY ${order} LIMIT $${params.length}`;
  return { sql, params };
}

/** Counts per status for the inbox tabs, under the same filters but the status. */
export function inboxCountsSql(filter: Omit<InboxFilter, 'status' | 'cursor' | 'limit'>): {
  sql: string;
  params: unknown[];
} {
  const { sql, params } = inboxPageSql({ ...filter, limit: 0 }, 'i.status');
  const body = sql.replace(/ORDER BY[\s\S]*$/, '');
  params.pop();
  return { sql: `SELECT status, count(*)::int AS n FROM (${body}) s GROUP BY status`, params };
}
