import { describe, expect, it } from 'vitest';
import { readPresenceNotice } from '../../read-api/live/presence.js';

/**
 * Presence notices between API processes: written with names that say what they hold, and read
 * also in the short names of the release before, so processes of both releases side by side
 * (a rolling upgrade) still see each other's viewers.
 */
describe('readPresenceNotice', () => {
  const who = { kind: 'staff', id: 'acc-1', name: 'Sam Agent' } as const;
  const set = {
    op: 'set',
    origin: 'proc-a',
    connection: 'conn-1',
    threadId: 'thread-1',
    who,
    viewingMs: 30_000,
    typingMs: 6_000,
    typingNote: true,
  } as const;

  it('reads a notice of this release as it is', () => {
    expect(readPresenceNotice(set)).toEqual(set);
    expect(readPresenceNotice({ op: 'bye', origin: 'proc-a' })).toEqual({ op: 'bye', origin: 'proc-a' });
  });

  it('reads every notice of the release before into the same names', () => {
    expect(
      readPresenceNotice({
        op: 'set',
        o: 'proc-a',
        c: 'conn-1',
        t: 'thread-1',
        w: who,
        vt: 30_000,
        yt: 6_000,
        yi: true,
      }),
    ).toEqual(set);
    expect(readPresenceNotice({ op: 'set', o: 'p', c: 'c', t: 't', w: who, vt: 1, yt: 0, ye: true })).toEqual({
      op: 'set',
      origin: 'p',
      connection: 'c',
      threadId: 't',
      who,
      viewingMs: 1,
      typingMs: 0,
      typingEnded: true,
    });
    expect(readPresenceNotice({ op: 'del', o: 'p', c: 'c', t: 't' })).toEqual({
      op: 'del',
      origin: 'p',
      connection: 'c',
      threadId: 't',
    });
    expect(readPresenceNotice({ op: 'drop', o: 'p', c: 'c' })).toEqual({ op: 'drop', origin: 'p', connection: 'c' });
    expect(readPresenceNotice({ op: 'hello', o: 'p' })).toEqual({ op: 'hello', origin: 'p' });
  });

  it('reads nothing from a notice of neither shape', () => {
    expect(readPresenceNotice({ op: 'set', origin: 'p' })).toBeUndefined();
    expect(readPresenceNotice({ ...set, viewingMs: -1 })).toBeUndefined();
    expect(readPresenceNotice({ op: 'shout', origin: 'p' })).toBeUndefined();
    expect(readPresenceNotice('hello')).toBeUndefined();
  });
});
