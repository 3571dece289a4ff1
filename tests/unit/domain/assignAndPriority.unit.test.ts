import { describe, expect, it } from 'vitest';
import {
  assignData,
  changePriorityData,
  parseCommandData,
  type Assign,
  type Author,
  type ChangePriority,
  type PriorityChanged,
  type ThreadAssigned,
} from '../../../domain/index.js';
import { by, iso, otherStaff, partner, staff } from './fixtures.js';
import { refusal } from './spec.js';
import { historyFor, otherThreadId, threadId, threadSpec as spec } from './threadFixtures.js';

const at = 30;

/** The commands as the edge hands them to the decider: their data parsed once, with the domain's schemas. */
function assign(data: Record<string, unknown>, author: Author = staff): Assign {
  return {
    type: 'Assign',
    data: parseCommandData('Assign', assignData, { threadId, ...data }),
    metadata: by(author, at),
  };
}

function assigned(
  assigneeId: string | null,
  assigneeName: string | null,
  previousAssigneeId: string | null,
  minutes = at,
): ThreadAssigned {
  return {
    type: 'ThreadAssigned',
    data: { threadId, assigneeId, assigneeName, previousAssigneeId, by: staff, occurredAt: iso(minutes) },
  };
}

function changePriority(priority: string, author: Author = staff): ChangePriority {
  return {
    type: 'ChangePriority',
    data: parseCommandData('ChangePriority', changePriorityData, { threadId, priority }),
    metadata: by(author, at),
  };
}

function priorityChanged(from: PriorityChanged['data']['from'], to: PriorityChanged['data']['to']): PriorityChanged {
  return { type: 'PriorityChanged', data: { threadId, from, to, by: staff, occurredAt: iso(at) } };
}

describe('Assign', () => {
  it('when an unassigned thread is assigned, then it is assigned with no previous assignee', () => {
    spec
      .given(historyFor.OPEN)
      .when(assign({ assigneeId: staff.id, assigneeName: staff.name }))
      .then([assigned(staff.id, staff.name, null)]);
  });

  it('when it is assigned to someone else, then the previous assignee is recorded', () => {
    spec
      .given([...historyFor.OPEN, assigned(staff.id, staff.name, null, 5)])
      .when(assign({ assigneeId: otherStaff.id, assigneeName: otherStaff.name }))
      .then([assigned(otherStaff.id, otherStaff.name, staff.id)]);
  });

  it('when it is unassigned, then the assignee and name are null', () => {
    spec
      .given([...historyFor.PENDING, assigned(staff.id, staff.name, null, 5)])
      .when(assign({ assigneeId: null, assigneeName: 'ignored' }))
      .then([assigned(null, null, staff.id)]);
  });

  it('when no name is given, then the name is null', () => {
    spec
      .given(historyFor.OPEN)
      .when(assign({ assigneeId: staff.id }))
      .then([assigned(staff.id, null, null)]);
  });

  it('when it is assigned to its current assignee, then nothing happens', () => {
    spec
      .given([...historyFor.OPEN, assigned(staff.id, staff.name, null, 5)])
      .when(assign({ assigneeId: staff.id, assigneeName: 'Another spelling' }))
      .thenNothingHappens();
  });

  it('when an unassigned thread is unassigned, then nothing happens', () => {
    spec
      .given(historyFor.OPEN)
      .when(assign({ assigneeId: null }))
      .thenNothingHappens();
  });

  it('when a CLOSED thread is assigned, then it is allowed (only messages are refused)', () => {
    spec
      .given(historyFor.CLOSED)
      .when(assign({ assigneeId: staff.id }))
      .then([assigned(staff.id, null, null)]);
  });

  it('when the thread does not exist, then it is not found', () => {
    spec
      .given([])
      .when(assign({ assigneeId: staff.id }))
      .thenThrows('not_found', 'thread_not_found');
    spec
      .given(historyFor.OPEN)
      .when(assign({ threadId: otherThreadId, assigneeId: staff.id }))
      .thenThrows('not_found', 'thread_not_found');
  });

  it('when a partner assigns, then it is forbidden', () => {
    spec
      .given(historyFor.OPEN)
      .when(assign({ assigneeId: staff.id }, partner))
      .thenThrows('forbidden', 'author_not_allowed');
  });

  it('when the assignee id is empty, then parsing refuses it naming the field', () => {
    const error = refusal(() => assign({ assigneeId: '' }));
    expect({ kind: error.kind, code: error.code }).toEqual({ kind: 'rule', code: 'invalid_command' });
    expect(error.details.issues?.[0]?.path).toBe('assigneeId');
  });
});

describe('ChangePriority', () => {
  it('when the priority changes, then the change records from and to', () => {
    spec
      .given(historyFor.OPEN)
      .when(changePriority('URGENT'))
      .then([priorityChanged('HIGH', 'URGENT')]);
  });

  it('when it is set to its current value, then nothing happens', () => {
    spec.given(historyFor.OPEN).when(changePriority('HIGH')).thenNothingHappens();
  });

  it('when it was changed before, then the next change starts from the new value', () => {
    spec
      .given([...historyFor.PENDING, priorityChanged('HIGH', 'LOW')])
      .when(changePriority('MEDIUM'))
      .then([priorityChanged('LOW', 'MEDIUM')]);
  });

  it('when the thread does not exist, then it is not found', () => {
    spec.given([]).when(changePriority('LOW')).thenThrows('not_found', 'thread_not_found');
  });

  it('when a partner changes it, then it is forbidden', () => {
    spec.given(historyFor.OPEN).when(changePriority('LOW', partner)).thenThrows('forbidden', 'author_not_allowed');
  });

  it('when the priority is unknown, then parsing refuses it naming the field', () => {
    const error = refusal(() => changePriority('CRITICAL'));
    expect({ kind: error.kind, code: error.code }).toEqual({ kind: 'rule', code: 'invalid_command' });
    expect(error.details.issues?.[0]).toEqual({
      path: 'priority',
      message: 'must be one of LOW, MEDIUM, HIGH, URGENT',
    });
  });
});
