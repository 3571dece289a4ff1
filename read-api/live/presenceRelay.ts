/**
 * Presence across processes: this process's clients' viewing and typing go on the board and
 * out on the presence NOTIFY channel; other processes' notices come in; whoever may see a
 * thread's presence is told when it changes (staff everything, partners and guests only that
 * support is typing, with names when the system config says so).
 */
import type pg from 'pg';
import type { Logger } from '../../platform/logger.js';
import { personOf } from '../../platform/identity/identity.js';
import { mayReceive } from './changeFrames.js';
import type { LiveClient, LiveClients } from './liveClients.js';
import type { LiveLimits } from './liveLimits.js';
import {
  PRESENCE_CHANNEL,
  PresenceBoard,
  readPresenceNotice,
  type PresenceNotice,
  type PresenceWho,
} from './presence.js';

export class PresenceRelay {
  private readonly board = new PresenceBoard();
  /** The system config's showStaffNamesInPresence: partners and guests see who of support types. */
  private showStaffNames = false;

  constructor(
    private readonly pool: pg.Pool,
    /** This process, as presence notices name it. */
    private readonly origin: string,
    private readonly clients: LiveClients,
    private readonly limits: LiveLimits,
    private readonly logger: Logger,
  ) {}

  get size(): number {
    return this.board.size;
  }

  /**
   * `viewing` (typing false) refreshes the entry and ends its typing; `typing` refreshes both.
   * A partner or guest entering a thread is told at once whether support is typing in it.
   */
  async markPresent(client: LiveClient, threadId: string, typing: boolean, internal: boolean): Promise<void> {
    if (client.identity.kind !== 'staff' && !(await this.mayView(client, threadId))) {
      return this.clients.sendError(client, 'not_found', 'no such thread');
    }
    if (client.closed) return;
    const existing = this.board.get(this.origin, client.id, threadId);
    if (!existing && this.board.threadsOf(this.origin, client.id).length >= this.limits.maxPresenceThreadsPerClient) {
      return this.clients.sendError(
        client,
        'too_many_threads',
        `present in at most ${this.limits.maxPresenceThreadsPerClient} threads at once; send left first`,
      );
    }
    const { viewingTtlMs, typingTtlMs } = this.limits;
    const person: PresenceWho = personOf(client.identity);
    const now = performance.now();
    const wasTyping = existing !== undefined && existing.typingUntil > now;
    const entry = this.board.set(
      this.origin,
      client.id,
      threadId,
      person,
      viewingTtlMs,
      typing ? typingTtlMs : 0,
      !typing,
      internal,
    );
    const stale = now - entry.announcedAt > viewingTtlMs / 3;
    const typingNews =
      typing &&
      (!entry.announcedTyping || entry.announcedInternal !== internal || now - entry.announcedAt > typingTtlMs / 3);
    const typingEnded = !typing && (wasTyping || entry.announcedTyping);
    if (stale || typingNews || typingEnded) {
      entry.announcedAt = now;
      entry.announcedTyping = typing;
      entry.announcedInternal = typing && internal;
      this.announce({
        op: 'set',
        origin: this.origin,
        connection: client.id,
        threadId,
        who: person,
        viewingMs: viewingTtlMs,
        typingMs: typing ? typingTtlMs : 0,
        ...(typing && internal ? { typingNote: true } : {}),
        ...(typingEnded ? { typingEnded: true } : {}),
      });
    }
    if (!existing && client.identity.kind !== 'staff') {
      const viewers = this.board.publicViewers(threadId, this.showStaffNames);
      if (viewers.length) this.clients.send(client, JSON.stringify({ type: 'presence', threadId, viewers }));
    }
    this.broadcast([threadId]);
  }

  left(client: LiveClient, threadId: string): void {
    if (this.board.remove(this.origin, client.id, threadId)) {
      this.announce({ op: 'del', origin: this.origin, connection: client.id, threadId });
      this.broadcast([threadId]);
    }
  }

  /** A connection of this process is gone: its entries go, and the other processes are told (unless stopping). */
  connectionGone(client: LiveClient, stopping: boolean): void {
    const threads = this.board.removeConnection(this.origin, client.id);
    if (threads.length && !stopping) {
      this.announce({ op: 'drop', origin: this.origin, connection: client.id });
      this.broadcast(threads);
    }
  }

  /** A staff client that just connected is told every thread somebody is viewing. */
  sendSnapshot(client: LiveClient): void {
    for (const p of this.board.snapshot(1000)) {
      this.clients.send(client, JSON.stringify({ type: 'presence', threadId: p.threadId, viewers: p.viewers }));
    }
  }

  /** Expired entries and typing end; whoever sees those threads is told. */
  sweep(): void {
    this.broadcast(this.board.sweep());
  }

  /** Partners and guests may only be present in threads they may read. */
  private async mayView(client: LiveClient, threadId: string): Promise<boolean> {
    if (client.visibleThreads.has(threadId)) return true;
    const { rows } = await this.pool.query<{ thread_id: string; partner_org_id: string; assignment_id: string }>(
      'SELECT thread_id, partner_org_id, assignment_id FROM support_inbox WHERE thread_id = $1',
      [threadId],
    );
    const row = rows[0];
    const ok =
      row !== undefined &&
      mayReceive(client.identity, {
        threadId: String(row.thread_id),
        partnerOrgId: row.partner_org_id,
        assignmentId: row.assignment_id,
      });
    if (ok && client.visibleThreads.size < 200) client.visibleThreads.add(threadId);
    return ok;
  }

  /** A notice from the presence channel (ours included: those are ignored). */
  onNotice(payload: string): void {
    let notice: PresenceNotice | undefined;
    try {
      notice = readPresenceNotice(JSON.parse(payload));
    } catch {
      return;
    }
    if (!notice || notice.origin === this.origin) return;
    switch (notice.op) {
      case 'set':
        this.board.set(
          notice.origin,
          notice.connection,
          notice.threadId,
          notice.who,
          notice.viewingMs,
          notice.typingMs,
          notice.typingEnded === true,
          notice.typingNote === true,
        );
        return this.broadcast([notice.threadId]);
      case 'del':
        if (this.board.remove(notice.origin, notice.connection, notice.threadId)) this.broadcast([notice.threadId]);
        return;
      case 'drop':
        return this.broadcast(this.board.removeConnection(notice.origin, notice.connection));
      case 'bye':
        return this.broadcast(this.board.removeOrigin(notice.origin));
      case 'hello': {
        // a process (re)started or reconnected: tell it what our clients are viewing
        const now = performance.now();
        for (const e of this.board.entriesOf(this.origin)) {
          const viewingMs = Math.round(e.viewingUntil - now);
          if (viewingMs <= 0) continue;
          const typingMs = e.typingUntil > now ? Math.round(e.typingUntil - now) : 0;
          e.announcedAt = now;
          this.announce({
            op: 'set',
            origin: this.origin,
            connection: e.conn,
            threadId: e.threadId,
            who: e.who,
            viewingMs,
            typingMs,
            ...(typingMs > 0 && e.typingInternal ? { typingNote: true } : {}),
          });
        }
        return;
      }
    }
  }

  /**
   * Sends staff the viewers of threads whose presence changed, and the partners and guests
   * present in those threads (on this process) their public view of it, when that changed. Only
   * connections whose presence in a thread was accepted (`mayView`) are told about it: a partner
   * of another organisation or a guest of another thread never is.
   */
  private broadcast(threadIds: readonly string[]): void {
    if (!threadIds.length) return;
    const changes = this.board.changes(threadIds);
    if (changes.length) {
      const frames = changes.map((c) => JSON.stringify({ type: 'presence', threadId: c.threadId, viewers: c.viewers }));
      for (const client of this.clients) {
        if (client.identity.kind !== 'staff') continue;
        for (const frame of frames) this.clients.send(client, frame);
      }
    }
    // computed even with nobody to tell here, so that what was last told stays true
    for (const c of this.board.publicChanges(threadIds, this.showStaffNames)) {
      let frame: string | undefined;
      for (const conn of this.board.connectionsIn(this.origin, c.threadId)) {
        const client = this.clients.get(conn);
        if (!client || client.identity.kind === 'staff') continue;
        frame ??= JSON.stringify({ type: 'presence', threadId: c.threadId, viewers: c.viewers });
        this.clients.send(client, frame);
      }
    }
  }

  /** The system config changed: presence follows its names switch. */
  async configChanged(): Promise<void> {
    const before = this.showStaffNames;
    await this.readConfig();
    if (before !== this.showStaffNames) this.broadcast(this.board.threadIds());
  }

  /** Reads showStaffNamesInPresence (false when the row or the column is not there yet, or the read fails). */
  async readConfig(): Promise<void> {
    try {
      const { rows } = await this.pool.query<{ names: unknown }>(
        `SELECT to_jsonb(c) -> 'show_staff_names_in_presence' AS names FROM support_system_config c`,
      );
      this.showStaffNames = rows[0]?.names === true;
    } catch (error) {
      // no table yet (a fresh database whose projector has not started): the default stands
      const level = (error as { code?: string }).code === '42P01' ? 'debug' : 'warn';
      this.logger[level]({ err: error }, 'live push: the presence setting could not be read; keeping it');
    }
  }

  /** Asks the other processes to announce their entries (this process just started or reconnected). */
  hello(): void {
    this.announce({ op: 'hello', origin: this.origin });
  }

  /** Tells the other processes this one's entries are gone (it is stopping). */
  bye(): Promise<void> {
    return this.announceNow({ op: 'bye', origin: this.origin });
  }

  private announce(notice: PresenceNotice): void {
    void this.announceNow(notice);
  }

  private async announceNow(notice: PresenceNotice): Promise<void> {
    try {
      await this.pool.query('SELECT pg_notify($1, $2)', [PRESENCE_CHANNEL, JSON.stringify(notice)]);
    } catch (error) {
      this.logger.debug({ err: error }, 'live push: presence notice not sent');
    }
  }
}
