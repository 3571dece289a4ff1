/** The client's recorded events as the port's RecordedEvent. */
import type { Position as KdbPosition } from '@kurrent/kurrentdb-client';
import { START, type JsonObject, type RecordedEvent } from '../port.js';
import { fromServerMetadata } from './kurrentdbMetadata.js';
import { toPosition } from './kurrentdbPositions.js';

/** The fields of the client's recorded events (stream, $all and subscription reads) that we use. */
export interface KdbRecord {
  streamId: string;
  id: string;
  revision: bigint;
  type: string;
  created: Date;
  data: unknown;
  metadata: unknown;
  position?: KdbPosition | undefined;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value) || value instanceof Uint8Array) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

/** JSON objects pass through; bytes holding a JSON object are parsed; anything else becomes {}. */
function toJsonObject(value: unknown): JsonObject {
  if (value instanceof Uint8Array) {
    try {
      return toJsonObject(JSON.parse(Buffer.from(value).toString('utf8')) as unknown);
    } catch {
      return {};
    }
  }
  return isPlainObject(value) ? (value as JsonObject) : {};
}

export function toRecordedEvent(record: KdbRecord, commitPosition: bigint | undefined): RecordedEvent {
  // `position` is on every $all event, and on stream events from servers newer than 22.6.
  const position = record.position
    ? toPosition(record.position)
    : commitPosition !== undefined
      ? { commit: commitPosition, prepare: commitPosition }
      : START;
  return {
    id: record.id,
    streamName: record.streamId,
    revision: Number(record.revision),
    position,
    type: record.type,
    data: toJsonObject(record.data),
    metadata: fromServerMetadata(toJsonObject(record.metadata)),
    createdAt: record.created,
  };
}

/** KurrentDB's own events: `$`-prefixed types (`$metadata`, `$>` links, `$streamDeleted`...) or streams. */
export function isSystemEvent(event: { streamName: string; type: string }): boolean {
  return event.streamName.startsWith('$') || event.type.startsWith('$');
}
