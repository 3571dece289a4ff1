import { DomainError, type Author, requireAuthor, unreachable } from '../shared.js';
import type {
  ThreadCommand,
  RaiseQuery,
  PostMessage,
  Assign,
  ChangePriority,
  Resolve,
  Close,
  Reopen,
  EraseAttachment,
  ApplySlaPolicy,
  RecordSlaAlerts,
  RateSatisfaction,
} from './commands.js';
import { dueSlaAlerts } from '../serviceLevel/clocks.js';
import { slaSnapshotKey } from '../serviceLevel/events.js';
import type {
  AttachmentErased,
  AttachmentRef,
  MessagePosted,
  PriorityChanged,
  QueryRaised,
  ThreadAssigned,
  ThreadClosed,
  ThreadEvent,
  ThreadReopened,
  ThreadResolved,
  SlaPolicyApplied,
  SlaWarning,
  SlaBreached,
} from './events.js';
import {
  ratingFitsScale,
  ratingsOf,
  surveyByTokenHash,
  surveyIsOpen,
  type SatisfactionRated,
  type SatisfactionSurveyOffered,
} from './satisfaction.js';
import type { RaisedThread, ThreadState } from './state.js';
import { ATTACHMENTS_PER_MESSAGE_MAX, type ThreadStatus } from './vocabulary.js';

const staffOrSystem = ['staff', 'system'] as const;

export function raiseQuery(command: RaiseQuery, state: ThreadState): (QueryRaised | SlaPolicyApplied)[] {
  const { author, now } = command.metadata;
  requireAuthor(author, ['partner', 'guest', 'staff'], 'raise a query');
  const { data } = command;
  if (state.status !== 'EMPTY') {
    throw new DomainError('conflict', 'thread_exists', `thread ${data.threadId} already exists`);
  }
  // a follow-up continues another thread; that one's being closed is the caller's to check (its own stream)
  if (data.followUpOf === data.threadId) {
    throw new DomainError('rule', 'invalid_command', `thread ${data.threadId} cannot follow up itself`, {
      issues: [{ path: 'followUpOf', message: 'must be another thread' }],
    });
  }
  return [
    {
      type: 'QueryRaised',
      data: {
        threadId: data.threadId,
        messageId: data.messageId,
        assignmentId: data.assignmentId,
        assignmentReference: data.assignmentReference,
        partnerOrgId: data.partnerOrgId,
        queryType: data.queryType,
        priority: data.priority,
        subject: data.subject,
        body: data.body,
        by: author,
        occurredAt: now.toISOString(),
        followUpOf: data.followUpOf ?? null,
        attachments: newFiles(data.attachments, undefined),
      },
    },
    ...(data.slaSnapshot
      ? [
          {
            type: 'SlaPolicyApplied' as const,
            data: {
              threadId: data.threadId,
              snapshot: data.slaSnapshot,
              reason: 'raised' as const,
              by: author,
              occurredAt: now.toISOString(),
            },
          },
        ]
      : []),
  ];
}

/** The files a new message carries: at most the limit, none named twice, none the thread already has. */
function newFiles(files: readonly AttachmentRef[] | undefined, thread: RaisedThread | undefined): AttachmentRef[] {
  const list = files ?? [];
  if (list.length > ATTACHMENTS_PER_MESSAGE_MAX) {
    throw new DomainError('rule', 'invalid_command', `at most ${ATTACHMENTS_PER_MESSAGE_MAX} files a message`, {
      issues: [{ path: 'attachmentIds', message: `at most ${ATTACHMENTS_PER_MESSAGE_MAX} files a message` }],
    });
  }
  const seen = new Set<string>();
  list.forEach((file, i) => {
    if (seen.has(file.attachmentId) || thread?.attachments[file.attachmentId]) {
      throw new DomainError('rule', 'attachment_already_posted', `file ${file.attachmentId} is already posted`, {
        issues: [{ path: `attachmentIds.${i}`, message: 'is already on a message' }],
      });
    }
    seen.add(file.attachmentId);
  });
  return list.map((file) => ({ ...file }));
}

export function postMessage(command: PostMessage, state: ThreadState): MessagePosted[] {
  const { author, now } = command.metadata;
  const { data } = command;
  const thread = existing(state, data.threadId);
  const internal = data.visibility === 'internal';
  if (internal && author.kind !== 'staff' && author.kind !== 'system') {
    throw new DomainError('forbidden', 'internal_note_by_non_staff', 'only staff may add internal notes');
  }
  if (!internal && author.kind === 'system') {
    throw new DomainError('forbidden', 'author_not_allowed', 'the system posts internal notes only');
  }
  // The system's notes (e.g. "could not email X") are the one thing a closed thread still takes.
  if (thread.status === 'CLOSED' && !(internal && author.kind === 'system')) {
    throw new DomainError('rule', 'thread_closed', `thread ${thread.threadId} is closed and takes no messages`);
  }
  return [
    {
      type: 'MessagePosted',
      data: {
        threadId: thread.threadId,
        messageId: data.messageId,
        body: data.body,
        visibility: data.visibility,
        by: author,
        occurredAt: now.toISOString(),
        statusBefore: thread.status,
        statusAfter: statusAfterMessage(thread.status, author, internal),
        attachments: newFiles(data.attachments, thread),
      },
    },
  ];
}

/** Staff replies wait for the partner; partner and guest messages wait for staff (also reopening a resolved thread). */
function statusAfterMessage(status: ThreadStatus, author: Author, internal: boolean): ThreadStatus {
  if (internal || status === 'CLOSED') return status;
  return author.kind === 'staff' ? 'PENDING' : 'OPEN';
}

export function assign(command: Assign, state: ThreadState): ThreadAssigned[] {
  const { author, now } = command.metadata;
  requireAuthor(author, staffOrSystem, 'assign a thread');
  const { data } = command;
  const thread = existing(state, data.threadId);
  const previousAssigneeId = thread.assignee?.id ?? null;
  if (data.assigneeId === previousAssigneeId) return [];
  return [
    {
      type: 'ThreadAssigned',
      data: {
        threadId: thread.threadId,
        assigneeId: data.assigneeId,
        assigneeName: data.assigneeId === null ? null : data.assigneeName || null,
        previousAssigneeId,
        by: author,
        occurredAt: now.toISOString(),
      },
    },
  ];
}

export function changePriority(command: ChangePriority, state: ThreadState): PriorityChanged[] {
  const { author, now } = command.metadata;
  requireAuthor(author, staffOrSystem, 'change a thread’s priority');
  const { data } = command;
  const thread = existing(state, data.threadId);
  if (data.priority === thread.priority) return [];
  return [
    {
      type: 'PriorityChanged',
      data: {
        threadId: thread.threadId,
        from: thread.priority,
        to: data.priority,
        by: author,
        occurredAt: now.toISOString(),
      },
    },
  ];
}

export function resolve(command: Resolve, state: ThreadState): (ThreadResolved | SatisfactionSurveyOffered)[] {
  const { author, now } = command.metadata;
  requireAuthor(author, staffOrSystem, 'resolve a thread');
  const { threadId, survey } = command.data;
  const thread = existing(state, threadId);
  if (thread.status !== 'OPEN' && thread.status !== 'PENDING') throw invalidTransition(thread, 'RESOLVED');
  const occurredAt = now.toISOString();
  const resolved: ThreadResolved = {
    type: 'ThreadResolved',
    data: { threadId: thread.threadId, statusBefore: thread.status, by: author, occurredAt },
  };
  // the survey asks whoever raised the thread; a query staff raised for someone asks nobody
  const raiser = thread.raisedBy;
  if (!survey || (raiser.kind !== 'partner' && raiser.kind !== 'guest')) return [resolved];
  if (thread.surveys[survey.surveyId]) {
    throw new DomainError('conflict', 'invalid_command', `survey ${survey.surveyId} was offered before`, {
      issues: [{ path: 'survey.surveyId', message: 'is already a survey of this thread' }],
    });
  }
  if (Date.parse(survey.expiresAt) <= now.getTime()) {
    throw new DomainError('rule', 'invalid_command', 'a survey must expire after it is offered', {
      issues: [{ path: 'survey.expiresAt', message: 'must be later than now' }],
    });
  }
  const offered: SatisfactionSurveyOffered = {
    type: 'SatisfactionSurveyOffered',
    data: {
      threadId: thread.threadId,
      surveyId: survey.surveyId,
      tokenSeed: survey.tokenSeed,
      tokenHash: survey.tokenHash,
      recipient: { kind: raiser.kind, id: raiser.id, name: raiser.name },
      scale: survey.scale,
      expiresAt: survey.expiresAt,
      by: author,
      occurredAt,
    },
  };
  return [resolved, offered];
}

/**
 * The raiser's answer to a survey, found by its token's hash. Until the survey expires it may be
 * answered again (the latest counts); the same answer again changes nothing. The rating must be
 * one of the survey's own scale. A closed thread's survey still takes answers until it expires.
 */
export function rateSatisfaction(command: RateSatisfaction, state: ThreadState): SatisfactionRated[] {
  const { author, now } = command.metadata;
  const { data } = command;
  const thread = existing(state, data.threadId);
  const survey = surveyByTokenHash(thread.surveys, data.tokenHash);
  if (!survey)
    throw new DomainError('not_found', 'survey_not_found', `no survey of thread ${thread.threadId} has that token`);
  // only the person asked answers: the edge speaks for the link's holder as the survey's recipient
  if (author.kind !== survey.recipient.kind || author.id !== survey.recipient.id) {
    throw new DomainError('forbidden', 'author_not_allowed', `a ${author.kind} may not answer another person's survey`);
  }
  if (!surveyIsOpen(survey, now)) {
    throw new DomainError('rule', 'survey_expired', `survey ${survey.surveyId} expired at ${survey.expiresAt}`);
  }
  if (!ratingFitsScale(data.rating, survey.scale)) {
    const allowed = ratingsOf(survey.scale).map(String).join(', ');
    throw new DomainError('rule', 'invalid_command', `rating ${String(data.rating)} is not on the survey's scale`, {
      issues: [{ path: 'rating', message: `must be one of ${allowed}` }],
    });
  }
  // omitted: the comment given before stays (a one-click rating keeps what was written)
  const comment = data.comment === undefined ? survey.comment : data.comment;
  if (survey.rating === data.rating && survey.comment === comment) return [];
  return [
    {
      type: 'SatisfactionRated',
      data: {
        threadId: thread.threadId,
        surveyId: survey.surveyId,
        rating: data.rating,
        comment,
        by: { kind: survey.recipient.kind, id: survey.recipient.id, name: survey.recipient.name },
        occurredAt: now.toISOString(),
      },
    },
  ];
}

export function close(command: Close, state: ThreadState): ThreadClosed[] {
  const { author, now } = command.metadata;
  requireAuthor(author, staffOrSystem, 'close a thread');
  const { threadId } = command.data;
  const thread = existing(state, threadId);
  if (thread.status === 'CLOSED') throw invalidTransition(thread, 'CLOSED');
  return [
    {
      type: 'ThreadClosed',
      data: { threadId: thread.threadId, statusBefore: thread.status, by: author, occurredAt: now.toISOString() },
    },
  ];
}

export function reopen(command: Reopen, state: ThreadState): ThreadReopened[] {
  const { author, now } = command.metadata;
  requireAuthor(author, staffOrSystem, 'reopen a thread');
  const { threadId } = command.data;
  const thread = existing(state, threadId);
  if (thread.status !== 'RESOLVED' && thread.status !== 'CLOSED') throw invalidTransition(thread, 'OPEN');
  return [
    {
      type: 'ThreadReopened',
      data: { threadId: thread.threadId, statusBefore: thread.status, by: author, occurredAt: now.toISOString() },
    },
  ];
}

/**
 * An admin's erase of a file's bytes: recorded with its reason, its hash kept. Erasing an erased
 * file changes nothing (the command may be repeated). A closed thread's files can be erased too:
 * erasing is about the data, not the conversation.
 */
export function eraseAttachment(command: EraseAttachment, state: ThreadState): AttachmentErased[] {
  const { author, now } = command.metadata;
  requireAuthor(author, ['staff'], 'erase a file');
  const { data } = command;
  const thread = existing(state, data.threadId);
  const file = thread.attachments[data.attachmentId];
  if (!file) {
    throw new DomainError('not_found', 'attachment_not_found', `file ${data.attachmentId} is not on this thread`);
  }
  if (file.erased) return [];
  return [
    {
      type: 'AttachmentErased',
      data: {
        threadId: thread.threadId,
        messageId: file.messageId,
        attachmentId: data.attachmentId,
        sha256: file.sha256,
        visibility: file.visibility,
        reason: data.reason,
        by: author,
        occurredAt: now.toISOString(),
      },
    },
  ];
}

/** An admin's re-apply: recorded when it changes the policy or its version (the clocks are recomputed on it); the same version again records nothing. */
export function applySlaPolicy(command: ApplySlaPolicy, state: ThreadState): SlaPolicyApplied[] {
  const { author, now } = command.metadata;
  requireAuthor(author, staffOrSystem, 'apply a service-level policy');
  const thread = existing(state, command.data.threadId);
  const { snapshot } = command.data;
  const current = thread.sla.snapshot;
  // nothing applied and nothing matches: nothing to record
  if (snapshot === null && current === null) return [];
  if (snapshot !== null && current !== null && slaSnapshotKey(snapshot) === slaSnapshotKey(current)) return [];
  return [
    {
      type: 'SlaPolicyApplied',
      data: { threadId: thread.threadId, snapshot, reason: 'reapplied', by: author, occurredAt: now.toISOString() },
    },
  ];
}

/**
 * The scheduler's command: the warnings and breaches due now, decided on the thread's own events
 * (the scheduler's read model only says when to ask). Nothing when a reply stopped the clock or a
 * change moved its deadline; never the same alert twice.
 */
export function recordSlaAlerts(command: RecordSlaAlerts, state: ThreadState): (SlaWarning | SlaBreached)[] {
  const { author, now } = command.metadata;
  requireAuthor(author, ['system'], 'record service-level alerts');
  const thread = existing(state, command.data.threadId);
  const snapshot = thread.sla.snapshot;
  if (!snapshot) return [];
  return dueSlaAlerts(thread.sla, now).map((alert) => ({
    type: alert.kind === 'breach' ? ('SlaBreached' as const) : ('SlaWarning' as const),
    data: {
      threadId: thread.threadId,
      metric: alert.metric,
      cycle: alert.cycle,
      dueAt: alert.dueAt,
      policyId: snapshot.policy.policyId,
      policyVersion: snapshot.policy.version,
      by: author,
      occurredAt: now.toISOString(),
    },
  }));
}

function existing(state: ThreadState, threadId: string): RaisedThread {
  if (state.status === 'EMPTY' || state.threadId !== threadId) {
    throw new DomainError('not_found', 'thread_not_found', `thread ${threadId} not found`);
  }
  return state;
}

function invalidTransition(thread: RaisedThread, to: ThreadStatus): DomainError {
  return new DomainError(
    'rule',
    'invalid_transition',
    `thread ${thread.threadId} cannot go from ${thread.status} to ${to}`,
    { from: thread.status, to },
  );
}

export function decideThread(command: ThreadCommand, state: ThreadState): ThreadEvent[] {
  const { type } = command;
  switch (type) {
    case 'RaiseQuery':
      return raiseQuery(command, state);
    case 'PostMessage':
      return postMessage(command, state);
    case 'Assign':
      return assign(command, state);
    case 'ChangePriority':
      return changePriority(command, state);
    case 'Resolve':
      return resolve(command, state);
    case 'Close':
      return close(command, state);
    case 'Reopen':
      return reopen(command, state);
    case 'EraseAttachment':
      return eraseAttachment(command, state);
    case 'ApplySlaPolicy':
      return applySlaPolicy(command, state);
    case 'RecordSlaAlerts':
      return recordSlaAlerts(command, state);
    case 'RateSatisfaction':
      return rateSatisfaction(command, state);
    default:
      return unreachable(type);
  }
}
