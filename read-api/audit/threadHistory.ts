import type pg from 'pg';
import {
  parseDomainEvent,
  threadDecider,
  threadStreamName,
  type ThreadEvent,
  type ThreadState,
} from '../../domain/index.js';
import { verifyChain, type Verification } from '../../eventstore/hashChain.js';
import { formatPosition, type EventStore, type RecordedEvent } from '../../eventstore/port.js';
import { sealsOf } from '../../workers/chainSealer.js';

export interface HistoryEntry {
  stream: string;
  revision: number;
  position: string;
  type: string;
  occurredAt: string;
  recordedAt: string;
  actor: { type: string; id: string } | null;
  data: Record<string, unknown>;
  hash: string | null;
}

export interface ThreadHistory {
  threadId: string;
  events: HistoryEntry[];
  stateAsOf: { revision: number; at: string | null; state: ThreadState };
  verification: { ok: boolean; streams: Verification[] };
}

/** `--as-of` / `?asOf=`: a revision of the thread stream, or a time. */
export type AsOf = { revision: number } | { time: Date } | undefined;

export function parseAsOf(text: string | undefined): AsOf | 'invalid' {
  if (text === undefined || text === '') return undefined;
  if (/^\d{1,9}$/.test(text)) return { revision: Number(text) };
  const time = new Date(text);
  return Number.isNaN(time.getTime()) ? 'invalid' : { time };
}

const occurredAtOf = (e: RecordedEvent): string => {
  const d = e.data as Record<string, unknown>;
  const at = d.occurredAt ?? d.issuedAt ?? d.revokedAt;
  return typeof at === 'string' ? at : e.createdAt.toISOString();
};

function entry(e: RecordedEvent): HistoryEntry {
  const actor =
    e.metadata.actor && typeof e.metadata.actor === 'object'
      ? (e.metadata.actor as { type: string; id: string })
      : null;
  const chain = e.metadata.chain as { hash?: string } | undefined;
  return {
    stream: e.streamName,
    revision: e.revision,
    position: formatPosition(e.position),
    type: e.type,
    occurredAt: occurredAtOf(e),
    recordedAt: e.createdAt.toISOString(),
    actor: actor ? { type: String(actor.type), id: String(actor.id) } : null,
    data: e.data as Record<string, unknown>,
    hash: chain?.hash ?? null,
  };
}

/**
 * A thread's full history for auditors: every event of the thread and of its email outcomes,
 * the thread's state as of any revision or time (replayed through the domain's own evolve),
 * and the verification of both hash chains against their seals.
 */
export async function threadHistory(
  eventStore: EventStore,
  pool: pg.Pool,
  threadId: string,
  options: { asOf?: AsOf; sealKey?: string } = {},
): Promise<ThreadHistory | undefined> {
  const threadStream = threadStreamName(threadId);
  const emailStream = `threadEmail-${threadId}`;
  const [thread, email] = await Promise.all([eventStore.readStream(threadStream), eventStore.readStream(emailStream)]);
  if (thread.length === 0) return undefined;

  let state = threadDecider.initialState;
  let revision = -1;
  let at: string | null = null;
  for (const e of thread) {
    const asOf = options.asOf;
    if (asOf && 'revision' in asOf && e.revision > asOf.revision) break;
    if (asOf && 'time' in asOf && Date.parse(occurredAtOf(e)) > asOf.time.getTime()) break;
    const version = typeof e.metadata.schemaVersion === 'number' ? e.metadata.schemaVersion : 1;
    state = threadDecider.evolve(state, parseDomainEvent(e.type, e.data, version) as ThreadEvent);
    revision = e.revision;
    at = occurredAtOf(e);
  }

  const streams = [verifyChain(threadStream, thread, await sealsOf(pool, threadStream), options.sealKey)];
  if (email.length) streams.push(verifyChain(emailStream, email, await sealsOf(pool, emailStream), options.sealKey));
  const events = [...thread, ...email]
    .sort((a, b) =>
      a.position.commit === b.position.commit
        ? Number(a.position.prepare - b.position.prepare)
        : a.position.commit < b.position.commit
          ? -1
          : 1,
    )
    .map(entry);
  return {
    threadId,
    events,
    stateAsOf: { revision, at, state },
    verification: { ok: streams.every((s) => s.ok), streams },
  };
}

const csvCell = (value: unknown): string => {
  let text = value === null || value === undefined ? '' : typeof value === 'string' ? value : JSON.stringify(value);
  // a cell starting with = + - @ would run as a formula in a spreadsheet: keep it text
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\n\r]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
};

export function historyCsv(history: ThreadHistory): string {
  const header = [
    'stream',
    'revision',
    'position',
    'type',
    'occurredAt',
    'recordedAt',
    'actorType',
    'actorId',
    'hash',
    'data',
  ];
  const lines = history.events.map((e) =>
    [e.stream, e.revision, e.position, e.type, e.occurredAt, e.recordedAt, e.actor?.type, e.actor?.id, e.hash, e.data]
      .map(csvCell)
      .join(','),
  );
  return [header.join(','), ...lines].join('\r\n') + '\r\n';
}
