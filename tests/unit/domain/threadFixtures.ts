import type {
  Author,
  MessagePosted,
  MessageVisibility,
  QueryRaised,
  ThreadClosed,
  ThreadEvent,
  ThreadReopened,
  ThreadResolved,
  ThreadStatus,
} from '../../../domain/index.js';
import { threadDecider } from '../../../domain/index.js';
import { iso, partner, staff } from './fixtures.js';
import { specFor } from './spec.js';

export const threadSpec = specFor(threadDecider);

export const threadId = '5b1c0a52-8f3e-4c1d-9a57-2f6d7c1e9b30';
export const otherThreadId = '0e6f4a8b-1c2d-4e3f-8a9b-7c6d5e4f3a21';
export const firstMessageId = '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d';

export function messageId(n: number): string {
  return `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
}

export const raiseQueryData = {
  threadId,
  messageId: firstMessageId,
  assignmentId: 'asg-1042',
  assignmentReference: 'ASG-1042',
  partnerOrgId: 'org-7',
  queryType: 'DOCUMENTS',
  priority: 'HIGH',
  subject: 'Missing delivery note',
  body: 'The delivery note for ASG-1042 is not in the portal.',
} as const;

export function queryRaised(author: Author = partner, minutes = 0): QueryRaised {
  return {
    type: 'QueryRaised',
    data: { ...raiseQueryData, by: author, occurredAt: iso(minutes), followUpOf: null, attachments: [] },
  };
}

export function messagePosted(
  n: number,
  author: Author,
  visibility: MessageVisibility,
  statusBefore: ThreadStatus,
  statusAfter: ThreadStatus,
  minutes = n,
): MessagePosted {
  return {
    type: 'MessagePosted',
    data: {
      threadId,
      messageId: messageId(n),
      body: `message ${n}`,
      visibility,
      by: author,
      occurredAt: iso(minutes),
      statusBefore,
      statusAfter,
      attachments: [],
    },
  };
}

export function threadResolved(statusBefore: ThreadStatus, minutes: number, author: Author = staff): ThreadResolved {
  return { type: 'ThreadResolved', data: { threadId, statusBefore, by: author, occurredAt: iso(minutes) } };
}

export function threadClosed(statusBefore: ThreadStatus, minutes: number, author: Author = staff): ThreadClosed {
  return { type: 'ThreadClosed', data: { threadId, statusBefore, by: author, occurredAt: iso(minutes) } };
}

export function threadReopened(statusBefore: ThreadStatus, minutes: number, author: Author = staff): ThreadReopened {
  return { type: 'ThreadReopened', data: { threadId, statusBefore, by: author, occurredAt: iso(minutes) } };
}

/** Histories that leave the thread in each status. */
export const historyFor: Record<ThreadStatus, ThreadEvent[]> = {
  OPEN: [queryRaised()],
  PENDING: [queryRaised(), messagePosted(1, staff, 'external', 'OPEN', 'PENDING')],
  RESOLVED: [queryRaised(), threadResolved('OPEN', 5)],
  CLOSED: [queryRaised(), threadClosed('OPEN', 5)],
};
