import {
  businessSecondsBetween,
  evaluateSlaClocks,
  evolveSlaClocks,
  initialSlaClocks,
  type SlaClocks,
  type SlaMetric,
  type ThreadEvent,
  type ThreadStatus,
} from '../domain/index.js';
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
  /** The thread's service-level clocks (the domain's fold), kept to fold the next batch onto. */
  sla_clocks: SlaClocks;
  /** The policy in force, or null when none applies. */
  sla_policy_name: string | null;
  /** Business seconds the first-response clock ran (open hours of the policy's calendar). */
  first_response_business_seconds: number | null;
  /** Business seconds the resolution clock ran, to the last resolution (not while waiting on the partner). */
  resolution_business_seconds: number | null;
  /** Each target's state as of the thread's last event: met, missed, breached, running, paused; null without a target. */
  sla_first_response: string | null;
  sla_resolution: string | null;
  /** Next-response waits by outcome. */
  sla_next_met: number;
  sla_next_missed: number;
  sla_next_breached: number;
  sla_next_open: number;
  sla_warnings: number;
  sla_breaches: number;
  /** Satisfaction surveys offered (one a resolution, when surveys are on). */
  csat_offered: number;
  /** The latest rating: good, okay or bad, or 1 to 5 (as text); null until one came. */
  csat_rating: string | null;
  /** 1 to 5 for a five-point rating (the mean is taken over these), else null. */
  csat_score: number | null;
  csat_comment: string | null;
  csat_rated_at: string | null;
}

/** A warning or breach the scheduler recorded, with the priority the thread had then (the counters' label). */
export interface AlertRow {
  event_id: string;
  thread_id: string;
  kind: 'warning' | 'breach';
  metric: SlaMetric;
  cycle: number;
  priority: string;
  occurred_at: string;
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
  ['sla_clocks', 'jsonb'],
  ['sla_policy_name', 'text'],
  ['first_response_business_seconds', 'double precision'],
  ['resolution_business_seconds', 'double precision'],
  ['sla_first_response', 'text'],
  ['sla_resolution', 'text'],
  ['sla_next_met', 'integer'],
  ['sla_next_missed', 'integer'],
  ['sla_next_breached', 'integer'],
  ['sla_next_open', 'integer'],
  ['sla_warnings', 'integer'],
  ['sla_breaches', 'integer'],
  ['csat_offered', 'integer'],
  ['csat_rating', 'text'],
  ['csat_score', 'integer'],
  ['csat_comment', 'text'],
  ['csat_rated_at', 'timestamptz'],
];

export const alertColumns: readonly Column[] = [
  ['event_id', 'uuid'],
  ['thread_id', 'uuid'],
  ['kind', 'text'],
  ['metric', 'text'],
  ['cycle', 'integer'],
  ['priority', 'text'],
  ['occurred_at', 'timestamptz'],
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
  /** The warning or breach this event recorded, if any. */
  alert: AlertRow | null;
}

const noSla = {
  sla_policy_name: null,
  first_response_business_seconds: null,
  resolution_business_seconds: null,
  sla_first_response: null,
  sla_resolution: null,
  sla_next_met: 0,
  sla_next_missed: 0,
  sla_next_breached: 0,
  sla_next_open: 0,
} as const;

/**
 * The service-level columns of a row as of `at` (its last event): business seconds of the
 * finished clocks and each target's state, from the clocks and the policy in force. A re-applied
 * policy (or calendar) recomputes them over the thread's whole history.
 */
export function settleSla(row: ReportRow, at: string): ReportRow {
  const clocks = row.sla_clocks;
  const snapshot = clocks.snapshot;
  if (!snapshot) return { ...row, ...noSla };
  const business = (metric: SlaMetric) => {
    const clock = clocks.clocks.find((c) => c.metric === metric && c.cycle === 0);
    if (!clock || clock.completedAt === null) return null;
    return clock.spans.reduce(
      (sum, [from, to]) => sum + businessSecondsBetween(snapshot.calendar, Date.parse(from), Date.parse(to)),
      0,
    );
  };
  const views = evaluateSlaClocks(clocks, new Date(at));
  const stateOf = (metric: SlaMetric) => views.find((v) => v.metric === metric && v.cycle === 0)?.state ?? null;
  const next = views.filter((v) => v.metric === 'nextResponse');
  const count = (...states: string[]) => next.filter((v) => states.includes(v.state)).length;
  return {
    ...row,
    sla_policy_name: snapshot.policy.name,
    first_response_business_seconds: business('firstResponse'),
    resolution_business_seconds: business('resolution'),
    sla_first_response: stateOf('firstResponse'),
    sla_resolution: stateOf('resolution'),
    sla_next_met: count('met'),
    sla_next_missed: count('missed'),
    sla_next_breached: count('breached'),
    sla_next_open: count('running', 'paused'),
  };
}

/**
 * Folds one thread event onto the thread's report row (undefined: a thread never seen raised).
 * The service-level columns are left to `settleSla`, once per thread and batch (evaluating
 * business time walks the calendar).
 */
export function foldReport(row: ReportRow | undefined, event: ThreadEvent, eventId = ''): ReportFold | undefined {
  if (!row && event.type !== 'QueryRaised') return undefined;
  const folded = foldThread(row, event);
  if (!folded) return undefined;
  const clocksBefore = row?.sla_clocks ?? initialSlaClocks;
  folded.row.sla_clocks = evolveSlaClocks(clocksBefore, event);
  let alert: AlertRow | null = null;
  if (event.type === 'SlaWarning' || event.type === 'SlaBreached') {
    const warning = event.type === 'SlaWarning';
    if (warning) folded.row.sla_warnings += 1;
    else folded.row.sla_breaches += 1;
    alert = {
      event_id: eventId,
      thread_id: event.data.threadId,
      kind: warning ? 'warning' : 'breach',
      metric: event.data.metric,
      cycle: event.data.cycle,
      priority: clocksBefore.priority,
      occurred_at: event.data.occurredAt,
    };
  }
  return { ...folded, alert };
}

function foldThread(row: ReportRow | undefined, event: ThreadEvent): Omit<ReportFold, 'alert'> | undefined {
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
        sla_clocks: initialSlaClocks,
        ...noSla,
        sla_warnings: 0,
        sla_breaches: 0,
        csat_offered: 0,
        csat_rating: null,
        csat_score: null,
        csat_comment: null,
        csat_rated_at: null,
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
    case 'SatisfactionSurveyOffered':
      next.csat_offered = row.csat_offered + 1;
      break;
    case 'SatisfactionRated': {
      // the latest answer counts, whichever survey it answers
      const rating = event.data.rating;
      next.csat_rating = String(rating);
      next.csat_score = typeof rating === 'number' ? rating : null;
      next.csat_comment = event.data.comment;
      next.csat_rated_at = at;
      break;
    }
    case 'AttachmentErased':
    case 'SlaPolicyApplied':
    case 'SlaWarning':
    case 'SlaBreached':
      break;
    default: {
      const unknown: never = event;
      return unknown;
    }
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
