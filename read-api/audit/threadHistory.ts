import type pg from 'pg';
import {
  emailStreamName,
  parseDomainEvent,
  threadDecider,
  threadStreamName,
  type ThreadEvent,
} from '../../domain/index.js';
import { verifyChain, type Verification } from '../../eventstore/hashChain.js';
import { comparePositions, formatPosition, type EventStore, type RecordedEvent } from '../../eventstore/port.js';
import { auditedThreadState, type AuditedThreadState } from './auditedThreadState.js';
import { sealsOf } from './seals.js';

/** Where a history entry comes from: the thread's own stream, or the stream of its email outcomes. */
export type HistorySource = 'thread' | 'email';

export interface HistoryEntry {
  source: HistorySource;
  /** The event's own stream and its revision in that stream (each stream counts from 0). */
  stream: string;
  revision: number;
  /**
   * The thread revision the entry belongs to: a thread event's own revision; for an email
   * outcome, the thread's last revision before it in the log (-1 when none).
   */
  threadRevision: number;
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
  stateAsOf: { revision: number; at: string | null; state: AuditedThreadState };
  /** One verification per stream: each stream is a hash chain of its own. */
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

function entry(e: RecordedEvent, source: HistorySource, threadRevision: number): HistoryEntry {
  const actor =
    e.metadata.actor && typeof e.metadata.actor === 'object'
      ? (e.metadata.actor as { type: string; id: string })
      : null;
  const chain = e.metadata.chain as { hash?: string } | undefined;
  return {
    source,
    stream: e.streamName,
    revision: e.revision,
    threadRevision,
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
  const emailStream = emailStreamName(threadId);
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
  // one timeline in log order; an email outcome keeps its own stream and revision, and names
  // the thread revision it followed, so a thread revision is always exactly one row
  let threadRevision = -1;
  const events = [...thread, ...email]
    .sort((a, b) => comparePositions(a.position, b.position))
    .map((e) => {
      if (e.streamName !== threadStream) return entry(e, 'email', threadRevision);
      threadRevision = e.revision;
      return entry(e, 'thread', e.revision);
    });
  return {
    threadId,
    events,
    stateAsOf: { revision, at, state: auditedThreadState(state) },
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
