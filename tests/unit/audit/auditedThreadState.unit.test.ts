import { describe, expect, it } from 'vitest';
import { threadDecider, type ThreadAssigned, type ThreadEvent } from '../../../domain/index.js';
import { auditedThreadState } from '../../../read-api/audit/auditedThreadState.js';
import { iso, partner, staff } from '../domain/fixtures.js';
import { historyFor, messagePosted, queryRaised, threadId, threadResolved } from '../domain/threadFixtures.js';

const replay = (events: ThreadEvent[]) => events.reduce(threadDecider.evolve, threadDecider.initialState);

function assigned(assigneeId: string | null, assigneeName: string | null, minutes: number): ThreadAssigned {
  return {
    type: 'ThreadAssigned',
    data: { threadId, assigneeId, assigneeName, previousAssigneeId: null, by: staff, occurredAt: iso(minutes) },
  };
}

/** The state auditors read keeps its published shape, whatever shape the domain keeps it in. */
describe('the audited thread state', () => {
  it('before anything, then it is EMPTY and nothing else', () => {
    expect(auditedThreadState(replay([]))).toEqual({ status: 'EMPTY' });
  });

  it('when a thread is assigned, then it shows the flat assignee fields and who it waits for, in their order', () => {
    const audited = auditedThreadState(
      replay([
        queryRaised(partner, 0),
        assigned(staff.id, staff.name, 1),
        messagePosted(2, staff, 'external', 'OPEN', 'PENDING'),
      ]),
    );
    expect(JSON.stringify(audited)).toBe(
      JSON.stringify({
        status: 'PENDING',
        awaiting: 'partner',
        threadId,
        assignmentId: 'asg-1042',
        assignmentReference: 'ASG-1042',
        partnerOrgId: 'org-7',
        queryType: 'DOCUMENTS',
        priority: 'HIGH',
        subject: 'Missing delivery note',
        assigneeId: staff.id,
        assigneeName: staff.name,
        raisedAt: iso(0),
        raisedBy: partner,
        firstResponseAt: iso(2),
        firstResolvedAt: null,
        resolvedAt: null,
        closedAt: null,
        messageCount: 2,
        lastMessageAt: iso(2),
      }),
    );
  });

  it('when the assignee name is unknown or the thread is unassigned again, then the name (and id) are null', () => {
    expect(auditedThreadState(replay([...historyFor.OPEN, assigned('staff-9', null, 1)]))).toMatchObject({
      assigneeId: 'staff-9',
      assigneeName: null,
    });
    expect(
      auditedThreadState(replay([...historyFor.OPEN, assigned(staff.id, staff.name, 1), assigned(null, null, 2)])),
    ).toMatchObject({ assigneeId: null, assigneeName: null });
  });

  it.each([
    ['OPEN', 'staff'],
    ['PENDING', 'partner'],
    ['RESOLVED', null],
    ['CLOSED', null],
  ] as const)('when it is %s, then it awaits %s', (status, awaiting) => {
    expect(auditedThreadState(replay(historyFor[status]))).toMatchObject({ status, awaiting });
  });

  it('when resolved, then the resolution shows', () => {
    expect(auditedThreadState(replay([queryRaised(), threadResolved('OPEN', 5)]))).toMatchObject({
      status: 'RESOLVED',
      awaiting: null,
      resolvedAt: iso(5),
      firstResolvedAt: iso(5),
    });
  });
});
