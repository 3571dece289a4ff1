import { randomUUID } from 'node:crypto';
import {
  domainEventDefinitions,
  threadStreamName,
  type Author,
  type Priority,
  type QueryType,
  type ThreadEvent,
  type ThreadStatus,
} from '../../domain/index.js';
import type { EventStore, Position } from '../../eventstore/port.js';

/**
 * Threads told as stories for the reports' tests: what happened to a thread and when, turned into
 * the events the desk would have appended (statuses before and after worked out as the decider does).
 */

export const partnerAuthor: Author = { kind: 'partner', id: 'partner-1', name: 'Pat Partner' };
export const agentAuthor: Author = { kind: 'staff', id: 'agent-1', name: 'Alex Agent' };

export type Step =
  | { kind: 'reply' | 'note' | 'partnerMessage' | 'resolve' | 'close' | 'reopen'; minutes: number }
  | { kind: 'assign'; minutes: number; assigneeId: string | null; assigneeName: string | null }
  | { kind: 'priority'; minutes: number; to: Priority };

export interface ThreadStory {
  threadId?: string;
  raisedAt: Date;
  partnerOrgId?: string;
  queryType?: QueryType;
  priority?: Priority;
  /** Minutes after the raise. */
  steps?: Step[];
}

export function storyEvents(story: ThreadStory): ThreadEvent[] {
  const threadId = story.threadId ?? randomUUID();
  const at = (minutes: number) => new Date(story.raisedAt.getTime() + minutes * 60_000).toISOString();
  let status: ThreadStatus = 'OPEN';
  let priority: Priority = story.priority ?? 'MEDIUM';
  let assignee: string | null = null;
  const events: ThreadEvent[] = [
    {
      type: 'QueryRaised',
      data: {
        threadId,
        messageId: randomUUID(),
        assignmentId: 'asg-1001',
        assignmentReference: 'A-1001',
        partnerOrgId: story.partnerOrgId ?? 'acme',
        queryType: story.queryType ?? 'PAYMENT',
        priority,
        subject: 'A query for the reports',
        body: 'Please look into it.',
        by: partnerAuthor,
        occurredAt: at(0),
        followUpOf: null,
        attachments: [],
      },
    },
  ];
  for (const step of story.steps ?? []) {
    const occurredAt = at(step.minutes);
    const statusBefore = status;
    const message = (by: Author, visibility: 'external' | 'internal', statusAfter: ThreadStatus): ThreadEvent => ({
      type: 'MessagePosted',
      data: {
        threadId,
        messageId: randomUUID(),
        body: 'a message',
        visibility,
        by,
        occurredAt,
        statusBefore,
        statusAfter,
        attachments: [],
      },
    });
    switch (step.kind) {
      case 'reply':
        status = status === 'CLOSED' ? status : 'PENDING';
        events.push(message(agentAuthor, 'external', status));
        break;
      case 'note':
        events.push(message(agentAuthor, 'internal', status));
        break;
      case 'partnerMessage':
        status = 'OPEN';
        events.push(message(partnerAuthor, 'external', status));
        break;
      case 'resolve':
        status = 'RESOLVED';
        events.push({ type: 'ThreadResolved', data: { threadId, statusBefore, by: agentAuthor, occurredAt } });
        break;
      case 'close':
        status = 'CLOSED';
        events.push({ type: 'ThreadClosed', data: { threadId, statusBefore, by: agentAuthor, occurredAt } });
        break;
      case 'reopen':
        status = 'OPEN';
        events.push({ type: 'ThreadReopened', data: { threadId, statusBefore, by: agentAuthor, occurredAt } });
        break;
      case 'assign':
        events.push({
          type: 'ThreadAssigned',
          data: {
            threadId,
            assigneeId: step.assigneeId,
            assigneeName: step.assigneeName,
            previousAssigneeId: assignee,
            by: agentAuthor,
            occurredAt,
          },
        });
        assignee = step.assigneeId;
        break;
      case 'priority':
        events.push({
          type: 'PriorityChanged',
          data: { threadId, from: priority, to: step.to, by: agentAuthor, occurredAt },
        });
        priority = step.to;
        break;
    }
  }
  return events;
}

/** Appends a story's events to its thread's stream; answers the thread id and the log position after them. */
export async function appendStory(
  store: EventStore,
  story: ThreadStory,
): Promise<{ threadId: string; position: Position }> {
  const events = storyEvents(story);
  const threadId = events[0]!.data.threadId;
  const result = await store.append(
    threadStreamName(threadId),
    events.map((e) => ({
      id: randomUUID(),
      type: e.type,
      data: e.data as never,
      metadata: {
        actor: { type: 'system', id: 'reports-test' },
        schemaVersion: domainEventDefinitions[e.type].version,
      },
    })),
    { expected: 'no_stream' },
  );
  return { threadId, position: result.position };
}
