import { EventStoreValidationError, type EventToAppend, type ExpectedRevision, type ValidationIssue } from './port.js';

/** `category-id` style names; `$` is reserved for system streams in KurrentDB. */
const streamNamePattern = /^[A-Za-z][A-Za-z0-9_.]*(-[A-Za-z0-9_.:@-]+)?$/;
const eventTypePattern = /^[A-Za-z][A-Za-z0-9_.-]{0,127}$/;
const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const MAX_STREAM_NAME_LENGTH = 200;
export const MAX_EVENTS_PER_APPEND = 1000;
/** Per event, data and metadata together, as UTF-8 JSON. */
export const MAX_EVENT_BYTES = 256 * 1024;
/**
 * Per append, as KurrentDB counts it (`Event.SizeOnDisk`): every event's data and metadata, as
 * UTF-8 JSON, and twice its type's length. KurrentDB up to 25.0 refuses an append above its
 * `MaxAppendSize` (1 MiB by default); both adapters refuse the same appends, with room left for
 * what the KurrentDB adapter adds (a `$` on renamed metadata keys).
 */
export const MAX_APPEND_BYTES = 1_000_000;

/** With the u flag a surrogate pair is one code point: only a lone surrogate matches. */
const loneSurrogate = /\p{Cs}/u;

/** Postgres' text and jsonb cannot hold U+0000; KurrentDB would turn a lone surrogate into U+FFFD. */
function checkText(text: string, path: string, issues: ValidationIssue[]): void {
  if (text.includes('\u0000')) issues.push({ path, message: 'must not contain the NUL character (U+0000)' });
  else if (loneSurrogate.test(text)) issues.push({ path, message: 'must be well-formed Unicode (a lone surrogate)' });
}

export function validateStreamName(streamName: unknown, issues: ValidationIssue[] = []): ValidationIssue[] {
  if (typeof streamName !== 'string' || streamName.length === 0) {
    issues.push({ path: 'streamName', message: 'must be a non-empty string' });
  } else if (streamName.length > MAX_STREAM_NAME_LENGTH) {
    issues.push({ path: 'streamName', message: `must be at most ${MAX_STREAM_NAME_LENGTH} characters` });
  } else if (!streamNamePattern.test(streamName)) {
    issues.push({
      path: 'streamName',
      message: 'must look like category-id: a letter, then letters, digits, _ or ., then optionally - and an id',
    });
  }
  return issues;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

/** JSON-safe: no undefined, functions, bigint, NaN, Infinity, Dates or class instances; bounded depth. */
function checkJson(value: unknown, path: string, issues: ValidationIssue[], depth = 0): void {
  if (depth > 32) {
    issues.push({ path, message: 'is nested too deeply (more than 32 levels)' });
    return;
  }
  if (typeof value === 'string') {
    checkText(value, path, issues);
    return;
  }
  if (value === null || typeof value === 'boolean') return;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) issues.push({ path, message: 'must be a finite number' });
    return;
  }
  if (Array.isArray(value)) {
    value.forEach((item, i) => checkJson(item, `${path}[${i}]`, issues, depth + 1));
    return;
  }
  if (isPlainObject(value)) {
    for (const [key, item] of Object.entries(value)) {
      if (item === undefined) continue; // dropped by JSON, like JSON.stringify does
      const at = `${path}.${key}`;
      checkText(key, at, issues);
      checkJson(item, at, issues, depth + 1);
    }
    return;
  }
  issues.push({ path, message: `is not JSON (${typeof value})` });
}

export function validateExpected(expected: unknown, issues: ValidationIssue[]): void {
  if (expected === 'no_stream' || expected === 'exists' || expected === 'any') return;
  if (typeof expected === 'number' && Number.isSafeInteger(expected) && expected >= 0) return;
  issues.push({ path: 'expected', message: "must be 'no_stream', 'exists', 'any' or a revision (integer >= 0)" });
}

/** Throws EventStoreValidationError naming every failing field; returns the JSON text of each event. */
export function validateAppend(
  streamName: unknown,
  events: unknown,
  expected: ExpectedRevision,
): { data: string; metadata: string }[] {
  const issues = validateStreamName(streamName);
  validateExpected(expected, issues);
  const serialised: { data: string; metadata: string }[] = [];
  let appendBytes = 0;
  if (!Array.isArray(events) || events.length === 0) {
    issues.push({ path: 'events', message: 'must be a non-empty array' });
  } else if (events.length > MAX_EVENTS_PER_APPEND) {
    issues.push({ path: 'events', message: `must hold at most ${MAX_EVENTS_PER_APPEND} events` });
  } else {
    const ids = new Set<string>();
    (events as unknown[]).forEach((raw, i) => {
      const at = `events[${i}]`;
      if (!isPlainObject(raw)) {
        issues.push({ path: at, message: 'must be an object' });
        return;
      }
      const event = raw as Partial<EventToAppend>;
      if (typeof event.id !== 'string' || !uuidPattern.test(event.id)) {
        issues.push({ path: `${at}.id`, message: 'must be a UUID' });
      } else if (ids.has(event.id.toLowerCase())) {
        issues.push({ path: `${at}.id`, message: 'is repeated within the append' });
      } else {
        ids.add(event.id.toLowerCase());
      }
      if (typeof event.type !== 'string' || !eventTypePattern.test(event.type)) {
        issues.push({
          path: `${at}.type`,
          message: 'must start with a letter and hold letters, digits, _ . - (max 128)',
        });
      }
      if (!isPlainObject(event.data)) {
        issues.push({ path: `${at}.data`, message: 'must be a JSON object' });
      } else {
        checkJson(event.data, `${at}.data`, issues);
      }
      if (event.metadata !== undefined && !isPlainObject(event.metadata)) {
        issues.push({ path: `${at}.metadata`, message: 'must be a JSON object' });
      } else if (event.metadata !== undefined) {
        checkJson(event.metadata, `${at}.metadata`, issues);
      }
      if (issues.length === 0) {
        const data = JSON.stringify(event.data);
        const metadata = JSON.stringify(event.metadata ?? {});
        const bytes = Buffer.byteLength(data, 'utf8') + Buffer.byteLength(metadata, 'utf8');
        if (bytes > MAX_EVENT_BYTES) {
          issues.push({ path: at, message: `is larger than ${MAX_EVENT_BYTES} bytes of JSON` });
        }
        appendBytes += bytes + 2 * (event.type as string).length;
        serialised.push({ data, metadata });
      }
    });
    if (issues.length === 0 && appendBytes > MAX_APPEND_BYTES) {
      issues.push({
        path: 'events',
        message: `hold more than ${MAX_APPEND_BYTES} bytes in one append (data and metadata as JSON, and each type twice)`,
      });
    }
  }
  if (issues.length > 0) throw new EventStoreValidationError(issues);
  return serialised;
}

export function validateLimit(limit: unknown, path = 'limit'): void {
  if (limit === undefined) return;
  if (typeof limit !== 'number' || !Number.isSafeInteger(limit) || limit < 1) {
    throw new EventStoreValidationError([{ path, message: 'must be a positive integer' }]);
  }
}
