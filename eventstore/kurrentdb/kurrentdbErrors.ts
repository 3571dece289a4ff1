/** What the client throws, as the port's errors (README.md: "Unreachable server", "Size"). */
import {
  AppendRecordSizeExceededError,
  CancelledError,
  DeadlineExceededError,
  MaxAppendSizeExceededError,
  NotLeaderError,
  StreamDeletedError as KdbStreamDeletedError,
  StreamTombstonedError,
  TimeoutError,
  UnavailableError,
} from '@kurrent/kurrentdb-client';
import { EventStoreError, EventStoreUnavailableError, EventStoreValidationError, StreamDeletedError } from '../port.js';

/** gRPC status codes that say "not now" rather than "no": unavailable, deadline exceeded, internal. */
const unavailableCodes = new Set([4, 13, 14]);

export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The raw gRPC metadata entry `exception` (the server's name for an error the client may not know). */
function serverException(error: unknown): string | undefined {
  const raw = (error as { _raw?: unknown; metadata?: unknown })._raw ?? error;
  const metadata = (raw as { metadata?: { get?: (key: string) => unknown[] } } | null)?.metadata;
  const value = typeof metadata?.get === 'function' ? metadata.get('exception')?.[0] : undefined;
  return typeof value === 'string' ? value : undefined;
}

export function unavailable(reason: string, retryAfterSeconds: number, cause?: unknown): EventStoreUnavailableError {
  return new EventStoreUnavailableError('kurrentdb', reason, retryAfterSeconds, { cause });
}

/** The port's error for whatever the client threw; errors it has no name for pass through. */
export function toStoreError(error: unknown, retryAfterSeconds: number, streamName?: string): unknown {
  if (error instanceof EventStoreError) return error;
  if (error instanceof KdbStreamDeletedError || error instanceof StreamTombstonedError) {
    return new StreamDeletedError(streamName ?? ('streamName' in error ? error.streamName : error.stream));
  }
  if (error instanceof MaxAppendSizeExceededError) {
    return new EventStoreValidationError([
      { path: 'events', message: `hold more than the server's MaxAppendSize of ${error.maxAppendSize} bytes` },
    ]);
  }
  if (
    error instanceof AppendRecordSizeExceededError ||
    serverException(error) === 'maximum-append-event-size-exceeded' ||
    /maximum append (event )?size/i.test(errorText(error))
  ) {
    return new EventStoreValidationError([
      { path: 'events', message: `too large for the server: ${errorText(error)}` },
    ]);
  }
  if (
    error instanceof UnavailableError ||
    error instanceof DeadlineExceededError ||
    error instanceof TimeoutError ||
    error instanceof CancelledError ||
    error instanceof NotLeaderError
  ) {
    return unavailable(errorText(error) || error.type, retryAfterSeconds, error);
  }
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'number' && unavailableCodes.has(code))
    return unavailable(errorText(error), retryAfterSeconds, error);
  if (/^Failed to discover after \d+ attempts/.test(errorText(error)))
    return unavailable(errorText(error), retryAfterSeconds, error);
  return error;
}
