import type pg from 'pg';
import { isStaffOnlyThreadEvent, threadStreamName } from '../../domain/index.js';
import {
  comparePositions,
  parsePosition,
  START,
  type EventStore,
  type Position,
  type RecordedEvent,
} from '../../eventstore/port.js';
import { publicReaderMayRead, type Identity } from '../../platform/identity/identity.js';
import { toGuestLink, toMessage, toPartnerSummary, toStaffSummary, type MessageView } from '../threadViews.js';
import { attachmentsByMessage, type AttachmentView } from '../attachments/attachmentViews.js';
import { loadThreadSla } from '../serviceLevels/slaViews.js';

/**
 * Turns rows of projection_change_log into what each audience may receive. A change is built
 * once (per process) and then routed per client by `frameFor`, the one place that decides who
 * sees what: staff the staff views, partners the public views of their organisation's
 * threads, guests the public views of their link's thread or assignment.
 */

/** One row of projection_change_log. */
export interface ChangeRow {
  id: bigint;
  projection: string;
  generation: number;
  position: string;
  threadIds: string[];
}

export type LiveIdentity = Extract<Identity, { kind: 'staff' | 'partner' | 'guest' }>;

/** What a public (partner or guest) view of a thread is routed by. */
export interface PublicRoute {
  threadId: string;
  partnerOrgId: string;
  assignmentId: string;
}

export interface BuiltChange {
  id: bigint;
  projection: string;
  /** The whole frame staff receive (undefined: nothing for staff). */
  staffFrame?: string;
  /** Per-thread public items (JSON of a ThreadUpdate), routed to partners and guests. */
  publicItems: { route: PublicRoute; json: string }[];
  /** A frame for everyone (system config changed). */
  everyoneFrame?: string;
  /** Guest links changed: connected guests' links are checked for revocation. */
  guestLinksChanged: boolean;
  /** Approximate size, for the cache bound. */
  bytes: number;
}

export interface BuildLimits {
  /** Messages per thread and change; more are left out and the update is marked truncated. */
  maxMessagesPerThread: number;
  /** Bytes of message bodies per thread and change, likewise. */
  maxMessageBytesPerThread: number;
  /** Backward pages (of 4, 16, then 64 events) read from a thread's stream to find a change's events. */
  maxStreamPages: number;
}

/** Backward reads start small (a change usually adds one or two events to a thread) and grow. */
const STREAM_PAGES = [4, 16, 64];

function messageIdOf(event: RecordedEvent): string | undefined {
  // an erased file changes its message: the message goes again, its file marked erased
  if (event.type !== 'QueryRaised' && event.type !== 'MessagePosted' && event.type !== 'AttachmentErased')
    return undefined;
  const id = event.data.messageId;
  return typeof id === 'string' ? id : undefined;
}

const positionText = (id: bigint) => id.toString();

/** `{"type":...,"position":"..","threads":[items]}` without re-serialising the items. */
export function framed(type: string, id: bigint, items: readonly string[]): string {
  return `{"type":"${type}","position":"${positionText(id)}","threads":[${items.join(',')}]}`;
}

/** Parallel map with a bound on concurrency. */
async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    for (;;) {
      const i = next++;
      if (i >= items.length) return;
      results[i] = await fn(items[i]!);
    }
  });
  await Promise.all(workers);
  return results;
}

export class ChangeFrameBuilder {
  constructor(
    private readonly pool: pg.Pool,
    private readonly eventStore: EventStore,
    private readonly clock: () => Date,
    private readonly limits: BuildLimits,
  ) {}

  /** Change rows after `after`, in id order (ids commit in order: `id > last` never skips one). */
  async fetchChanges(after: bigint, limit: number, upTo?: bigint): Promise<ChangeRow[]> {
    const { rows } = await this.pool.query<{
      id: string;
      projection: string;
      generation: number;
      position: string;
      thread_ids: string[] | null;
    }>(
      `SELECT id, projection, generation, position, thread_ids FROM projection_change_log
        WHERE id > $1 AND ($2::bigint IS NULL OR id <= $2) ORDER BY id LIMIT $3`,
      [after.toString(), upTo === undefined ? null : upTo.toString(), limit],
    );
    return rows.map((r) => ({
      id: BigInt(r.id),
      projection: r.projection,
      generation: r.generation,
      position: r.position,
      threadIds: r.thread_ids ?? [],
    }));
  }

  /**
   * Where the threads projection stood before change `id`: the position of the last 'threads'
   * change before it. Events of a thread after it and up to a change's own position are that
   * change's events. START when none is left (the first change, or the log was trimmed).
   */
  async threadsPositionBefore(id: bigint): Promise<Position> {
    const { rows } = await this.pool.query<{ position: string }>(
      `SELECT position FROM projection_change_log WHERE projection = 'threads' AND id < $1 ORDER BY id DESC LIMIT 1`,
      [id.toString()],
    );
    return rows[0] ? parsePosition(rows[0].position) : START;
  }

  /**
   * Builds consecutive changes. `threadsBefore` is the threads projection's position before
   * the first of them; the answer carries it on past the last.
   */
  async build(
    changes: readonly ChangeRow[],
    threadsBefore: Position,
  ): Promise<{ built: BuiltChange[]; threadsAfter: Position }> {
    const threadChanges = changes.filter((c) => c.projection === 'threads');
    const linkChanges = changes.filter((c) => c.projection === 'guestLinks');
    const slaChanges = changes.filter((c) => c.projection === 'serviceLevels');
    const [threads, links, slaFrames] = await Promise.all([
      this.buildThreads(threadChanges, threadsBefore),
      this.buildGuestLinks(linkChanges),
      this.buildServiceLevels(slaChanges),
    ]);
    const built = changes.map((change): BuiltChange => {
      const base = {
        id: change.id,
        projection: change.projection,
        publicItems: [],
        guestLinksChanged: false,
        bytes: 64,
      };
      switch (change.projection) {
        case 'threads':
          return threads.get(change.id) ?? base;
        case 'guestLinks':
          return links.get(change.id) ?? { ...base, guestLinksChanged: true };
        case 'serviceLevels':
          return slaFrames.get(change.id) ?? base;
        case 'systemConfig': {
          const everyoneFrame = `{"type":"config","position":"${positionText(change.id)}"}`;
          return { ...base, everyoneFrame, bytes: everyoneFrame.length };
        }
        default:
          return base; // a projection with nothing to push (e.g. email deliveries)
      }
    });
    const last = threadChanges[threadChanges.length - 1];
    return { built, threadsAfter: last ? parsePosition(last.position) : threadsBefore };
  }

  /**
   * Service-level changes go to staff only, as `sla` frames: per thread its headline clock and its
   * targets as of now (the row's clock counts down on the client from there).
   */
  private async buildServiceLevels(changes: readonly ChangeRow[]): Promise<Map<bigint, BuiltChange>> {
    const out = new Map<bigint, BuiltChange>();
    const ids = [...new Set(changes.flatMap((c) => c.threadIds))];
    if (ids.length === 0) return out;
    const views = await loadThreadSla(this.pool, ids, this.clock());
    for (const change of changes) {
      const items = [...new Set(change.threadIds)].map((threadId) => {
        const view = views.get(threadId);
        return JSON.stringify({ threadId, headline: view?.headline ?? null, sla: view?.detail ?? null });
      });
      if (items.length === 0) continue;
      const staffFrame = framed('sla', change.id, items);
      out.set(change.id, {
        id: change.id,
        projection: change.projection,
        staffFrame,
        publicItems: [],
        guestLinksChanged: false,
        bytes: staffFrame.length,
      });
    }
    return out;
  }

  private async buildThreads(changes: readonly ChangeRow[], before: Position): Promise<Map<bigint, BuiltChange>> {
    const out = new Map<bigint, BuiltChange>();
    const ids = [...new Set(changes.flatMap((c) => c.threadIds))];
    if (ids.length === 0) return out;
    // the inbox rows, and (meanwhile) the threads' events then the messages they added
    const inbox = this.pool.query<Record<string, unknown>>(
      'SELECT i.* FROM support_inbox i WHERE thread_id = ANY($1::uuid[])',
      [ids],
    );
    inbox.catch(() => undefined); // awaited below; not an unhandled rejection meanwhile
    const upper = parsePosition(changes[changes.length - 1]!.position);
    const streams = new Map<string, { events: RecordedEvent[]; complete: boolean }>();
    await mapLimit(ids, 8, async (id) => {
      streams.set(id, await this.threadEvents(id, before, upper));
    });

    // each change's window of each thread: its events after the previous change that named it
    const cursor = new Map<string, Position>();
    const windows = new Map<bigint, { threadId: string; events: RecordedEvent[]; complete: boolean }[]>();
    const messageIds = new Set<string>();
    for (const change of changes) {
      const to = parsePosition(change.position);
      const list: { threadId: string; events: RecordedEvent[]; complete: boolean }[] = [];
      for (const threadId of new Set(change.threadIds)) {
        const stream = streams.get(threadId)!;
        const from = cursor.get(threadId);
        const events = stream.events.filter(
          (e) => comparePositions(e.position, from ?? before) > 0 && comparePositions(e.position, to) <= 0,
        );
        cursor.set(threadId, to);
        // only the first window of a thread can reach past what was read
        list.push({ threadId, events, complete: from !== undefined || stream.complete });
        for (const e of events) {
          const m = messageIdOf(e);
          if (m) messageIds.add(m);
        }
      }
      windows.set(change.id, list);
    }

    const messages = new Map<string, Record<string, unknown>>();
    let staffFiles = new Map<string, AttachmentView[]>();
    if (messageIds.size) {
      const [{ rows: found }, files] = await Promise.all([
        this.pool.query<Record<string, unknown>>('SELECT * FROM support_messages WHERE message_id = ANY($1::uuid[])', [
          [...messageIds],
        ]),
        attachmentsByMessage(this.pool, { messageIds: [...messageIds] }, 'staff'),
      ]);
      for (const m of found) messages.set(String(m.message_id), m);
      staffFiles = files;
    }
    // a public frame's files: those of external messages (only external messages reach it), erase reasons left out
    const filesOf = (m: Record<string, unknown>, audience: 'staff' | 'public') =>
      (staffFiles.get(String(m.message_id)) ?? []).map((f) =>
        audience === 'staff' || !f.erased ? f : { ...f, erased: { ...f.erased, reason: null } },
      );
    const byId = new Map((await inbox).rows.map((r) => [String(r.thread_id), r]));

    for (const change of changes) {
      const staffItems: string[] = [];
      const publicItems: { route: PublicRoute; json: string }[] = [];
      let bytes = 64;
      for (const w of windows.get(change.id) ?? []) {
        const row = byId.get(w.threadId);
        if (!row) continue; // no inbox row: nothing anyone can see
        const rowsOf = w.events
          .map((e) => messages.get(messageIdOf(e) ?? ''))
          .filter((m): m is Record<string, unknown> => m !== undefined)
          .sort((a, b) => Number(a.revision) - Number(b.revision));
        const staff = this.capped(rowsOf.map((m) => toMessage(m, 'staff', filesOf(m, 'staff'))));
        const staffJson = JSON.stringify({
          thread: toStaffSummary(row),
          messages: staff.messages,
          ...(staff.truncated || !w.complete ? { truncated: true } : {}),
        });
        staffItems.push(staffJson);
        bytes += staffJson.length;
        // a window of staff-only events (internal notes, assignment) is not a change for partners
        // and guests at all: not even its existence reaches them
        const publicChange = w.events.length === 0 || !w.complete || w.events.some((e) => !isStaffOnlyThreadEvent(e));
        if (!publicChange) continue;
        const pub = this.capped(
          rowsOf.filter((m) => m.visibility === 'external').map((m) => toMessage(m, 'public', filesOf(m, 'public'))),
        );
        const publicJson = JSON.stringify({
          thread: toPartnerSummary(row),
          messages: pub.messages,
          ...(pub.truncated || !w.complete ? { truncated: true } : {}),
        });
        publicItems.push({
          route: {
            threadId: String(row.thread_id),
            partnerOrgId: String(row.partner_org_id),
            assignmentId: String(row.assignment_id),
          },
          json: publicJson,
        });
        bytes += publicJson.length;
      }
      out.set(change.id, {
        id: change.id,
        projection: change.projection,
        ...(staffItems.length ? { staffFrame: framed('threads', change.id, staffItems) } : {}),
        publicItems,
        guestLinksChanged: false,
        bytes,
      });
    }
    return out;
  }

  private capped(list: MessageView[]): { messages: MessageView[]; truncated: boolean } {
    const { maxMessagesPerThread, maxMessageBytesPerThread } = this.limits;
    const kept: MessageView[] = [];
    let bytes = 0;
    // newest first, so a cut keeps the latest
    for (let i = list.length - 1; i >= 0; i--) {
      const m = list[i]!;
      bytes += m.body.length;
      if (kept.length >= maxMessagesPerThread || (kept.length > 0 && bytes > maxMessageBytesPerThread)) {
        return { messages: kept.reverse(), truncated: true };
      }
      kept.push(m);
    }
    return { messages: kept.reverse(), truncated: false };
  }

  /**
   * A thread's events after `before` and up to `upper`, oldest first, read backwards from the
   * stream's end. `complete` is false when the read stopped (page limit, error) before reaching
   * `before` or the stream's start.
   */
  private async threadEvents(
    threadId: string,
    before: Position,
    upper: Position,
  ): Promise<{ events: RecordedEvent[]; complete: boolean }> {
    const events: RecordedEvent[] = [];
    let from: number | 'end' = 'end';
    try {
      for (let page = 0; page < this.limits.maxStreamPages; page++) {
        const limit = STREAM_PAGES[Math.min(page, STREAM_PAGES.length - 1)]!;
        const batch = await this.eventStore.readStream(threadStreamName(threadId), {
          direction: 'backwards',
          fromRevision: from,
          limit,
        });
        for (const e of batch) {
          if (comparePositions(e.position, before) <= 0) return { events: events.reverse(), complete: true };
          if (comparePositions(e.position, upper) <= 0) events.push(e);
        }
        const last = batch[batch.length - 1];
        if (batch.length < limit || !last || last.revision === 0) {
          return { events: events.reverse(), complete: true };
        }
        from = last.revision - 1;
      }
    } catch {
      // the summary still goes out; its messages are marked truncated
    }
    return { events: events.reverse(), complete: false };
  }

  private async buildGuestLinks(changes: readonly ChangeRow[]): Promise<Map<bigint, BuiltChange>> {
    const out = new Map<bigint, BuiltChange>();
    const ids = [...new Set(changes.flatMap((c) => c.threadIds))];
    const byThread = new Map<string, Record<string, unknown>[]>();
    if (ids.length) {
      const { rows } = await this.pool.query<Record<string, unknown>>(
        'SELECT * FROM support_guest_links WHERE thread_id = ANY($1::uuid[]) ORDER BY issued_at DESC',
        [ids],
      );
      for (const r of rows) {
        const key = String(r.thread_id);
        byThread.set(key, [...(byThread.get(key) ?? []), r]);
      }
    }
    const now = this.clock();
    for (const change of changes) {
      const items = [...new Set(change.threadIds)].map((threadId) =>
        JSON.stringify({ threadId, guestLinks: (byThread.get(threadId) ?? []).map((r) => toGuestLink(r, now)) }),
      );
      const staffFrame = items.length ? framed('guestLinks', change.id, items) : undefined;
      out.set(change.id, {
        id: change.id,
        projection: change.projection,
        ...(staffFrame ? { staffFrame } : {}),
        publicItems: [],
        guestLinksChanged: true,
        bytes: 64 + (staffFrame?.length ?? 0),
      });
    }
    return out;
  }
}

/** The key under which clients receive the same public frame (one serialisation per group and change). */
export function audienceKey(identity: LiveIdentity): string {
  switch (identity.kind) {
    case 'staff':
      return 'staff';
    case 'partner':
      return `org:${identity.partnerOrgId}`;
    case 'guest':
      return identity.scope.kind === 'thread'
        ? `thread:${identity.scope.threadId}`
        : `assignment:${identity.scope.partnerOrgId}:${identity.scope.assignmentId}`;
  }
}

/** Whether a public view of a thread may go to this partner or guest (the rule of GET /api/support/threads/:id). */
export function mayReceive(identity: LiveIdentity, route: PublicRoute): boolean {
  return identity.kind !== 'staff' && publicReaderMayRead(identity, route); // staff receive the staff view only
}

/**
 * The frame a client receives for a change, or undefined when nothing in it is theirs.
 * `memo` shares serialisations between clients of the same audience within one change.
 */
export function frameFor(
  change: BuiltChange,
  identity: LiveIdentity,
  memo?: Map<string, string | null>,
): string | undefined {
  if (change.everyoneFrame) return change.everyoneFrame;
  if (identity.kind === 'staff') return change.staffFrame;
  if (change.publicItems.length === 0) return undefined;
  const key = audienceKey(identity);
  const known = memo?.get(key);
  if (known !== undefined) return known ?? undefined;
  const items = change.publicItems.filter((p) => mayReceive(identity, p.route)).map((p) => p.json);
  const frame = items.length ? framed('threads', change.id, items) : undefined;
  memo?.set(key, frame ?? null);
  return frame;
}
