import { randomUUID } from 'node:crypto';
import {
  domainEventDefinitions,
  threadStreamName,
  type Author,
  type Priority,
  type QueryType,
  type SlaMetric,
  type SlaSnapshot,
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
  | { kind: 'priority'; minutes: number; to: Priority }
  | { kind: 'warning' | 'breach'; minutes: number; metric: SlaMetric; cycle?: number }
  | { kind: 'reapply'; minutes: number; snapshot: SlaSnapshot | null }
  | { kind: 'offerSurvey'; minutes: number; scale: 'three' | 'five' }
  | { kind: 'rate'; minutes: number; rating: 'good' | 'okay' | 'bad' | 1 | 2 | 3 | 4 | 5; comment?: string };

const week = (open: { start: string; end: string }[]) => ({
  mon: open,
  tue: open,
  wed: open,
  thu: open,
  fri: open,
  sat: [],
  sun: [],
});

/** A policy snapshot: office hours (Monday to Friday, 09:00 to 17:00 UTC) or always open; these targets for every priority. */
export function slaSnapshot(
  options: { alwaysOpen?: boolean; firstResponse?: number; nextResponse?: number; resolution?: number } = {},
): SlaSnapshot {
  const targets = {
    firstResponseMinutes: options.firstResponse ?? 60,
    nextResponseMinutes: options.nextResponse ?? 60,
    resolutionMinutes: options.resolution ?? 240,
  };
  return {
    policy: {
      policyId: '7d1f3c2a-4b5e-4f60-8a71-92b3c4d5e6f7',
      version: 1,
      name: 'Office hours',
      targets: { LOW: targets, MEDIUM: targets, HIGH: targets, URGENT: targets },
      warnBeforeMinutes: 30,
    },
    calendar: {
      calendarId: '1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d',
      version: options.alwaysOpen ? 2 : 1,
      name: options.alwaysOpen ? 'Always open' : 'London office',
      timeZone: 'UTC',
      alwaysOpen: options.alwaysOpen ?? false,
      week: week([{ start: '09:00', end: '17:00' }]),
      holidays: [],
    },
  };
}

export interface ThreadStory {
  threadId?: string;
  raisedAt: Date;
  partnerOrgId?: string;
  queryType?: QueryType;
  priority?: Priority;
  /** The policy applied with the raise (none: no service level). */
  sla?: SlaSnapshot;
  /** Minutes after the raise. */
  steps?: Step[];
}

export function storyEvents(story: ThreadStory): ThreadEvent[] {
  const threadId = story.threadId ?? randomUUID();
  const at = (minutes: number) => new Date(story.raisedAt.getTime() + minutes * 60_000).toISOString();
  let status: ThreadStatus = 'OPEN';
  let priority: Priority = story.priority ?? 'MEDIUM';
  let assignee: string | null = null;
  let surveyId = randomUUID();
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
  if (story.sla) {
    events.push({
      type: 'SlaPolicyApplied',
      data: { threadId, snapshot: story.sla, reason: 'raised', by: partnerAuthor, occurredAt: at(0) },
    });
  }
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
      case 'warning':
      case 'breach':
        events.push({
          type: step.kind === 'warning' ? 'SlaWarning' : 'SlaBreached',
          data: {
            threadId,
            metric: step.metric,
            cycle: step.cycle ?? 0,
            dueAt: occurredAt,
            policyId: story.sla?.policy.policyId ?? '7d1f3c2a-4b5e-4f60-8a71-92b3c4d5e6f7',
            policyVersion: 1,
            by: { kind: 'system', id: 'sla-scheduler', name: 'Support desk' },
            occurredAt,
          },
        });
        break;
      case 'offerSurvey':
        surveyId = randomUUID();
        events.push({
          type: 'SatisfactionSurveyOffered',
          data: {
            threadId,
            surveyId,
            tokenSeed: 'A'.repeat(22),
            tokenHash: 'a'.repeat(64),
            recipient: { kind: 'partner', id: partnerAuthor.id, name: partnerAuthor.name },
            scale: step.scale,
            expiresAt: at(step.minutes + 14 * 24 * 60),
            by: agentAuthor,
            occurredAt,
          },
        });
        break;
      case 'rate':
        events.push({
          type: 'SatisfactionRated',
          data: {
            threadId,
            surveyId,
            rating: step.rating,
            comment: step.comment ?? null,
            by: partnerAuthor,
            occurredAt,
          },
        });
        break;
      case 'reapply':
        events.push({
          type: 'SlaPolicyApplied',
          data: { threadId, snapshot: step.snapshot, reason: 'reapplied', by: agentAuthor, occurredAt },
        });
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
  return { threadId, position: await appendThreadEvents(store, threadId, events, 'no_stream') };
}

/** Appends events to a thread's stream as the desk would have; answers the log position after them. */
export async function appendThreadEvents(
  store: EventStore,
  threadId: string,
  events: ThreadEvent[],
  expected: 'no_stream' | 'exists' = 'exists',
): Promise<Position> {
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
    { expected },
  );
  return result.position;
}
