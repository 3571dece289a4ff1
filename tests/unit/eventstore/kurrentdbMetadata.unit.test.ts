import { describe, expect, it } from 'vitest';
import { fromServerMetadata, toServerMetadata } from '../../../eventstore/kurrentdb/kurrentdbMetadata.js';

/** The KurrentDB adapter's metadata mapping: pure functions, so they are checked here without a server. */
describe('metadata as KurrentDB stores it', () => {
  it('maps correlationId and causationId to $correlationId and $causationId and back, and escapes our own $ keys', () => {
    const ours = {
      correlationId: 'c',
      causationId: 'k',
      actor: { type: 'user', id: 'u' },
      $mine: 1,
      chain: { prev: null },
    };
    const stored = toServerMetadata(ours as never);
    expect(stored).toEqual({ $correlationId: 'c', $causationId: 'k', actor: ours.actor, $$mine: 1, chain: ours.chain });
    expect(fromServerMetadata(stored)).toEqual(ours);
  });

  it("reads another writer's metadata without losing what cannot be ours", () => {
    expect(fromServerMetadata({ $correlationId: 'a', correlationId: 'b', $causedBy: 'x' })).toEqual({
      $correlationId: 'a',
      correlationId: 'b',
      $causedBy: 'x',
    });
  });
});
