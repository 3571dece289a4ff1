/**
 * Resumes: a client reconnecting with `?after=<position>` is sent every change after it that
 * it may see, in order and at the pace it reads, then goes live; or is told to reload when
 * that position is unknown or too far behind.
 */
import type pg from 'pg';
import type { Logger } from '../../platform/logger.js';
import { frameFor, type ChangeFrameBuilder } from './changeFrames.js';
import type { FrameCache } from './frameCache.js';
import type { LiveClient, LiveClients } from './liveClients.js';
import { CHANGE_BATCH, type LiveLimits } from './liveLimits.js';
import { CloseCodes, type ReloadReason } from './liveProtocol.js';

export class ChangeReplay {
  constructor(
    private readonly pool: pg.Pool,
    private readonly builder: ChangeFrameBuilder,
    private readonly cache: FrameCache,
    private readonly clients: LiveClients,
    private readonly limits: LiveLimits,
    private readonly logger: Logger,
    /** Every change up to here has been delivered to the live clients. */
    private readonly livePosition: () => bigint,
  ) {}

  /** Sends a resuming client every change after `after` it may see, in order, then makes it live. */
  async replay(client: LiveClient, after: bigint): Promise<void> {
    try {
      const verdict = await this.resumable(after);
      if (!verdict.ok) return this.clients.reload(client, verdict.reason, verdict.detail);
      let from = after;
      for (;;) {
        if (client.closed) return;
        const target = this.livePosition();
        if (from >= target) {
          // synchronous from the check to here: no live change can slip in between
          client.live = true;
          client.sentUpTo = from;
          client.positionTold = from;
          this.clients.send(client, JSON.stringify({ type: 'sync', position: from.toString() }));
          return;
        }
        const rows = await this.builder.fetchChanges(from, CHANGE_BATCH, target);
        for (const change of await this.cache.builtFor(rows)) {
          if (client.closed) return;
          const frame = frameFor(change, client.identity);
          if (frame) this.clients.send(client, frame, true);
          client.sentUpTo = change.id;
          if (frame) client.positionTold = change.id;
          if (client.ws.bufferedAmount > this.limits.maxBufferedBytes / 2 && !(await this.drained(client))) return;
        }
        from = rows.length < CHANGE_BATCH ? target : rows[rows.length - 1]!.id;
      }
    } catch (error) {
      this.logger.warn({ err: error, client: client.id }, 'live push: replay failed');
      this.clients.disconnect(client, 1011, 'replay failed; reconnect with the same position');
    }
  }

  /** Whether a resume from `after` can be served, or why the client must reload. */
  private async resumable(after: bigint): Promise<{ ok: true } | { ok: false; reason: ReloadReason; detail: string }> {
    const { rows } = await this.pool.query<{ min: string | null; max: string | null; behind: string }>(
      `SELECT (SELECT min(id) FROM projection_change_log)::text AS min,
              (SELECT max(id) FROM projection_change_log)::text AS max,
              (SELECT count(*) FROM (SELECT 1 FROM projection_change_log WHERE id > $1 LIMIT $2) s)::text AS behind`,
      [after.toString(), this.limits.maxReplayChanges + 1],
    );
    const row = rows[0]!;
    const position = this.livePosition();
    const max = row.max === null ? position : BigInt(row.max);
    if (after > max && after > position) {
      return { ok: false, reason: 'unknown_position', detail: 'this position is not in the change log' };
    }
    if (row.min !== null && after < BigInt(row.min) - 1n) {
      return { ok: false, reason: 'too_far_behind', detail: 'changes after this position are no longer kept' };
    }
    if (Number(row.behind) > this.limits.maxReplayChanges) {
      return {
        ok: false,
        reason: 'too_far_behind',
        detail: `more than ${this.limits.maxReplayChanges} changes were missed`,
      };
    }
    return { ok: true };
  }

  /** Waits until a replaying client has read most of its buffer; cuts it off when it takes too long. */
  private async drained(client: LiveClient): Promise<boolean> {
    const deadline = performance.now() + this.limits.replayDrainTimeoutMs;
    while (client.ws.bufferedAmount > this.limits.maxBufferedBytes / 4) {
      if (client.closed) return false;
      if (performance.now() > deadline) {
        this.clients.slowConsumersCut++;
        this.clients.disconnect(
          client,
          CloseCodes.slowConsumer,
          'slow consumer: reconnect with ?after=<last position>',
        );
        return false;
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return !client.closed;
  }
}
