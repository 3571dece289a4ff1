import pg from 'pg';
import {
  comparePositions,
  EventStoreUnavailableError,
  EventStoreValidationError,
  IdempotencyConflictError,
  matchesFilter,
  START,
  WrongExpectedVersionError,
  type AppendResult,
  type EventMetadata,
  type EventStore,
  type EventStoreHealth,
  type EventToAppend,
  type ExpectedRevision,
  type JsonObject,
  type Position,
  type ReadAllOptions,
  type ReadStreamOptions,
  type RecordedEvent,
  type SubscribeOptions,
  type Subscription,
} from '../port.js';
import { validateAppend, validateLimit, validateStreamName } from '../validation.js';
import { isDatabaseUnavailable } from './connectionErrors.js';
import { LogNotifier } from './logNotifier.js';

export interface PostgresEventStoreOptions {
  /** Used for the LISTEN connection that wakes live subscriptions. */
  connectionString: string;
  /** Fallback polling when no notification arrives (a lost connection, a slow older transaction). */
  pollIntervalMs?: number;
  /** Events per read in catch-up. */
  batchSize?: number;
}

interface EventRow {
  commit_position: string;
  global_position: string;
  event_id: string;
  stream_name: string;
  stream_revision: string;
  event_type: string;
  data: JsonObject;
  metadata: EventMetadata;
  created_at: Date;
}

const EVENT_COLUMNS = `transaction_id::text AS commit_position, global_position, event_id, stream_name,
  stream_revision, event_type, data, metadata, created_at`;

/** Only transactions older than every running one are final: nothing can appear before them later. */
const VISIBLE = `transaction_id < pg_snapshot_xmin(pg_current_snapshot())`;

function toRecorded(row: EventRow): RecordedEvent {
  return {
    id: row.event_id,
    streamName: row.stream_name,
    revision: Number(row.stream_revision),
    position: { commit: BigInt(row.commit_position), prepare: BigInt(row.global_position) },
    type: row.event_type,
    data: row.data,
    metadata: row.metadata,
    createdAt: row.created_at,
  };
}

/**
 * One append is one statement (and one commit): the stream row moves first, and the events are
 * inserted only if it did. The expected revision picks how the stream row moves; no row back
 * means the expectation failed (or the ids were appended before: see previousAppend). Named,
 * so each connection parses and plans it once. Same effect as the `es_append` function, without
 * a PL/pgSQL call per append (measured: most of an append's server time went to the call).
 *
 * Before it writes, every append waits for its stream's advisory lock (`stream_lock`, which
 * takes no transaction id; migration 0007 says why): the row moves only in a join with it, so
 * the transaction gets its id after every earlier writer of the stream has committed, and the
 * stream's events sort in revision order in the global log whatever the mode.
 */
const STREAM_LOCK = `stream_lock AS MATERIALIZED (SELECT pg_advisory_xact_lock(1163088978, hashtext($1)))`;
const STREAM_MOVES: Record<'no_stream' | 'any' | 'exists' | 'revision', string> = {
  no_stream: `INSERT INTO es_streams AS s (stream_name, revision) SELECT $1, $2::bigint - 1 FROM stream_lock
      ON CONFLICT (stream_name) DO NOTHING RETURNING s.revision`,
  any: `INSERT INTO es_streams AS s (stream_name, revision) SELECT $1, $2::bigint - 1 FROM stream_lock
      ON CONFLICT (stream_name) DO UPDATE SET revision = s.revision + $2::bigint RETURNING s.revision`,
  exists: `UPDATE es_streams s SET revision = s.revision + $2::bigint FROM stream_lock
      WHERE s.stream_name = $1 RETURNING s.revision`,
  revision: `UPDATE es_streams s SET revision = s.revision + $2::bigint FROM stream_lock
      WHERE s.stream_name = $1 AND s.revision = $7::bigint RETURNING s.revision`,
};
const appendStatements = Object.fromEntries(
  Object.entries(STREAM_MOVES).map(([mode, move]) => [
    mode,
    `WITH ${STREAM_LOCK},
     moved AS (${move}),
     inserted AS (
       INSERT INTO es_events (event_id, stream_name, stream_revision, event_type, data, metadata)
       SELECT e.id, $1, moved.revision - $2::bigint + e.ord, e.type, e.data, e.metadata
         FROM moved, unnest($3::uuid[], $4::text[], $5::jsonb[], $6::jsonb[]) WITH ORDINALITY AS e(id, type, data, metadata, ord)
        ORDER BY e.ord
       RETURNING global_position)
     SELECT (SELECT revision FROM moved) AS next_revision, pg_current_xact_id()::text AS commit_position,
            (SELECT max(global_position) FROM inserted) AS prepare_position`,
  ]),
) as Record<keyof typeof STREAM_MOVES, string>;

function isPgError(error: unknown): error is Error & { code?: string; detail?: string; constraint?: string } {
  return error instanceof Error && 'code' in error;
}

export class PostgresEventStore implements EventStore {
  readonly adapter = 'postgres' as const;
  private readonly notifier: LogNotifier;
  private readonly pollIntervalMs: number;
  private readonly batchSize: number;

  constructor(
    private readonly pool: pg.Pool,
    options: PostgresEventStoreOptions,
  ) {
    this.pollIntervalMs = options.pollIntervalMs ?? 500;
    this.batchSize = options.batchSize ?? 1000;
    this.notifier = new LogNotifier(options.connectionString, 'es_events');
  }

  /** Every statement of the store: a database that is not there is EventStoreUnavailableError. */
  private async query<R extends pg.QueryResultRow>(
    statement: string | pg.QueryConfig,
    values?: unknown[],
  ): Promise<pg.QueryResult<R>> {
    try {
      return await this.pool.query<R>(statement as pg.QueryConfig, values);
    } catch (error) {
      if (isDatabaseUnavailable(error)) {
        throw new EventStoreUnavailableError('postgres', (error as Error).message, 5, { cause: error });
      }
      throw error;
    }
  }

  async append(
    streamName: string,
    events: EventToAppend[],
    options: { expected?: ExpectedRevision } = {},
  ): Promise<AppendResult> {
    const expected = options.expected ?? 'any';
    const json = validateAppend(streamName, events, expected);
    const mode = typeof expected === 'number' ? 'revision' : expected;
    const ids = events.map((e) => e.id);
    const params: unknown[] = [
      streamName,
      events.length,
      ids,
      events.map((e) => e.type),
      json.map((j) => j.data),
      json.map((j) => j.metadata),
    ];
    if (mode === 'revision') params.push(expected);
    // A re-append of ids already in the log (with 'any'/'exists'), or a twin that won the race,
    // makes the insert hit the unique index: then the database answers what the first append did.
    for (let attempt = 0; ; attempt++) {
      try {
        const { rows } = await this.query<{
          next_revision: string | null;
          commit_position: string;
          prepare_position: string | null;
        }>({ name: `es_append_${mode}`, text: appendStatements[mode], values: params });
        const row = rows[0];
        if (!row || row.next_revision === null || row.prepare_position === null) {
          // the stream was not where the caller expected: a re-append of the same ids answers
          // what the first append did; anything else is a wrong expected version
          const earlier = await this.previousAppend(streamName, events);
          if (earlier) return earlier;
          const { rows: current } = await this.query<{ revision: string }>(
            'SELECT revision FROM es_streams WHERE stream_name = $1',
            [streamName],
          );
          const actual = current[0] ? Number(current[0].revision) : 'no_stream';
          throw new WrongExpectedVersionError(streamName, expected, actual);
        }
        this.notifier.announce(this.pool);
        return {
          nextRevision: Number(row.next_revision),
          position: { commit: BigInt(row.commit_position), prepare: BigInt(row.prepare_position) },
          duplicate: false,
        };
      } catch (error) {
        if (!isPgError(error)) throw error;
        if (error.code === '23505' && error.constraint === 'es_events_event_id_key' && attempt < 2) {
          const earlier = await this.previousAppend(streamName, events);
          if (earlier) return earlier;
          continue; // the conflicting append rolled back: try ours again
        }
        throw error;
      }
    }
  }

  /** What an earlier append of these event ids answered, if it is in the log. */
  private async previousAppend(streamName: string, events: EventToAppend[]): Promise<AppendResult | undefined> {
    try {
      const { rows } = await this.query<{
        next_revision: string;
        commit_position: string;
        prepare_position: string;
      }>('SELECT * FROM es_previous_append($1, $2::uuid[])', [streamName, events.map((e) => e.id)]);
      const row = rows[0];
      if (!row) return undefined;
      return {
        nextRevision: Number(row.next_revision),
        position: { commit: BigInt(row.commit_position), prepare: BigInt(row.prepare_position) },
        duplicate: true,
      };
    } catch (error) {
      if (isPgError(error) && error.code === 'ES002') {
        throw new IdempotencyConflictError(
          streamName,
          events.map((e) => e.id),
        );
      }
      throw error;
    }
  }

  async readStream(streamName: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    const issues = validateStreamName(streamName);
    if (issues.length) throw new EventStoreValidationError(issues);
    validateLimit(options.limit);
    const direction = options.direction ?? 'forwards';
    const limit = options.limit ?? 1_000_000;
    const from = options.fromRevision ?? (direction === 'forwards' ? 'start' : 'end');
    if (typeof from === 'number' && (!Number.isSafeInteger(from) || from < 0)) {
      throw new EventStoreValidationError([{ path: 'fromRevision', message: 'must be an integer >= 0' }]);
    }
    const bound = from === 'start' ? 0 : from === 'end' ? Number.MAX_SAFE_INTEGER : from;
    const sql =
      direction === 'forwards'
        ? `SELECT ${EVENT_COLUMNS} FROM es_events WHERE stream_name = $1 AND stream_revision >= $2
             ORDER BY stream_revision LIMIT $3`
        : `SELECT ${EVENT_COLUMNS} FROM es_events WHERE stream_name = $1 AND stream_revision <= $2
             ORDER BY stream_revision DESC LIMIT $3`;
    // named: parsed and planned once per connection (a command reads its stream every time)
    const { rows } = await this.query<EventRow>({
      name: direction === 'forwards' ? 'es_read_stream' : 'es_read_stream_back',
      text: sql,
      values: [streamName, bound, limit],
    });
    return rows.map(toRecorded);
  }

  async readAll(options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    validateLimit(options.limit);
    const after = options.after ?? START;
    const { rows } = await this.query<EventRow>({
      name: 'es_read_all',
      text: `SELECT ${EVENT_COLUMNS} FROM es_events
        WHERE (transaction_id, global_position) > ($1::text::xid8, $2::bigint) AND ${VISIBLE}
        ORDER BY transaction_id, global_position LIMIT $3`,
      // xid8 has no negative values: START reads from transaction 0
      values: [
        after.commit < 0n ? '0' : after.commit.toString(),
        after.prepare.toString(),
        options.limit ?? this.batchSize,
      ],
    });
    return rows.map(toRecorded);
  }

  subscribeToAll(options: SubscribeOptions = {}): Subscription {
    return new PostgresSubscription(this, this.notifier, options, this.pollIntervalMs, this.batchSize);
  }

  async countEvents(upTo: Position): Promise<number> {
    if (upTo.commit < 0n) return 0;
    const { rows } = await this.query<{ n: string }>({
      text: `SELECT count(*) AS n FROM es_events
        WHERE (transaction_id, global_position) <= ($1::text::xid8, $2::bigint) AND ${VISIBLE}`,
      values: [upTo.commit.toString(), upTo.prepare.toString()],
    });
    return Number(rows[0]?.n ?? 0);
  }

  async headPosition(): Promise<Position> {
    const { rows } = await this.query<{ commit_position: string; global_position: string }>(
      `SELECT transaction_id::text AS commit_position, global_position FROM es_events WHERE ${VISIBLE}
        ORDER BY transaction_id DESC, global_position DESC LIMIT 1`,
    );
    const row = rows[0];
    return row ? { commit: BigInt(row.commit_position), prepare: BigInt(row.global_position) } : START;
  }

  /**
   * Readers stop below the oldest running transaction that has an id (`pg_snapshot_xmin`), in
   * any database of the cluster: this is how long the one in front has been open. Prepared
   * transactions count too. A role without `pg_read_all_stats` sees only its own sessions.
   */
  async holdBack(): Promise<NonNullable<EventStoreHealth['holdBack']>> {
    const { rows } = await this.query<{ seconds: number | null; database: string | null }>({
      name: 'es_hold_back',
      text: `SELECT extract(epoch FROM clock_timestamp() - started)::float8 AS seconds, database FROM (
          SELECT xact_start AS started, datname::text AS database FROM pg_stat_activity
           WHERE backend_xid IS NOT NULL AND xact_start IS NOT NULL
          UNION ALL
          SELECT prepared, database::text FROM pg_prepared_xacts
        ) open ORDER BY started LIMIT 1`,
    });
    const row = rows[0];
    return { oldestTransactionSeconds: Math.max(0, row?.seconds ?? 0), database: row?.database ?? null };
  }

  async health(): Promise<EventStoreHealth> {
    try {
      const [head, holdBack] = await Promise.all([this.headPosition(), this.holdBack()]);
      return { ok: true, adapter: this.adapter, head: `${head.commit}-${head.prepare}`, holdBack };
    } catch (error) {
      return { ok: false, adapter: this.adapter, detail: (error as Error).message };
    }
  }

  async close(): Promise<void> {
    await this.notifier.close();
  }
}

class PostgresSubscription implements Subscription {
  private current: Position;
  private closed = false;
  private wakeClosed: (() => void) | undefined;

  constructor(
    private readonly store: PostgresEventStore,
    private readonly notifier: LogNotifier,
    private readonly options: SubscribeOptions,
    private readonly pollIntervalMs: number,
    private readonly batchSize: number,
  ) {
    this.current = options.after ?? START;
  }

  get position(): Position {
    return this.current;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.wakeClosed?.();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<RecordedEvent> {
    const release = this.notifier.register();
    try {
      while (!this.closed) {
        const seen = this.notifier.generation;
        const batch = await this.store.readAll({ after: this.current, limit: this.batchSize });
        for (const event of batch) {
          if (this.closed) return;
          if (comparePositions(event.position, this.current) <= 0) continue;
          this.current = event.position;
          if (matchesFilter(event, this.options.filter)) yield event;
        }
        if (batch.length < this.batchSize && this.notifier.generation === seen) {
          await new Promise<void>((resolve) => {
            const timer = setTimeout(done, this.pollIntervalMs);
            const unsubscribe = this.notifier.onWake(done);
            this.wakeClosed = done;
            function done() {
              clearTimeout(timer);
              unsubscribe();
              resolve();
            }
          });
        }
      }
    } finally {
      this.closed = true;
      release();
    }
  }
}
