import { describe, expect, it } from 'vitest';
import type { Author, Close, Reopen, Resolve, ThreadStatus } from '../../../domain/index.js';
import { by, partner, staff, system } from './fixtures.js';
import {
  historyFor,
  threadClosed,
  threadId,
  threadReopened,
  threadResolved,
  threadSpec as spec,
} from './threadFixtures.js';

const at = 20;
const command = <T extends 'Resolve' | 'Close' | 'Reopen'>(type: T, author: Author = staff) =>
  ({ type, data: { threadId }, metadata: by(author, at) }) as const;
const resolve = (author?: Author): Resolve => command('Resolve', author);
const close = (author?: Author): Close => command('Close', author);
const reopen = (author?: Author): Reopen => command('Reopen', author);

describe('Resolve: OPEN or PENDING → RESOLVED', () => {
  it.each<ThreadStatus>(['OPEN', 'PENDING'])('when a %s thread is resolved, then it is RESOLVED', (status) => {
    spec
      .given(historyFor[status])
      .when(resolve())
      .then([threadResolved(status, at)]);
  });

  it.each<ThreadStatus>(['RESOLVED', 'CLOSED'])('when a %s thread is resolved, then it is refused', (status) => {
    const error = spec.given(historyFor[status]).when(resolve()).thenThrows('rule', 'invalid_transition');
    expect(error.details).toEqual({ from: status, to: 'RESOLVED' });
    expect(error.message).toContain(`from ${status} to RESOLVED`);
  });

  it('when the system resolves (automation), then it is allowed', () => {
    spec
      .given(historyFor.OPEN)
      .when(resolve(system))
      .then([threadResolved('OPEN', at, system)]);
  });
});

describe('Close: any status → CLOSED', () => {
  it.each<ThreadStatus>(['OPEN', 'PENDING', 'RESOLVED'])('when a %s thread is closed, then it is CLOSED', (status) => {
    spec
      .given(historyFor[status])
      .when(close())
      .then([threadClosed(status, at)]);
  });

  it('when a CLOSED thread is closed again, then it is refused', () => {
    const error = spec.given(historyFor.CLOSED).when(close()).thenThrows('rule', 'invalid_transition');
    expect(error.details).toEqual({ from: 'CLOSED', to: 'CLOSED' });
  });
});

describe('Reopen: RESOLVED or CLOSED → OPEN', () => {
  it.each<ThreadStatus>(['RESOLVED', 'CLOSED'])('when a %s thread is reopened, then it is OPEN', (status) => {
    spec
      .given(historyFor[status])
      .when(reopen())
      .then([threadReopened(status, at)]);
  });

  it.each<ThreadStatus>(['OPEN', 'PENDING'])('when a %s thread is reopened, then it is refused', (status) => {
    const error = spec.given(historyFor[status]).when(reopen()).thenThrows('rule', 'invalid_transition');
    expect(error.details).toEqual({ from: status, to: 'OPEN' });
  });
});

describe('status changes: refusals common to all three', () => {
  it.each([
    ['Resolve', resolve],
    ['Close', close],
    ['Reopen', reopen],
  ] as const)('when %s targets a thread that does not exist, then it is not found', (_, make) => {
    spec.given([]).when(make()).thenThrows('not_found', 'thread_not_found');
  });

  it.each([
    ['Resolve', resolve, 'OPEN'],
    ['Close', close, 'OPEN'],
    ['Reopen', reopen, 'RESOLVED'],
  ] as const)('when a partner tries %s, then it is forbidden (staff only)', (_, make, status) => {
    spec.given(historyFor[status]).when(make(partner)).thenThrows('forbidden', 'author_not_allowed');
  });
});
