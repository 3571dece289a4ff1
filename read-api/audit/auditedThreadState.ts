import { awaitingOf, type Author, type Awaiting, type ThreadState } from '../../domain/index.js';

/**
 * A thread's state as auditors read it (the history's `stateAsOf.state`, the ops CLI, the web
 * audit page). Its shape is a published one: flat assignee fields and who the thread waits for,
 * in this key order, whatever shape the domain keeps its state in.
 */
export type AuditedThreadState =
  | { status: 'EMPTY' }
  | {
      status: 'OPEN' | 'PENDING' | 'RESOLVED' | 'CLOSED';
      awaiting: Awaiting;
      threadId: string;
      assignmentId: string;
      assignmentReference: string;
      partnerOrgId: string;
      queryType: string;
      priority: string;
      subject: string;
      assigneeId: string | null;
      assigneeName: string | null;
      raisedAt: string;
      raisedBy: Author;
      firstResponseAt: string | null;
      firstResolvedAt: string | null;
      resolvedAt: string | null;
      closedAt: string | null;
      messageCount: number;
      lastMessageAt: string;
    };

export function auditedThreadState(state: ThreadState): AuditedThreadState {
  if (state.status === 'EMPTY') return { status: 'EMPTY' };
  return {
    status: state.status,
    awaiting: awaitingOf(state.status),
    threadId: state.threadId,
    assignmentId: state.assignmentId,
    assignmentReference: state.assignmentReference,
    partnerOrgId: state.partnerOrgId,
    queryType: state.queryType,
    priority: state.priority,
    subject: state.subject,
    assigneeId: state.assignee?.id ?? null,
    assigneeName: state.assignee?.name ?? null,
    raisedAt: state.raisedAt,
    raisedBy: state.raisedBy,
    firstResponseAt: state.firstResponseAt,
    firstResolvedAt: state.firstResolvedAt,
    resolvedAt: state.resolvedAt,
    closedAt: state.closedAt,
    messageCount: state.messageCount,
    lastMessageAt: state.lastMessageAt,
  };
}
