import { describe, expect, it } from 'vitest';
import { PresenceBoard, type PresenceWho } from '../../read-api/live/presence.js';

const alex: PresenceWho = { kind: 'staff', id: 'acc-alex', name: 'Alex Agent' };
const sam: PresenceWho = { kind: 'staff', id: 'acc-sam', name: 'Sam Support' };
const pat: PresenceWho = { kind: 'partner', id: 'acc-pat', name: 'Pat Partner' };
const guest: PresenceWho = { kind: 'guest', id: 'link-hash', name: 'guest@example.com' };
const T = 'thread-1';
const nameless = { kind: 'staff', id: '', name: '', typing: true };

describe('PresenceBoard: what partners and guests are told', () => {
  const board = (now: { t: number }) => new PresenceBoard(() => now.t);

  it('only support typing a reply, with neither id nor name; never who views, never their own side', () => {
    const now = { t: 0 };
    const b = board(now);
    b.set('o', 'c1', T, alex, 30_000, 0);
    b.set('o', 'c2', T, pat, 30_000, 6000);
    b.set('o', 'c3', T, guest, 30_000, 6000);
    expect(b.publicViewers(T, false)).toEqual([]); // staff viewing, partner and guest typing: nothing
    b.set('o', 'c1', T, alex, 30_000, 6000);
    b.set('o', 'c4', T, sam, 30_000, 6000);
    expect(b.publicViewers(T, false)).toEqual([nameless]); // one entry however many type
    // staff still see everyone, with ids
    expect(b.viewers(T).map((v) => [v.id, v.typing])).toEqual([
      ['acc-alex', true],
      ['link-hash', true],
      ['acc-pat', true],
      ['acc-sam', true],
    ]);
  });

  it('with names shown, one entry per agent typing, by name, still without the id', () => {
    const b = board({ t: 0 });
    b.set('o', 'c1', T, alex, 30_000, 6000);
    b.set('p', 'c9', T, alex, 30_000, 6000); // the same agent in another tab, on another process
    b.set('o', 'c2', T, sam, 30_000, 6000);
    expect(b.publicViewers(T, true)).toEqual([
      { kind: 'staff', id: '', name: 'Alex Agent', typing: true },
      { kind: 'staff', id: '', name: 'Sam Support', typing: true },
    ]);
  });

  it('an internal note being typed is not typing for them; staff see it', () => {
    const b = board({ t: 0 });
    b.set('o', 'c1', T, alex, 30_000, 6000, false, true);
    expect(b.publicViewers(T, true)).toEqual([]);
    expect(b.viewers(T)[0]).toMatchObject({ id: 'acc-alex', typing: true });
    b.set('o', 'c1', T, alex, 30_000, 6000, false, false);
    expect(b.publicViewers(T, false)).toEqual([nameless]);
  });

  it('typing ends when stopped or when its time is up; changes are told once each', () => {
    const now = { t: 0 };
    const b = board(now);
    b.set('o', 'c1', T, alex, 30_000, 6000);
    expect(b.publicChanges([T], false)).toEqual([{ threadId: T, viewers: [nameless] }]);
    expect(b.publicChanges([T], false)).toEqual([]); // nothing new
    b.set('o', 'c1', T, alex, 30_000, 0, true); // `viewing` again: stopped typing
    expect(b.publicChanges([T], false)).toEqual([{ threadId: T, viewers: [] }]);
    b.set('o', 'c1', T, alex, 30_000, 6000);
    b.publicChanges([T], false);
    now.t = 6000;
    expect(b.sweep()).toEqual([T]);
    expect(b.publicChanges([T], false)).toEqual([{ threadId: T, viewers: [] }]);
  });

  it('a names switch changes what is told for threads being typed in', () => {
    const b = board({ t: 0 });
    b.set('o', 'c1', T, alex, 30_000, 6000);
    b.publicChanges(b.threadIds(), false);
    expect(b.publicChanges(b.threadIds(), true)).toEqual([
      { threadId: T, viewers: [{ kind: 'staff', id: '', name: 'Alex Agent', typing: true }] },
    ]);
  });

  it('names the connections of a process present in a thread', () => {
    const b = board({ t: 0 });
    b.set('o', 'c1', T, pat, 30_000, 0);
    b.set('o', 'c2', 'other', pat, 30_000, 0);
    b.set('p', 'c3', T, guest, 30_000, 0);
    expect(b.connectionsIn('o', T)).toEqual(['c1']);
    expect(b.connectionsIn('p', T)).toEqual(['c3']);
    expect(b.connectionsIn('o', 'nowhere')).toEqual([]);
  });
});
