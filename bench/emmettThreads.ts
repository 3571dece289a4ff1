import type { Event, ReadEvent } from '@event-driven-io/emmett';
import { pongoSingleStreamProjection, rebuildPostgreSQLProjections } from '@event-driven-io/emmett-postgresql';
import type pg from 'pg';
import type { ThreadEvent } from '../domain/index.js';
import { foldInbox, type InboxRow } from '../projections/threadInbox.js';

/**
 * The thread read model built the Emmett way, for the rebuild comparison: a Pongo
 * single-stream document projection (one JSON document per thread stream, in Emmett's
 * `emt_*` schema), whose document holds what our `threads` projection writes as rows: the
 * inbox row (folded by the same `foldInbox`) and the thread's messages.
 */

type AnyThreadEvent = Event<string, Record<string, unknown>>;

interface MessageDoc {
  messageId: string;
  revision: number;
  authorKind: string;
  authorId: string;
  authorName: string;
  visibility: string;
  body: string;
  createdAt: string;
}

interface ThreadDocument {
  inbox: InboxRow | null;
  messages: MessageDoc[];
  [key: string]: unknown;
}

export const threadEventTypes = [
  'QueryRaised',
  'MessagePosted',
  'ThreadAssigned',
  'PriorityChanged',
  'ThreadResolved',
  'ThreadClosed',
  'ThreadReopened',
];

export function emmettThreadsProjection(onEvent: () => void) {
  return pongoSingleStreamProjection<ThreadDocument, AnyThreadEvent>({
    collectionName: 'bench_threads',
    canHandle: threadEventTypes,
    initialState: () => ({ inbox: null, messages: [] }),
    evolve: (document: ThreadDocument, recorded: ReadEvent<AnyThreadEvent>) => {
      onEvent();
      const event = { type: recorded.type, data: recorded.data } as unknown as ThreadEvent;
      const revision = Number(recorded.metadata.streamPosition) - 1;
      const inbox = foldInbox(document.inbox ?? undefined, event, revision) ?? null;
      if (event.type !== 'QueryRaised' && event.type !== 'MessagePosted') return { ...document, inbox };
      const d = event.data;
      const message: MessageDoc = {
        messageId: d.messageId,
        revision,
        authorKind: d.by.kind,
        authorId: d.by.id,
        authorName: d.by.name,
        visibility: event.type === 'QueryRaised' ? 'external' : event.data.visibility,
        body: d.body,
        createdAt: d.occurredAt,
      };
      return { inbox, messages: [...document.messages, message] };
    },
  });
}

/**
 * Copies our log into Emmett's tables, row for row as its `emt_append_to_stream` writes them
 * (stream position from 1, type from the name, empty metadata), in log order, one
 * transaction per 50,000 events, as a migration import would. Not through `appendToStream`
 * run concurrently: that leaves global positions out of transaction order, and Emmett's
 * consumer, which checkpoints on the global position, then skips events.
 */
export async function copyLogIntoEmmett(pool: pg.Pool, onProgress: (copied: number) => void): Promise<number> {
  await pool.query(
    `INSERT INTO emt_streams (stream_id, stream_position, stream_type, stream_metadata)
     SELECT stream_name, revision + 1, split_part(stream_name, '-', 1), '{}' FROM es_streams WHERE stream_name LIKE 'thread-%'`,
  );
  const { rows } = await pool.query<{ max: string | null }>('SELECT max(global_position) AS max FROM es_events');
  const last = Number(rows[0]?.max ?? 0);
  let copied = 0;
  for (let after = 0; after < last; after += 50_000) {
    const { rowCount } = await pool.query(
      `INSERT INTO emt_messages (stream_id, stream_position, message_data, message_metadata, message_schema_version,
                                 message_type, message_kind, message_id, transaction_id)
       SELECT stream_name, stream_revision + 1, data, '{}', '1', event_type, 'E', event_id::text, pg_current_xact_id()
         FROM es_events WHERE global_position > $1 AND global_position <= $2 AND stream_name LIKE 'thread-%'
        ORDER BY global_position`,
      [after, after + 50_000],
    );
    copied += rowCount ?? 0;
    onProgress(copied);
  }
  return copied;
}

/**
 * Emmett's rebuild of that projection from the start of its log, until no events are left or
 * `maxSeconds` pass (then it is stopped, and the rate is that of the events handled so far).
 */
export async function rebuildWithEmmett(
  url: string,
  batchSize: number,
  maxSeconds: number,
  onEvent: () => void,
): Promise<{ stopped: boolean }> {
  const consumer = rebuildPostgreSQLProjections({
    connectionString: url,
    projections: [emmettThreadsProjection(onEvent)],
    // as fast as Emmett goes: our batch size, no pause between full batches (its default is 100 events and 50 ms)
    pulling: { batchSize, pullingFrequencyInMs: 0 },
  });
  let stopped = false;
  const timer = setTimeout(() => {
    stopped = true;
    void consumer.stop();
  }, maxSeconds * 1000);
  try {
    await consumer.start();
  } finally {
    clearTimeout(timer);
    await consumer.close();
  }
  return { stopped };
}
