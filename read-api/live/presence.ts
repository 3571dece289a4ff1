import { z } from 'zod';
import type { PresenceViewer } from './liveProtocol.js';

/**
 * Who is viewing a thread and who is typing in it, across every API process. Each process
 * owns the entries of its own connections and announces them on a Postgres NOTIFY channel
 * with a time to live; the others hold copies that expire by themselves when not refreshed,
 * so a crashed process's entries vanish within one TTL.
 */

export const PRESENCE_CHANNEL = 'live_presence';

export interface PresenceWho {
  kind: 'staff' | 'partner' | 'guest';
  id: string;
  name: string;
}

const who = z.object({
  kind: z.enum(['staff', 'partner', 'guest']),
  id: z.string().max(200),
  name: z.string().max(400),
});

const ttlMs = z.number().int().min(0).max(600_000);

/**
 * What goes over the NOTIFY channel between API processes, one JSON object per notice (a few
 * hundred bytes: NOTIFY holds 8000).
 */
const currentNotice = z.discriminatedUnion('op', [
  z.object({
    op: z.literal('set'),
    /** The process that sends the notice. */
    origin: z.string(),
    /** The connection on that process. */
    connection: z.string(),
    threadId: z.string(),
    who,
    /** How long the viewing lasts unless announced again, ms. */
    viewingMs: ttlMs,
    /** How long the typing lasts unless announced again, ms (0: not typing). */
    typingMs: ttlMs,
    /** What is typed is an internal note (staff): partners and guests are not told. */
    typingNote: z.boolean().optional(),
    /** Typing ended (the person sent `viewing` again): with `typingMs` 0. */
    typingEnded: z.boolean().optional(),
  }),
  z.object({ op: z.literal('del'), origin: z.string(), connection: z.string(), threadId: z.string() }),
  z.object({ op: z.literal('drop'), origin: z.string(), connection: z.string() }),
  z.object({ op: z.literal('hello'), origin: z.string() }),
  z.object({ op: z.literal('bye'), origin: z.string() }),
]);
export type PresenceNotice = z.infer<typeof currentNotice>;

/**
 * The notices of the release before, with one- and two-letter names. During a rolling upgrade
 * processes of both releases listen on the channel, so they are still read (into the names
 * above); nothing writes them any more. Remove once no process of that release can run.
 */
const earlierNotice = z.discriminatedUnion('op', [
  z.object({
    op: z.literal('set'),
    o: z.string(),
    c: z.string(),
    t: z.string(),
    w: who,
    vt: ttlMs,
    yt: ttlMs,
    yi: z.boolean().optional(),
    ye: z.boolean().optional(),
  }),
  z.object({ op: z.literal('del'), o: z.string(), c: z.string(), t: z.string() }),
  z.object({ op: z.literal('drop'), o: z.string(), c: z.string() }),
  z.object({ op: z.literal('hello'), o: z.string() }),
  z.object({ op: z.literal('bye'), o: z.string() }),
]);

function fromEarlier(notice: z.infer<typeof earlierNotice>): PresenceNotice {
  switch (notice.op) {
    case 'set':
      return {
        op: 'set',
        origin: notice.o,
        connection: notice.c,
        threadId: notice.t,
        who: notice.w,
        viewingMs: notice.vt,
        typingMs: notice.yt,
        ...(notice.yi !== undefined ? { typingNote: notice.yi } : {}),
        ...(notice.ye !== undefined ? { typingEnded: notice.ye } : {}),
      };
    case 'del':
      return { op: 'del', origin: notice.o, connection: notice.c, threadId: notice.t };
    case 'drop':
      return { op: 'drop', origin: notice.o, connection: notice.c };
    case 'hello':
    case 'bye':
      return { op: notice.op, origin: notice.o };
  }
}

/** Reads a notice of this release or the one before; undefined for anything else. */
export function readPresenceNotice(value: unknown): PresenceNotice | undefined {
  const current = currentNotice.safeParse(value);
  if (current.success) return current.data;
  const earlier = earlierNotice.safeParse(value);
  return earlier.success ? fromEarlier(earlier.data) : undefined;
}

export interface PresenceEntry {
  origin: string;
  conn: string;
  threadId: string;
  who: PresenceWho;
  viewingUntil: number;
  typingUntil: number;
  /** What is being typed is an internal note: staff see the typing, partners and guests do not. */
  typingInternal: boolean;
  /** For local entries: when this entry was last announced, and whether as typing (of a note). */
  announcedAt: number;
  announcedTyping: boolean;
  announcedInternal: boolean;
}

/** How partners and guests see support typing: no account id ever; the name only when the desk says so. */
export const ANONYMOUS_SUPPORT: PresenceViewer = Object.freeze({ kind: 'staff', id: '', name: '', typing: true });

const keyOf = (origin: string, conn: string, threadId: string) => `${origin}\u0000${conn}\u0000${threadId}`;

export class PresenceBoard {
  private readonly entries = new Map<string, PresenceEntry>();
  private readonly byThread = new Map<string, Set<string>>();
  /** The viewers last told to clients, per thread (JSON), to send only real changes. */
  private readonly told = new Map<string, string>();
  /** Likewise for the public view (partners and guests in the thread). */
  private readonly toldPublic = new Map<string, string>();

  constructor(private readonly now: () => number = () => performance.now()) {}

  get size(): number {
    return this.entries.size;
  }

  /**
   * Adds or refreshes an entry. `typingMs` 0 leaves typing as it is; `stopTyping` clears it.
   * `typingInternal`: what is typed (with `typingMs` > 0) is an internal note.
   */
  set(
    origin: string,
    conn: string,
    threadId: string,
    person: PresenceWho,
    viewingMs: number,
    typingMs: number,
    stopTyping = false,
    typingInternal = false,
  ): PresenceEntry {
    const key = keyOf(origin, conn, threadId);
    const now = this.now();
    const existing = this.entries.get(key);
    const entry: PresenceEntry = existing ?? {
      origin,
      conn,
      threadId,
      who: person,
      viewingUntil: 0,
      typingUntil: 0,
      typingInternal: false,
      announcedAt: -Infinity,
      announcedTyping: false,
      announcedInternal: false,
    };
    entry.who = person;
    entry.viewingUntil = Math.max(entry.viewingUntil, now + viewingMs);
    if (typingMs > 0) {
      entry.typingUntil = now + typingMs;
      entry.typingInternal = typingInternal;
    } else if (stopTyping) {
      entry.typingUntil = 0;
      entry.typingInternal = false;
    }
    if (!existing) {
      this.entries.set(key, entry);
      let set = this.byThread.get(threadId);
      if (!set) this.byThread.set(threadId, (set = new Set()));
      set.add(key);
    }
    return entry;
  }

  get(origin: string, conn: string, threadId: string): PresenceEntry | undefined {
    return this.entries.get(keyOf(origin, conn, threadId));
  }

  remove(origin: string, conn: string, threadId: string): boolean {
    const key = keyOf(origin, conn, threadId);
    if (!this.entries.delete(key)) return false;
    const set = this.byThread.get(threadId);
    set?.delete(key);
    if (set?.size === 0) this.byThread.delete(threadId);
    return true;
  }

  /** Removes every entry matching; answers the threads touched. */
  private removeWhere(match: (e: PresenceEntry) => boolean): string[] {
    const threads = new Set<string>();
    for (const e of [...this.entries.values()]) {
      if (match(e) && this.remove(e.origin, e.conn, e.threadId)) threads.add(e.threadId);
    }
    return [...threads];
  }

  removeConnection(origin: string, conn: string): string[] {
    return this.removeWhere((e) => e.origin === origin && e.conn === conn);
  }

  removeOrigin(origin: string): string[] {
    return this.removeWhere((e) => e.origin === origin);
  }

  /** Drops expired entries and ends expired typing; answers the threads touched. */
  sweep(): string[] {
    const now = this.now();
    const threads = new Set<string>();
    for (const e of [...this.entries.values()]) {
      if (e.viewingUntil <= now) {
        this.remove(e.origin, e.conn, e.threadId);
        threads.add(e.threadId);
      } else if (e.typingUntil !== 0 && e.typingUntil <= now) {
        e.typingUntil = 0;
        threads.add(e.threadId);
      }
    }
    return [...threads];
  }

  entriesOf(origin: string): PresenceEntry[] {
    return [...this.entries.values()].filter((e) => e.origin === origin);
  }

  threadsOf(origin: string, conn: string): string[] {
    return [...this.entries.values()].filter((e) => e.origin === origin && e.conn === conn).map((e) => e.threadId);
  }

  /** One viewer per person (however many tabs or processes), typing when any of their entries is. */
  viewers(threadId: string): PresenceViewer[] {
    const now = this.now();
    const people = new Map<string, PresenceViewer>();
    for (const key of this.byThread.get(threadId) ?? []) {
      const e = this.entries.get(key);
      if (!e || e.viewingUntil <= now) continue;
      const id = `${e.who.kind}:${e.who.id}`;
      const typing = e.typingUntil > now;
      const known = people.get(id);
      if (known) known.typing ||= typing;
      else people.set(id, { kind: e.who.kind, id: e.who.id, name: e.who.name, typing });
    }
    return [...people.values()].sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id));
  }

  /**
   * What partners and guests in a thread are told: only that support is typing a reply (not an
   * internal note), never who is viewing, never an account id, and never who else of their side
   * is there. Names only with `showNames` (the system config's showStaffNamesInPresence): one
   * entry per agent typing; without, one nameless entry however many type.
   */
  publicViewers(threadId: string, showNames: boolean): PresenceViewer[] {
    const now = this.now();
    const names = new Set<string>();
    for (const key of this.byThread.get(threadId) ?? []) {
      const e = this.entries.get(key);
      if (!e || e.viewingUntil <= now || e.who.kind !== 'staff') continue;
      if (e.typingUntil > now && !e.typingInternal) names.add(e.who.name);
    }
    if (names.size === 0) return [];
    if (!showNames) return [{ ...ANONYMOUS_SUPPORT }];
    return [...names].sort((a, b) => a.localeCompare(b)).map((name) => ({ ...ANONYMOUS_SUPPORT, name }));
  }

  /** The threads among `threadIds` whose viewers changed since last told, with their viewers now. */
  changes(threadIds: Iterable<string>): { threadId: string; viewers: PresenceViewer[] }[] {
    return this.diff(threadIds, this.told, (threadId) => this.viewers(threadId));
  }

  /** Likewise for the public view (`publicViewers`). */
  publicChanges(threadIds: Iterable<string>, showNames: boolean): { threadId: string; viewers: PresenceViewer[] }[] {
    return this.diff(threadIds, this.toldPublic, (threadId) => this.publicViewers(threadId, showNames));
  }

  private diff(
    threadIds: Iterable<string>,
    told: Map<string, string>,
    view: (threadId: string) => PresenceViewer[],
  ): { threadId: string; viewers: PresenceViewer[] }[] {
    const out: { threadId: string; viewers: PresenceViewer[] }[] = [];
    for (const threadId of new Set(threadIds)) {
      const viewers = view(threadId);
      const json = JSON.stringify(viewers);
      const before = told.get(threadId) ?? '[]';
      if (json === before) continue;
      if (viewers.length) told.set(threadId, json);
      else told.delete(threadId);
      out.push({ threadId, viewers });
    }
    return out;
  }

  /** Every thread with an entry, or whose public view was last told non-empty. */
  threadIds(): string[] {
    return [...new Set([...this.byThread.keys(), ...this.toldPublic.keys()])];
  }

  /** The connections of `origin` present in a thread. */
  connectionsIn(origin: string, threadId: string): string[] {
    const out: string[] = [];
    for (const key of this.byThread.get(threadId) ?? []) {
      const e = this.entries.get(key);
      if (e && e.origin === origin) out.push(e.conn);
    }
    return out;
  }

  /** Every thread somebody is viewing now. */
  snapshot(limit: number): { threadId: string; viewers: PresenceViewer[] }[] {
    const out: { threadId: string; viewers: PresenceViewer[] }[] = [];
    for (const threadId of this.byThread.keys()) {
      const viewers = this.viewers(threadId);
      if (viewers.length) out.push({ threadId, viewers });
      if (out.length >= limit) break;
    }
    return out;
  }
}
