/**
 * Our event metadata as KurrentDB stores it, and back: pure functions, so
 * tests/unit/eventstore/kurrentdbMetadata.unit.test.ts checks them without a server.
 */
import type { EventMetadata, JsonObject, JsonValue } from '../port.js';

/** KurrentDB's names for the two metadata fields its own projections follow. */
const toServerKey: Record<string, string> = { correlationId: '$correlationId', causationId: '$causationId' };
const fromServerKey: Record<string, string> = { $correlationId: 'correlationId', $causationId: 'causationId' };

/**
 * Our metadata as KurrentDB stores it: `correlationId`/`causationId` under KurrentDB's own
 * `$correlationId`/`$causationId` (which `$by_correlation_id` and `linkTo`/`emit` follow), and a
 * key of ours that starts with `$` (reserved by KurrentDB) behind one more `$`. One to one, so a
 * read gives back exactly what was written.
 */
export function toServerMetadata(metadata: EventMetadata | undefined): JsonObject {
  const stored: JsonObject = {};
  for (const [key, value] of Object.entries(metadata ?? {})) {
    if (value === undefined) continue;
    const name = toServerKey[key] ?? (key.startsWith('$') ? `$${key}` : key);
    stored[name] = value as JsonValue;
  }
  return stored;
}

/** The inverse of toServerMetadata; events of other writers keep what has no inverse. */
export function fromServerMetadata(stored: JsonObject): EventMetadata {
  const metadata: EventMetadata = {};
  for (const [key, value] of Object.entries(stored)) {
    const plain = fromServerKey[key];
    // a plain `correlationId` beside `$correlationId` can only come from another writer: keep both
    const name = plain && !(plain in stored) ? plain : key.startsWith('$$') ? key.slice(1) : key;
    metadata[name] = value;
  }
  return metadata;
}
