import type { Author } from '../shared.js';
import { unreachable } from '../shared.js';
import type { ThreadEvent } from './events.js';
import { evolveSurveys, type SatisfactionSurvey } from './satisfaction.js';
import type { Priority, QueryType, ThreadStatus } from './vocabulary.js';
import { evolveSlaClocks, initialSlaClocks, type SlaClocks } from '../serviceLevel/clocks.js';

/** The staff member a thread is assigned to; the name is null when it was not known at the time. */
export interface Assignee {
  id: string;
  name: string | null;
}

/**
 * What every raised thread knows, whatever its status. Times are ISO strings. Who the thread
 * waits for is not stored: it follows from the status (`awaitingOf`).
 */
export interface ThreadFacts {
  threadId: string;
  assignmentId: string;
  assignmentReference: string;
  partnerOrgId: string;
  queryType: QueryType;
  priority: Priority;
  subject: string;
  /** null while nobody is assigned. */
  assignee: Assignee | null;
  raisedAt: string;
  raisedBy: Author;
  /** The first staff external reply; never changes after. */
  firstResponseAt: string | null;
  /** The first resolution; never cleared. */
  firstResolvedAt: string | null;
  /** External messages and internal notes, the query's own body included. */
  messageCount: number;
  lastMessageAt: string;
  /** Every file its messages carried, by attachment id (an admin's erase names one). */
  attachments: Readonly<Record<string, ThreadAttachment>>;
  /** The service-level clocks (domain/serviceLevel/clocks.ts): what the scheduler's alerts are decided on. */
  sla: SlaClocks;
  /** The satisfaction surveys its resolutions offered, by survey id (each resolution offers one). */
  surveys: Readonly<Record<string, SatisfactionSurvey>>;
}

/** A file of one of the thread's messages, as far as the thread's rules need it. */
export interface ThreadAttachment {
  messageId: string;
  sha256: string;
  visibility: 'external' | 'internal';
  erased: boolean;
}

function attachmentsOf(
  refs: readonly { attachmentId: string; sha256: string }[],
  messageId: string,
  visibility: 'external' | 'internal',
): Record<string, ThreadAttachment> {
  return Object.fromEntries(
    refs.map((ref) => [ref.attachmentId, { messageId, sha256: ref.sha256, visibility, erased: false }]),
  );
}

export interface EmptyThread {
  status: 'EMPTY';
}
export interface OpenThread extends ThreadFacts {
  status: 'OPEN';
  resolvedAt: null;
  closedAt: null;
}
export interface PendingThread extends ThreadFacts {
  status: 'PENDING';
  resolvedAt: null;
  closedAt: null;
}
export interface ResolvedThread extends ThreadFacts {
  status: 'RESOLVED';
  /** The latest resolution; cleared when the thread opens again. */
  resolvedAt: string;
  closedAt: null;
}
export interface ClosedThread extends ThreadFacts {
  status: 'CLOSED';
  /** Kept when a resolved thread is closed; null when it was closed unresolved. */
  resolvedAt: string | null;
  closedAt: string;
}

export type RaisedThread = OpenThread | PendingThread | ResolvedThread | ClosedThread;
export type ThreadState = EmptyThread | RaisedThread;

export const initialThreadState: ThreadState = Object.freeze({ status: 'EMPTY' });

export function evolveThread(state: ThreadState, event: ThreadEvent): ThreadState {
  const next = evolveFacts(state, event);
  if (next.status === 'EMPTY') return next;
  const sla = evolveSlaClocks(next.sla, event);
  return sla === next.sla ? next : { ...next, sla };
}

function evolveFacts(state: ThreadState, event: ThreadEvent): ThreadState {
  const { type, data } = event;
  if (type === 'QueryRaised') {
    if (state.status !== 'EMPTY') return state;
    return {
      status: 'OPEN',
      threadId: data.threadId,
      assignmentId: data.assignmentId,
      assignmentReference: data.assignmentReference,
      partnerOrgId: data.partnerOrgId,
      queryType: data.queryType,
      priority: data.priority,
      subject: data.subject,
      assignee: null,
      raisedAt: data.occurredAt,
      raisedBy: data.by,
      firstResponseAt: null,
      firstResolvedAt: null,
      resolvedAt: null,
      closedAt: null,
      messageCount: 1,
      lastMessageAt: data.occurredAt,
      attachments: attachmentsOf(data.attachments, data.messageId, 'external'),
      sla: initialSlaClocks,
      surveys: {},
    };
  }
  // Every other event needs a raised thread; a stray one changes nothing.
  if (state.status === 'EMPTY') return state;
  switch (type) {
    case 'MessagePosted': {
      const isFirstResponse =
        state.firstResponseAt === null && data.by.kind === 'staff' && data.visibility === 'external';
      const counted: RaisedThread = {
        ...state,
        messageCount: state.messageCount + 1,
        lastMessageAt: data.occurredAt,
        firstResponseAt: isFirstResponse ? data.occurredAt : state.firstResponseAt,
        attachments: data.attachments.length
          ? { ...state.attachments, ...attachmentsOf(data.attachments, data.messageId, data.visibility) }
          : state.attachments,
      };
      return moveTo(counted, data.statusAfter, data.occurredAt);
    }
    case 'ThreadAssigned':
      return {
        ...state,
        assignee: data.assigneeId === null ? null : { id: data.assigneeId, name: data.assigneeName },
      };
    case 'PriorityChanged':
      return { ...state, priority: data.to };
    case 'ThreadResolved':
      return moveTo(state, 'RESOLVED', data.occurredAt);
    case 'ThreadClosed':
      return moveTo(state, 'CLOSED', data.occurredAt);
    case 'ThreadReopened':
      return moveTo(state, 'OPEN', data.occurredAt);
    case 'AttachmentErased': {
      const file = state.attachments[data.attachmentId];
      if (!file) return state;
      return { ...state, attachments: { ...state.attachments, [data.attachmentId]: { ...file, erased: true } } };
    }
    case 'SlaPolicyApplied':
    case 'SlaWarning':
    case 'SlaBreached':
      return state;
    case 'SatisfactionSurveyOffered':
    case 'SatisfactionRated':
      return { ...state, surveys: evolveSurveys(state.surveys, event) };
    default:
      return unreachable(type);
  }
}

/** The one place that builds each status's shape, so no state can be half-moved. */
function moveTo(state: RaisedThread, status: ThreadStatus, at: string): RaisedThread {
  if (status === state.status) return state;
  switch (status) {
    case 'OPEN':
      return { ...state, status, resolvedAt: null, closedAt: null };
    case 'PENDING':
      return { ...state, status, resolvedAt: null, closedAt: null };
    case 'RESOLVED':
      return {
        ...state,
        status,
        resolvedAt: at,
        closedAt: null,
        firstResolvedAt: state.firstResolvedAt ?? at,
      };
    case 'CLOSED':
      return { ...state, status, closedAt: at };
    default:
      return unreachable(status);
  }
}
