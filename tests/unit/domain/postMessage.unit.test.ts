import { describe, expect, it } from 'vitest';
import {
  parseCommandData,
  postMessageData,
  type Author,
  type MessageVisibility,
  type PostMessage,
  type ThreadStatus,
} from '../../../domain/index.js';
import { by, guest, partner, staff, system } from './fixtures.js';
import { refusal } from './spec.js';
import { historyFor, messageId, messagePosted, otherThreadId, threadId, threadSpec as spec } from './threadFixtures.js';

const at = 10;

/** The command as the edge hands it to the decider: its data parsed once, with the domain's schema. */
function postMessage(author: Author, visibility: MessageVisibility, data: Record<string, unknown> = {}): PostMessage {
  return {
    type: 'PostMessage',
    data: parseCommandData('PostMessage', postMessageData, {
      threadId,
      messageId: messageId(at),
      body: `message ${at}`,
      visibility,
      ...data,
    }),
    metadata: by(author, at),
  };
}

describe('PostMessage: automatic status changes', () => {
  it.each<[ThreadStatus, ThreadStatus]>([
    ['OPEN', 'PENDING'],
    ['PENDING', 'PENDING'],
    ['RESOLVED', 'PENDING'],
  ])('when staff reply to a %s thread, then it is %s (waiting for the partner)', (before, after) => {
    spec
      .given(historyFor[before])
      .when(postMessage(staff, 'external'))
      .then([messagePosted(at, staff, 'external', before, after)]);
  });

  it.each<[string, Author, ThreadStatus]>([
    ['partner', partner, 'OPEN'],
    ['partner', partner, 'PENDING'],
    ['partner', partner, 'RESOLVED'],
    ['guest', guest, 'OPEN'],
    ['guest', guest, 'PENDING'],
    ['guest', guest, 'RESOLVED'],
  ])('when a %s writes to a %s thread, then it is OPEN (waiting for staff)', (_, author, before) => {
    spec
      .given(historyFor[before])
      .when(postMessage(author, 'external'))
      .then([messagePosted(at, author, 'external', before, 'OPEN')]);
  });

  it('when a guest writes to a resolved thread, then it reopens itself and waits for staff', () => {
    const state = spec
      .given([...historyFor.RESOLVED, messagePosted(at, guest, 'external', 'RESOLVED', 'OPEN')])
      .state();
    expect(state).toMatchObject({ status: 'OPEN', resolvedAt: null });
  });
});

describe('PostMessage: internal notes', () => {
  it.each<ThreadStatus>(['OPEN', 'PENDING', 'RESOLVED'])(
    'when staff add an internal note to a %s thread, then its status does not change',
    (status) => {
      spec
        .given(historyFor[status])
        .when(postMessage(staff, 'internal'))
        .then([messagePosted(at, staff, 'internal', status, status)]);
    },
  );

  it.each<[string, Author]>([
    ['partner', partner],
    ['guest', guest],
  ])('when a %s tries an internal note, then it is forbidden', (_, author) => {
    spec
      .given(historyFor.OPEN)
      .when(postMessage(author, 'internal'))
      .thenThrows('forbidden', 'internal_note_by_non_staff');
  });

  it('when the system adds an internal note, then it is posted and changes nothing', () => {
    spec
      .given(historyFor.PENDING)
      .when(postMessage(system, 'internal'))
      .then([messagePosted(at, system, 'internal', 'PENDING', 'PENDING')]);
  });

  it('when the system tries an external message, then it is forbidden', () => {
    spec.given(historyFor.OPEN).when(postMessage(system, 'external')).thenThrows('forbidden', 'author_not_allowed');
  });
});

describe('PostMessage: a closed thread takes no messages', () => {
  it.each<[string, Author, MessageVisibility]>([
    ['a staff reply', staff, 'external'],
    ['a staff internal note', staff, 'internal'],
    ['a partner message', partner, 'external'],
    ['a guest message', guest, 'external'],
  ])('when %s is posted to a CLOSED thread, then it is refused', (_, author, visibility) => {
    spec.given(historyFor.CLOSED).when(postMessage(author, visibility)).thenThrows('rule', 'thread_closed');
  });

  it('when the system adds an internal note to a CLOSED thread (e.g. an email failed), then it is allowed', () => {
    spec
      .given(historyFor.CLOSED)
      .when(postMessage(system, 'internal'))
      .then([messagePosted(at, system, 'internal', 'CLOSED', 'CLOSED')]);
  });
});

describe('PostMessage: refusals', () => {
  it('when the thread does not exist, then it is not found', () => {
    spec.given([]).when(postMessage(partner, 'external')).thenThrows('not_found', 'thread_not_found');
  });

  it('when the command names another thread than the stream holds, then it is not found', () => {
    spec
      .given(historyFor.OPEN)
      .when(postMessage(partner, 'external', { threadId: otherThreadId }))
      .thenThrows('not_found', 'thread_not_found');
  });

  it.each([
    ['an empty body', { body: '' }, 'body'],
    ['a blank body', { body: ' \n\t ' }, 'body'],
    ['a 10,001-character body', { body: 'b'.repeat(10_001) }, 'body'],
    ['a message id that is not a UUID', { messageId: 'm-1' }, 'messageId'],
    ['an unknown visibility', { visibility: 'public' as never }, 'visibility'],
  ])('when it has %s, then parsing refuses it naming the field', (_, data, path) => {
    const error = refusal(() => postMessage(partner, 'external', data));
    expect({ kind: error.kind, code: error.code }).toEqual({ kind: 'rule', code: 'invalid_command' });
    expect(error.details.issues?.map((i) => i.path)).toEqual([path]);
  });
});
