import type pg from 'pg';
import pMap from 'p-map';
import { threadDecider, threadStreamName, type Author, type SlaWarning } from '../../domain/index.js';
import { deterministicUuid, handleCommand } from '../../commands/commandHandler.js';
import type { EventStore } from '../../eventstore/port.js';

/**
 * Records service-level warnings and breaches when they fall due. The serviceLevels read model
 * says when to look (`next_alert_at`, indexed); the thread's own events decide what is due (the
 * RecordSlaAlerts command), so a read model that lags can make the scheduler look early or late,
 * never record a wrong or a double alert. Any number of schedulers may run: each claims due rows
 * with FOR UPDATE SKIP LOCKED, and an alert's event id is derived from (thread, metric, cycle,
 * kind), so a second append of the same alert is the same event, written once.
 */

export const SLA_SCHEDULER_AUTHOR: Author = { kind: 'system', id: 'sla-scheduler', name: 'Service levels' };

export interface SlaSchedulerOptions {
  pool: pg.Pool;
  eventStore: EventStore;
  clock: () => Date;
  /** Rows claimed per round. */
  batchSize?: number;
  /** A row that had nothing due (the read model was behind) is looked at again after this long. */
  recheckMs?: number;
  /** Threads whose alerts are appended at once within a round. */
  concurrency?: number;
}

export function slaAlertEventId(alert: { threadId: string; metric: string; cycle: number }, type: string): string {
  return deterministicUuid(`sla-alert:${alert.threadId}:${alert.metric}:${alert.cycle}:${type}`);
}

export class SlaScheduler {
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  /** Threads that had nothing due when asked, and until when they are left alone. */
  private readonly quiet = new Map<string, number>();

  constructor(private readonly options: SlaSchedulerOptions) {}

  /** One round: claims the rows due now, records what is due on each. Answers how many alerts it appended. */
  async runOnce(): Promise<{ looked: number; recorded: number }> {
    const { pool, eventStore, clock } = this.options;
    const batchSize = this.options.batchSize ?? 200;
    const now = clock();
    for (const [id, until] of this.quiet) if (until <= now.getTime()) this.quiet.delete(id);
    const client = await pool.connect();
    let looked = 0;
    let recorded = 0;
    try {
      await client.query('BEGIN');
      // the claimed rows stay locked until the round commits: another scheduler skips them
      const { rows } = await client.query<{ thread_id: string }>(
        `SELECT thread_id FROM sla_clocks WHERE next_alert_at <= $1 AND NOT (thread_id = ANY($3::uuid[]))
          ORDER BY next_alert_at LIMIT $2 FOR UPDATE SKIP LOCKED`,
        [now, batchSize, [...this.quiet.keys()]],
      );
      // each thread its own stream: their alerts are appended side by side, commits grouped by Postgres
      await pMap(
        rows,
        async ({ thread_id: threadId }) => {
          if (this.stopped) return;
          looked++;
          const outcome = await handleCommand(
            eventStore,
            threadDecider,
            threadStreamName(threadId),
            { type: 'RecordSlaAlerts', data: { threadId }, metadata: { now: clock(), author: SLA_SCHEDULER_AUTHOR } },
            {
              metadata: { actor: { type: 'system', id: 'sla-scheduler' } },
              eventId: (event) => slaAlertEventId(event.data as SlaWarning['data'], event.type),
            },
          );
          if (outcome.appended.length === 0) {
            this.quiet.set(threadId, now.getTime() + (this.options.recheckMs ?? 30_000));
            return;
          }
          recorded += outcome.appended.length;
        },
        { concurrency: this.options.concurrency ?? 8 },
      );
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
    return { looked, recorded };
  }

  /** Runs a round every `intervalMs`, and at once again while rounds come back full. */
  start(intervalMs: number, onError: (error: unknown) => void): void {
    this.stopped = false;
    const tick = () => {
      this.runOnce()
        .then(({ looked }) => looked >= (this.options.batchSize ?? 200))
        .catch((error: unknown) => {
          onError(error);
          return false;
        })
        .then((full) => {
          if (this.stopped) return;
          this.timer = setTimeout(tick, full ? 0 : intervalMs);
          this.timer.unref();
        });
    };
    tick();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
  }
}
