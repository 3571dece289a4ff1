/**
 * Follows projection_change_log by id: builds each change once and routes it to every live
 * client. Notifications that follow the position without a gap are used as they come; anything
 * else (a gap, a lost notification, a poll) is read from the log.
 */
import type pg from 'pg';
import { z } from 'zod';
import type { Position } from '../../eventstore/port.js';
import type { Logger } from '../../platform/logger.js';
import { frameFor, type BuiltChange, type ChangeFrameBuilder, type ChangeRow } from './changeFrames.js';
import type { FrameCache } from './frameCache.js';
import type { LiveClients } from './liveClients.js';
import { CHANGE_BATCH } from './liveLimits.js';

/** A projection_changes notification (ProjectionChange of the projection engine). */
const changeNotice = z.object({
  changeId: z.string().regex(/^\d{1,19}$/),
  projection: z.string(),
  generation: z.number().int(),
  position: z.string(),
  threadIds: z.array(z.string()).nullable(),
});

export interface ChangeFollowerOptions {
  pool: pg.Pool;
  builder: ChangeFrameBuilder;
  cache: FrameCache;
  clients: LiveClients;
  logger: Logger;
  /** Whether to follow at all (started and not stopping). */
  isRunning(): boolean;
  isStopping(): boolean;
  /** A system config change is about to be pushed (awaited before its `config` frame goes out). */
  onConfigChange(): Promise<void>;
  /** Guest links changed: connected guests' links are checked. */
  onGuestLinksChange(): void;
}

export class ChangeFollower {
  /** Every change up to here has been delivered to the live clients. */
  position = 0n;
  /** The threads projection's position at `position` (the lower bound of the next change's events). */
  private threadsPosition: Position | undefined;
  /** Changes announced by NOTIFY and not yet followed: the next ones in line need no read of the log. */
  private readonly notices = new Map<bigint, ChangeRow>();
  private following: Promise<void> | undefined;
  private followAgain = false;
  private retryTimer: NodeJS.Timeout | undefined;
  private buildFailures = 0;
  changesPushed = 0;
  pushMillis = 0;

  constructor(private readonly options: ChangeFollowerOptions) {}

  /** Starts from the head of the change log: clients that connect now get what comes next. */
  async start(): Promise<void> {
    const { rows } = await this.options.pool.query<{ id: string }>(
      'SELECT coalesce(max(id), 0)::text AS id FROM projection_change_log',
    );
    this.position = BigInt(rows[0]?.id ?? '0');
    this.threadsPosition = await this.options.builder.threadsPositionBefore(this.position + 1n);
  }

  /** Stops retrying and waits for the change being followed. */
  async stop(): Promise<void> {
    clearTimeout(this.retryTimer);
    await this.following?.catch(() => undefined);
  }

  /** A projection_changes notification: kept when it names its threads, then the log is followed. */
  onNotice(payload: string): void {
    const notice = changeNotice.safeParse(safeJson(payload));
    if (notice.success && notice.data.threadIds && this.notices.size < 10_000) {
      const id = BigInt(notice.data.changeId);
      if (id > this.position) this.notices.set(id, { ...notice.data, id, threadIds: notice.data.threadIds });
    }
    this.followLog();
  }

  /** Follows the change log from `position`: build each change once, route it to every live client. */
  followLog(): void {
    if (!this.options.isRunning()) return;
    if (this.following) {
      this.followAgain = true;
      return;
    }
    this.following = this.drainLog()
      .catch((error: unknown) => {
        this.options.logger.warn({ err: error }, 'live push: reading the change log failed; retrying');
        clearTimeout(this.retryTimer);
        this.retryTimer = setTimeout(() => this.followLog(), 1000);
        this.retryTimer.unref();
      })
      .finally(() => {
        this.following = undefined;
        if (this.followAgain) this.followLog();
      });
  }

  /**
   * The next changes from the notifications when they follow the position without a gap (a
   * notification is only delivered once its transaction committed); else from the log.
   */
  private async nextChanges(): Promise<ChangeRow[]> {
    for (const id of this.notices.keys()) if (id <= this.position) this.notices.delete(id);
    const run: ChangeRow[] = [];
    for (let id = this.position + 1n; run.length < CHANGE_BATCH; id++) {
      const notice = this.notices.get(id);
      if (!notice) break;
      run.push(notice);
    }
    return run.length ? run : this.options.builder.fetchChanges(this.position, CHANGE_BATCH);
  }

  private async drainLog(): Promise<void> {
    const { builder, clients, cache, logger } = this.options;
    do {
      this.followAgain = false;
      for (;;) {
        if (this.options.isStopping()) return;
        const started = performance.now();
        const rows = await this.nextChanges();
        if (rows.length === 0) break;
        const last = rows[rows.length - 1]!;
        let result: { built: BuiltChange[]; threadsAfter: Position };
        try {
          result = await builder.build(
            rows,
            this.threadsPosition ?? (await builder.threadsPositionBefore(rows[0]!.id)),
          );
          this.buildFailures = 0;
        } catch (error) {
          if (++this.buildFailures < 5) throw error;
          // a change that cannot be built must not stop every push: skip it, and tell everyone
          logger.error({ err: error, from: String(rows[0]!.id), to: String(last.id) }, 'live push: skipping changes');
          this.buildFailures = 0;
          this.position = last.id;
          this.threadsPosition = undefined;
          for (const c of clients.list()) clients.reload(c, 'missed_changes', 'some changes could not be pushed');
          continue;
        }
        // before the `config` frame goes out: whoever refetches on it must read the new config
        if (result.built.some((b) => b.projection === 'systemConfig')) await this.options.onConfigChange();
        for (const change of result.built) {
          this.deliver(change);
          cache.remember(change);
        }
        this.position = last.id;
        this.threadsPosition = result.threadsAfter;
        this.changesPushed += rows.length;
        this.pushMillis += performance.now() - started;
        if (result.built.some((b) => b.guestLinksChanged)) this.options.onGuestLinksChange();
      }
    } while (this.followAgain);
  }

  private deliver(change: BuiltChange): void {
    const { clients } = this.options;
    const memo = new Map<string, string | null>();
    // one UTF-8 encoding per distinct frame (staff, each partner audience), not one per client
    const encoded = new Map<string, Buffer>();
    for (const client of clients) {
      if (!client.live || client.closed || change.id <= client.sentUpTo) continue;
      const frame = frameFor(change, client.identity, memo);
      client.sentUpTo = change.id;
      if (!frame) continue;
      let bytes = encoded.get(frame);
      if (!bytes) encoded.set(frame, (bytes = Buffer.from(frame, 'utf8')));
      if (clients.send(client, bytes)) client.positionTold = change.id;
    }
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
