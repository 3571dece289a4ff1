import { describe, expect, it } from 'vitest';
import {
  parseCommandData,
  raiseQueryData as raiseQuerySchema,
  threadStreamName,
  type Author,
  type RaiseQuery,
} from '../../../domain/index.js';
import { by, guest, partner, staff, system } from './fixtures.js';
import { otherThreadId, queryRaised, raiseQueryData, threadId, threadSpec as spec } from './threadFixtures.js';
import { refusal } from './spec.js';

/** The command as the edge hands it to the decider: its data parsed once, with the domain's schema. */
function raiseQuery(author: Author, data: Record<string, unknown> = {}): RaiseQuery {
  return {
    type: 'RaiseQuery',
    data: parseCommandData('RaiseQuery', raiseQuerySchema, { ...raiseQueryData, ...data }),
    metadata: by(author),
  };
}

describe('RaiseQuery', () => {
  it('the stream of a thread is thread-<id>', () => {
    expect(threadStreamName(threadId)).toBe(`thread-${threadId}`);
  });

  it.each([
    ['partner', partner],
    ['guest', guest],
    ['staff on behalf of a partner', staff],
  ])('when a %s raises a query on a new thread, then the query is raised', (_, author) => {
    spec
      .given([])
      .when(raiseQuery(author))
      .then([queryRaised(author)]);
  });

  it('when the subject and body have surrounding spaces, then parsing trims them', () => {
    spec
      .given([])
      .when(
        raiseQuery(partner, {
          subject: '  Missing delivery note \n',
          body: '\n The delivery note for ASG-1042 is not in the portal.  ',
        }),
      )
      .then([queryRaised(partner)]);
  });

  it('when no priority is given, then parsing makes it MEDIUM', () => {
    const { priority: _omitted, ...withoutPriority } = raiseQueryData;
    expect(parseCommandData('RaiseQuery', raiseQuerySchema, withoutPriority).priority).toBe('MEDIUM');
  });

  it('when the subject is exactly 200 characters and the body 10,000, then it is accepted', () => {
    const subject = 's'.repeat(200);
    const body = 'b'.repeat(10_000);
    const base = queryRaised(partner);
    spec
      .given([])
      .when(raiseQuery(partner, { subject, body }))
      .then([{ ...base, data: { ...base.data, subject, body } }]);
  });

  it('when the thread already exists, then it is refused as a conflict', () => {
    spec.given([queryRaised()]).when(raiseQuery(partner)).thenThrows('conflict', 'thread_exists');
  });

  it('when a query follows up a closed thread, then the raised query names it', () => {
    const base = queryRaised(partner);
    spec
      .given([])
      .when(raiseQuery(partner, { followUpOf: otherThreadId }))
      .then([{ ...base, data: { ...base.data, followUpOf: otherThreadId } }]);
  });

  it('when a query would follow up itself, then it is refused', () => {
    spec
      .given([])
      .when(raiseQuery(partner, { followUpOf: threadId }))
      .thenThrows('rule', 'invalid_command');
  });

  it('when the system raises a query, then it is forbidden', () => {
    spec.given([]).when(raiseQuery(system)).thenThrows('forbidden', 'author_not_allowed');
  });

  it.each([
    ['an empty subject', { subject: '' }, 'subject'],
    ['a blank subject', { subject: '   ' }, 'subject'],
    ['a 201-character subject', { subject: 's'.repeat(201) }, 'subject'],
    ['an empty body', { body: '' }, 'body'],
    ['a 10,001-character body', { body: 'b'.repeat(10_001) }, 'body'],
    ['an unknown query type', { queryType: 'GOSSIP' as never }, 'queryType'],
    ['an unknown priority', { priority: 'CRITICAL' as never }, 'priority'],
    ['a thread id that is not a UUID', { threadId: 'thread-1' }, 'threadId'],
    ['an empty assignment id', { assignmentId: '' }, 'assignmentId'],
  ])('when it has %s, then parsing refuses it naming the field', (_, data, path) => {
    const error = refusal(() => raiseQuery(partner, data));
    expect({ kind: error.kind, code: error.code }).toEqual({ kind: 'rule', code: 'invalid_command' });
    expect(error.details.issues?.map((i) => i.path)).toEqual([path]);
  });
});
