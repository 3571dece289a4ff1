import { describe, expect, it } from 'vitest';
import {
  isStaffOnlyThreadEvent,
  threadDecider,
  type AttachmentRef,
  type ThreadCommand,
} from '../../../domain/index.js';
import { DomainError } from '../../../domain/shared.js';
import { by, guest, partner, staff } from './fixtures.js';
import { historyFor, messagePosted, threadId } from './threadFixtures.js';

/** Files on messages, as the thread's decider sees them: given these events, when this command, then these events. */

const file = (n: number): AttachmentRef => ({
  attachmentId: `7f1c0a52-8f3e-4c1d-9a57-2f6d7c1e9b${String(n).padStart(2, '0')}`,
  sha256: String(n % 10).repeat(64),
  sizeBytes: 100 * n,
  mediaType: 'image/png',
  fileName: `photo-${n}.png`,
  contentId: null,
});

const stateOf = (events: Parameters<typeof threadDecider.evolve>[1][]) =>
  events.reduce(threadDecider.evolve, threadDecider.initialState);

function post(
  author = partner,
  attachments: AttachmentRef[],
  visibility: 'external' | 'internal' = 'external',
): ThreadCommand {
  return {
    type: 'PostMessage',
    data: {
      threadId,
      messageId: '5b1c0a52-8f3e-4c1d-9a57-2f6d7c1e9b99',
      body: 'see the file',
      visibility,
      attachments,
    },
    metadata: by(author, 5),
  };
}

const withFile = (visibility: 'external' | 'internal' = 'external') => {
  const m = messagePosted(3, staff, visibility, 'OPEN', visibility === 'internal' ? 'OPEN' : 'PENDING');
  return { ...m, data: { ...m.data, attachments: [file(1)] } };
};

const erase = (author = staff, attachmentId = file(1).attachmentId): ThreadCommand => ({
  type: 'EraseAttachment',
  data: { threadId, attachmentId, reason: 'a passport sent by mistake' },
  metadata: by(author, 9),
});

describe('files on messages', () => {
  it('a message carries the files it was given, in their order, and the thread knows each', () => {
    const [event] = threadDecider.decide(post(partner, [file(1), file(2)]), stateOf(historyFor.OPEN));
    expect(event).toMatchObject({ type: 'MessagePosted', data: { attachments: [file(1), file(2)] } });
    const state = stateOf([...historyFor.OPEN, event!]);
    expect(state.status !== 'EMPTY' && state.attachments[file(2).attachmentId]).toEqual({
      messageId: '5b1c0a52-8f3e-4c1d-9a57-2f6d7c1e9b99',
      sha256: file(2).sha256,
      visibility: 'external',
      erased: false,
    });
  });

  it('refuses a file named twice, or one the thread already has, naming the field', () => {
    expect(() => threadDecider.decide(post(partner, [file(1), file(1)]), stateOf(historyFor.OPEN))).toThrow(
      expect.objectContaining({
        code: 'attachment_already_posted',
        details: { issues: [{ path: 'attachmentIds.1', message: expect.any(String) }] },
      }),
    );
    expect(() => threadDecider.decide(post(guest, [file(1)]), stateOf([...historyFor.OPEN, withFile()]))).toThrow(
      DomainError,
    );
  });

  it('refuses more than ten files', () => {
    const eleven = Array.from({ length: 11 }, (_, i) => file(i + 10));
    expect(() => threadDecider.decide(post(staff, eleven), stateOf(historyFor.OPEN))).toThrow(
      expect.objectContaining({ code: 'invalid_command' }),
    );
  });
});

describe('erasing a file', () => {
  it('records the file’s hash, its message and the reason; the thread then knows it erased', () => {
    const [event] = threadDecider.decide(erase(), stateOf([...historyFor.OPEN, withFile()]));
    expect(event).toEqual({
      type: 'AttachmentErased',
      data: {
        threadId,
        messageId: withFile().data.messageId,
        attachmentId: file(1).attachmentId,
        sha256: file(1).sha256,
        visibility: 'external',
        reason: 'a passport sent by mistake',
        by: staff,
        occurredAt: by(staff, 9).now.toISOString(),
      },
    });
    expect(isStaffOnlyThreadEvent(event!)).toBe(false);
    const state = stateOf([...historyFor.OPEN, withFile(), event!]);
    expect(state.status !== 'EMPTY' && state.attachments[file(1).attachmentId]?.erased).toBe(true);
    // again: nothing more to record
    expect(threadDecider.decide(erase(), state)).toEqual([]);
  });

  it('an internal note’s file: the erasure is as staff-only as the note', () => {
    const [event] = threadDecider.decide(erase(), stateOf([...historyFor.OPEN, withFile('internal')]));
    expect(isStaffOnlyThreadEvent(event!)).toBe(true);
  });

  it('works on a closed thread: erasing is about the data, not the conversation', () => {
    expect(threadDecider.decide(erase(), stateOf([...historyFor.CLOSED, withFile()]))).toHaveLength(1);
  });

  it('refuses a file the thread does not have, and anyone but staff', () => {
    expect(() =>
      threadDecider.decide(erase(staff, file(7).attachmentId), stateOf([...historyFor.OPEN, withFile()])),
    ).toThrow(expect.objectContaining({ code: 'attachment_not_found', kind: 'not_found' }));
    expect(() => threadDecider.decide(erase(partner), stateOf([...historyFor.OPEN, withFile()]))).toThrow(
      expect.objectContaining({ code: 'author_not_allowed' }),
    );
  });
});
