import { describe, expect, it } from 'vitest';
import {
  awaitingOf,
  evolveThread,
  initialThreadState,
  type ThreadAssigned,
  type ThreadEvent,
  type ThreadState,
} from '../../../domain/index.js';
import { guest, iso, partner, staff, system } from './fixtures.js';
import {
  historyFor,
  messagePosted,
  queryRaised,
  threadClosed,
  threadReopened,
  threadId,
  threadResolved,
  threadSpec as spec,
} from './threadFixtures.js';

describe('thread state', () => {
  it('before anything, then it is EMPTY', () => {
    expect(spec.given([]).state()).toEqual({ status: 'EMPTY' });
  });

  it('when a query is raised, then it is OPEN, unassigned, with its first message counted', () => {
    expect(spec.given([queryRaised(partner, 0)]).state()).toEqual({
      status: 'OPEN',
      threadId: queryRaised().data.threadId,
      assignmentId: 'asg-1042',
      assignmentReference: 'ASG-1042',
      partnerOrgId: 'org-7',
      queryType: 'DOCUMENTS',
      priority: 'HIGH',
      subject: 'Missing delivery note',
      assignee: null,
      raisedAt: iso(0),
      raisedBy: partner,
      firstResponseAt: null,
      firstResolvedAt: null,
      resolvedAt: null,
      closedAt: null,
      messageCount: 1,
      lastMessageAt: iso(0),
      attachments: {},
      sla: expect.objectContaining({ status: 'OPEN', snapshot: null }),
      surveys: {},
    });
  });

  it.each([
    ['OPEN', 'staff'],
    ['PENDING', 'partner'],
    ['RESOLVED', null],
    ['CLOSED', null],
  ] as const)('when it is %s, then it awaits %s', (status, awaiting) => {
    const state = spec.given(historyFor[status]).state();
    expect(state.status).toBe(status);
    expect(awaitingOf(status)).toBe(awaiting);
    // who it waits for follows from the status: the state does not store it
    expect(state).not.toHaveProperty('awaiting');
  });

  it('assignment: one assignee with its id and name, or null once unassigned', () => {
    const assigned = (assigneeId: string | null, assigneeName: string | null, minutes: number): ThreadAssigned => ({
      type: 'ThreadAssigned',
      data: { threadId, assigneeId, assigneeName, previousAssigneeId: null, by: staff, occurredAt: iso(minutes) },
    });
    const history: ThreadEvent[] = [queryRaised(), assigned(staff.id, staff.name, 1)];
    expect(spec.given(history).state()).toMatchObject({ assignee: { id: staff.id, name: staff.name } });
    history.push(assigned('staff-9', null, 2));
    expect(spec.given(history).state()).toMatchObject({ assignee: { id: 'staff-9', name: null } });
    history.push(assigned(null, null, 3));
    expect(spec.given(history).state()).toMatchObject({ assignee: null });
    expect(spec.given(history).state()).not.toHaveProperty('assigneeId');
  });

  it('first response: the first staff external reply, never changed after', () => {
    const state = spec
      .given([
        queryRaised(),
        messagePosted(1, staff, 'internal', 'OPEN', 'OPEN'),
        messagePosted(2, partner, 'external', 'OPEN', 'OPEN'),
        messagePosted(3, staff, 'external', 'OPEN', 'PENDING'),
        messagePosted(4, partner, 'external', 'PENDING', 'OPEN'),
        messagePosted(5, staff, 'external', 'OPEN', 'PENDING'),
      ])
      .state();
    expect(state).toMatchObject({ status: 'PENDING', firstResponseAt: iso(3), messageCount: 6, lastMessageAt: iso(5) });
  });

  it('resolution: resolvedAt is the latest resolution, cleared on reopen; firstResolvedAt is never cleared', () => {
    const history: ThreadEvent[] = [queryRaised(), threadResolved('OPEN', 10)];
    expect(spec.given(history).state()).toMatchObject({
      status: 'RESOLVED',
      resolvedAt: iso(10),
      firstResolvedAt: iso(10),
    });

    history.push(threadReopened('RESOLVED', 20));
    expect(spec.given(history).state()).toMatchObject({ status: 'OPEN', resolvedAt: null, firstResolvedAt: iso(10) });

    history.push(threadResolved('OPEN', 30));
    expect(spec.given(history).state()).toMatchObject({ resolvedAt: iso(30), firstResolvedAt: iso(10) });

    history.push(messagePosted(40, guest, 'external', 'RESOLVED', 'OPEN'));
    expect(spec.given(history).state()).toMatchObject({ status: 'OPEN', resolvedAt: null, firstResolvedAt: iso(10) });
  });

  it('closing a resolved thread keeps its resolution; closing an open one has none', () => {
    expect(spec.given([queryRaised(), threadResolved('OPEN', 10), threadClosed('RESOLVED', 20)]).state()).toMatchObject(
      { status: 'CLOSED', resolvedAt: iso(10), closedAt: iso(20) },
    );
    expect(spec.given([queryRaised(), threadClosed('OPEN', 20)]).state()).toMatchObject({
      status: 'CLOSED',
      resolvedAt: null,
      closedAt: iso(20),
    });
  });

  it('reopening a closed thread clears closedAt', () => {
    const state = spec.given([queryRaised(), threadClosed('OPEN', 20), threadReopened('CLOSED', 30)]).state();
    expect(state).toMatchObject({ status: 'OPEN', closedAt: null, resolvedAt: null });
  });

  it('a system note on a closed thread is counted and keeps it closed', () => {
    const state = spec.given([...historyFor.CLOSED, messagePosted(9, system, 'internal', 'CLOSED', 'CLOSED')]).state();
    expect(state).toMatchObject({ status: 'CLOSED', messageCount: 2, lastMessageAt: iso(9) });
  });

  it('a stray event on a thread that was never raised changes nothing; a second QueryRaised is ignored', () => {
    expect(evolveThread(initialThreadState, threadResolved('OPEN', 1))).toEqual(initialThreadState);
    const open: ThreadState = spec.given(historyFor.OPEN).state();
    expect(evolveThread(open, queryRaised(staff, 99))).toBe(open);
  });
});
