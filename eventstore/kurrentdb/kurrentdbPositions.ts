/** Log positions and expected revisions: ours as KurrentDB's, and KurrentDB's as ours. */
import {
  ANY,
  NO_STREAM,
  START as KDB_START,
  STREAM_EXISTS,
  type AppendStreamState,
  type CurrentStreamState,
  type Position as KdbPosition,
  type ReadPosition,
} from '@kurrent/kurrentdb-client';
import type { ExpectedRevision, Position } from '../port.js';

export function toPosition(position: KdbPosition): Position {
  return { commit: BigInt(position.commit), prepare: BigInt(position.prepare) };
}

export function toStreamState(expected: ExpectedRevision): AppendStreamState {
  switch (expected) {
    case 'no_stream':
      return NO_STREAM;
    case 'exists':
      return STREAM_EXISTS;
    case 'any':
      return ANY;
    default:
      return BigInt(expected);
  }
}

export function toActual(state: CurrentStreamState): number | 'no_stream' {
  return typeof state === 'bigint' && state >= 0n ? Number(state) : 'no_stream';
}

/** START (or any negative part) reads from the beginning of the log. */
export function toReadPosition(after: Position): ReadPosition {
  return after.commit < 0n || after.prepare < 0n ? KDB_START : { commit: after.commit, prepare: after.prepare };
}
