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

/** What goes over the NOTIFY channel (small: NOTIFY payloads are limited to 8000 bytes). */
export const presenceNotice = z.discriminatedUnion('op', [
  z.object({
    op: z.literal('set'),
    o: z.string(),
    c: z.string(),
    t: z.string(),
    w: who,
    vt: z.number().int().min(0).max(600_000),
    yt: z.number().int().min(0).max(600_000),
  }),
  z.object({ op: z.literal('del'), o: z.string(), c: z.string(), t: z.string() }),
  z.object({ op: z.literal('drop'), o: z.string(), c: z.string() }),
  z.object({ op: z.literal('hello'), o: z.string() }),
  z.object({ op: z.literal('bye'), o: z.string() }),
]);
export type PresenceNotice = z.infer<typeof presenceNotice>;

export interface PresenceEntry {
  origin: string;
  conn: string;
  threadId: string;
  who: PresenceWho;
  viewingUntil: number;
  typingUntil: number;
  /** For local entries: when this entry was last announced, and whether as typing. */
  announcedAt: number;
  announcedTyping: boolean;
}

const keyOf = (origin: string, conn: string, threadId: string) => `${origin}\u0000${conn}\u0000${threadId}`;

export class PresenceBoard {
  private readonly entries = new Map<string, PresenceEntry>();
  private readonly byThread = new Map<string, Set<string>>();
  /** The viewers last told to clients, per thread (JSON), to send only real changes. */
  private readonly told = new Map<string, string>();

  constructor(private readonly now: () => number = () => performance.now()) {}

  get size(): number {
    return this.entries.size;
  }

  /** Adds or refreshes an entry. `typingMs` 0 leaves typing as it is; `stopTyping` clears it. */
  set(
    origin: string,
    conn: string,
    threadId: string,
    person: PresenceWho,
    viewingMs: number,
    typingMs: number,
    stopTyping = false,
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
      announcedAt: -Infinity,
      announcedTyping: false,
    };
    entry.who = person;
    entry.viewingUntil = Math.max(entry.viewingUntil, now + viewingMs);
    if (typingMs > 0) entry.typingUntil = now + typingMs;
    else if (stopTyping) entry.typingUntil = 0;
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

  /** The threads among `threadIds` whose viewers changed since last told, with their viewers now. */
  changes(threadIds: Iterable<string>): { threadId: string; viewers: PresenceViewer[] }[] {
    const out: { threadId: string; viewers: PresenceViewer[] }[] = [];
    for (const threadId of new Set(threadIds)) {
      const viewers = this.viewers(threadId);
      const json = JSON.stringify(viewers);
      const before = this.told.get(threadId) ?? '[]';
      if (json === before) continue;
      if (viewers.length) this.told.set(threadId, json);
      else this.told.delete(threadId);
      out.push({ threadId, viewers });
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
