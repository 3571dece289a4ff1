import { describe, expect, it } from 'vitest';
import { applyThreadPush } from '../../../web/src/lib/threadPatch';
import type { ThreadView } from '../../../web/src/lib/types';

/** A push applied to the thread on screen: new messages join once, a message pushed again updates in place. */
describe('applyThreadPush', () => {
  const file = (erased: boolean) => ({
    attachmentId: 'f1',
    fileName: 'passport.png',
    sizeBytes: 10,
    mediaType: 'image/png',
    scan: 'clean' as const,
    erased: erased ? { at: '2026-12-01T10:00:00.000Z', by: 'Ada Admin', reason: null } : null,
    url: erased ? null : '/api/support/attachments/f1',
    previewUrl: null,
    thumbnailUrl: null,
    inline: false,
  });
  const message = (revision: number, erased = false) => ({
    messageId: `m${revision}`,
    revision,
    author: { kind: 'partner' as const, id: 'p', name: 'Pat' },
    visibility: 'external' as const,
    body: `message ${revision}`,
    via: 'web' as const,
    fullText: null,
    createdAt: '2026-12-01T09:00:00.000Z',
    attachments: [file(erased)],
  });
  const thread = (revision: number) => ({
    threadId: 't',
    revision,
    lastActivityAt: `2026-12-01T09:0${revision}:00.000Z`,
  });
  const view = { thread: thread(1), messages: [{ ...message(0), emails: [{ emailId: 'e' }] }, message(1)] };
  const push = (messages: ReturnType<typeof message>[], revision: number) =>
    ({ type: 'thread', thread: thread(revision), messages }) as unknown as Parameters<typeof applyThreadPush>[1];

  it('adds a new message once, in revision order', () => {
    const next = applyThreadPush(view as unknown as ThreadView, push([message(2), message(1)], 2))!;
    expect(next.messages.map((m) => m.messageId)).toEqual(['m0', 'm1', 'm2']);
  });

  it('updates a message pushed again (a file erased), keeping what only a read carries', () => {
    const next = applyThreadPush(view as unknown as ThreadView, push([message(0, true)], 3))!;
    const first = next.messages[0] as (typeof next.messages)[number] & { emails?: unknown };
    expect(first.attachments[0]!.erased).toMatchObject({ by: 'Ada Admin' });
    expect(first.attachments[0]!.url).toBeNull();
    expect(first.emails).toEqual([{ emailId: 'e' }]);
    expect(next.messages).toHaveLength(2);
  });
});
