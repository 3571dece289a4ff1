import { randomUUID } from 'node:crypto';
import { UnavailableError, NotLeaderError, type AppendResult as KdbAppendResult } from '@kurrent/kurrentdb-client';
import { describe, expect, it } from 'vitest';
import {
  fromServerMetadata,
  KurrentDbEventStore,
  toServerMetadata,
  type KurrentDbClientLike,
} from '../../../eventstore/kurrentdb/kurrentdbEventStore.js';
import {
  EventStoreUnavailableError,
  EventStoreValidationError,
  IdempotencyConflictError,
  type EventToAppend,
} from '../../../eventstore/port.js';
import { freePort } from '../../support/freePort.js';
import { eventStoreContract } from '../../contract/eventStoreContract.js';
import { eventStoreParityContract, type ParityHarness } from '../../contract/eventStoreParityContract.js';
import { FakeKurrentDb, type FakeKurrentDbOptions } from './kurrentdbFakeServer.js';

/**
 * The KurrentDB adapter over a model of the server (kurrentdbFakeServer.ts, written from the
 * server's source): the adapter's own logic, here, where no KurrentDB can run. The same suites run
 * against a real server in tests/contract/kurrentdb.int.test.ts.
 */

function harness(options: FakeKurrentDbOptions = {}): ParityHarness & { server: FakeKurrentDb } {
  const server = new FakeKurrentDb(options);
  const store = new KurrentDbEventStore(server, { deadlineMs: 5000 });
  return {
    server,
    store,
    async appendSlowly(stream, events, delayMs) {
      await new Promise((r) => setTimeout(r, delayMs));
      await store.append(stream, events);
    },
    async deleteStream(stream, how) {
      if (how === 'soft') server.deleteStream(stream);
      else server.tombstoneStream(stream);
    },
    async truncateStream(stream, before) {
      server.truncateStream(stream, before);
    },
    async appendSystemEvents(count) {
      server.appendSystemEvents(count);
    },
    async storedMetadata(stream, revision) {
      return server.storedMetadata(stream, revision);
    },
    async forgetCaches() {
      server.restart();
    },
    async unreachable() {
      return KurrentDbEventStore.connect(`kurrentdb://127.0.0.1:${await freePort()}?tls=false`, { deadlineMs: 3000 });
    },
    async cleanup() {
      await store.close();
    },
  };
}

eventStoreContract('kurrentdb adapter over a model of the server', async () => harness(), {
  reportsDuplicates: true,
  refusesPartialReappend: true,
});
eventStoreParityContract('kurrentdb adapter over a model of the server', async () => harness(), {
  idsUniqueAcrossStreams: false,
});

const event = (type = 'ThingHappened', data: Record<string, unknown> = {}): EventToAppend => ({
  id: randomUUID(),
  type,
  data: { ...data } as EventToAppend['data'],
  metadata: { correlationId: randomUUID() },
});
const streamOf = () => `unit-${randomUUID()}`;

describe('the model of the server, without the adapter (why the adapter checks the tail itself)', () => {
  it('when the same ids are appended again with the current revision, then the server writes them again', async () => {
    const server = new FakeKurrentDb();
    const stream = streamOf();
    const batch = [event()].map((e) => ({ ...e, contentType: 'application/json' as const, metadata: {} }));
    await server.appendToStream(stream, batch, { streamState: 'no_stream' });
    await server.appendToStream(stream, batch, { streamState: 0n });
    expect(server.storedEvents(stream)).toHaveLength(2);
  });

  it('when the same ids are appended again with any after a restart, then the server writes them again', async () => {
    const server = new FakeKurrentDb();
    const stream = streamOf();
    const batch = [event()].map((e) => ({ ...e, contentType: 'application/json' as const, metadata: {} }));
    await server.appendToStream(stream, batch);
    await server.appendToStream(stream, batch);
    expect(server.storedEvents(stream)).toHaveLength(1); // the cache knew them
    server.restart();
    await server.appendToStream(stream, batch);
    expect(server.storedEvents(stream)).toHaveLength(2);
  });
});

describe('the KurrentDB adapter', () => {
  it('when the earlier append is beyond the window but the caller passes its expected revision, then the server finds it and the answer is a duplicate', async () => {
    const server = new FakeKurrentDb();
    const store = new KurrentDbEventStore(server, { idempotencyWindow: 2 });
    const stream = streamOf();
    const batch = [event(), event()];
    const first = await store.append(stream, batch, { expected: 'no_stream' });
    for (let i = 0; i < 10; i++) await store.append(stream, [event()]);
    server.restart();
    const again = await store.append(stream, batch, { expected: 'no_stream' });
    expect(again).toEqual({ ...first, duplicate: true });
    expect(server.storedEvents(stream)).toHaveLength(12);
  });

  it('when the earlier append is beyond the window and the caller passes any after a server restart, then it is written again (the documented limit)', async () => {
    const server = new FakeKurrentDb();
    const store = new KurrentDbEventStore(server, { idempotencyWindow: 2 });
    const stream = streamOf();
    const batch = [event()];
    await store.append(stream, batch);
    for (let i = 0; i < 5; i++) await store.append(stream, [event()]);
    server.restart();
    expect(await store.append(stream, batch)).toMatchObject({ duplicate: false, nextRevision: 6 });
  });

  it('when two adapters (two processes) race the same ids, then the server writes one copy and both answer its result', async () => {
    const server = new FakeKurrentDb();
    const [one, two] = [new KurrentDbEventStore(server), new KurrentDbEventStore(server)];
    const stream = streamOf();
    await one.append(stream, [event()], { expected: 'no_stream' });
    const batch = [event(), event()];
    const results = await Promise.all([
      one.append(stream, batch, { expected: 0 }),
      two.append(stream, batch, { expected: 0 }),
    ]);
    expect(results[0]).toMatchObject({ nextRevision: 2, position: results[1].position });
    expect(results[1]).toMatchObject({ nextRevision: 2 });
    expect(server.storedEvents(stream)).toHaveLength(3);
  });

  it("when the server refuses the size (its MaxAppendSize is lower than the adapter's), then it is a validation error", async () => {
    const server = new FakeKurrentDb({ maxAppendSize: 2000 });
    const store = new KurrentDbEventStore(server, { maxAppendSize: 10_000_000 });
    const error = await store.append(streamOf(), [event('Big', { text: 'x'.repeat(5000) })]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EventStoreValidationError);
    expect((error as EventStoreValidationError).message).toMatch(/MaxAppendSize of 2000/);
  });

  it('when an append is over MaxAppendSize as the server counts it (types count twice), then nothing is sent', async () => {
    const server = new FakeKurrentDb();
    const store = new KurrentDbEventStore(server, { maxAppendSize: 10_000 });
    const type = `T${'y'.repeat(120)}`;
    // 40 × (16 bytes of data and metadata + 2 × 121) = 10,320 bytes; without the types, 640
    const events = Array.from({ length: 40 }, () => ({ id: randomUUID(), type, data: { n: 12345678 } }));
    const error = await store.append(streamOf(), events).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EventStoreValidationError);
    expect(server.appendCalls).toBe(0);
  });

  it('when the server fails a partial re-append of any it found in its cache, then it is an idempotency conflict', async () => {
    const server = new FakeKurrentDb();
    const store = new KurrentDbEventStore(server, { idempotencyWindow: 1 });
    const stream = streamOf();
    const [a, b] = [event(), event()];
    await store.append(stream, [a!, b!]); // later, the window (1 + 2 - 1 events) holds neither
    for (let i = 0; i < 3; i++) await store.append(stream, [event()]);
    const error = await store.append(stream, [a!, event()]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(IdempotencyConflictError);
    expect(server.storedEvents(stream)).toHaveLength(5);
  });

  it.each([
    ['UnavailableError', new UnavailableError(undefined, 'Server Is Not Ready')],
    ['a raw gRPC 14 UNAVAILABLE', Object.assign(new Error('14 UNAVAILABLE: No connection established'), { code: 14 })],
    ['a raw gRPC 4 DEADLINE_EXCEEDED', Object.assign(new Error('4 DEADLINE_EXCEEDED'), { code: 4 })],
    ['NotLeaderError', Object.create(NotLeaderError.prototype, { message: { value: 'not leader' } }) as Error],
    ['a failed discovery', new Error('Failed to discover after 10 attempts.')],
  ])('when the client throws %s, then every call is EventStoreUnavailableError', async (_, thrown) => {
    const failing: KurrentDbClientLike = {
      appendToStream: () => Promise.reject(thrown),
      readStream: () => ({
        [Symbol.asyncIterator]: () => ({ next: () => Promise.reject(thrown) }),
      }),
      readAll: () => ({
        [Symbol.asyncIterator]: () => ({ next: () => Promise.reject(thrown) }),
      }),
      subscribeToAll: () => new FakeKurrentDb({ silentSubscriptions: true }).subscribeToAll(),
      getStreamMetadata: () => Promise.reject(thrown),
      dispose: () => Promise.resolve(),
    };
    const store = new KurrentDbEventStore(failing, { retryAfterSeconds: 2 });
    for (const call of [
      () => store.append(streamOf(), [event()]),
      () => store.readStream(streamOf()),
      () => store.readAll(),
      () => store.headPosition(),
    ]) {
      const error = await call().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(EventStoreUnavailableError);
      expect(error).toMatchObject({ adapter: 'kurrentdb', retryAfterSeconds: 2 });
    }
    expect(await store.health()).toMatchObject({ ok: false });
  });

  it('when the server accepts a subscription but never confirms it, then the iteration ends with EventStoreUnavailableError', async () => {
    const store = new KurrentDbEventStore(new FakeKurrentDb({ silentSubscriptions: true }), { deadlineMs: 200 });
    const error = await (async () => {
      for await (const _ of store.subscribeToAll()) return undefined;
    })().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EventStoreUnavailableError);
  });

  it('when a call does not answer within the deadline, then it is EventStoreUnavailableError', async () => {
    const hanging: KurrentDbClientLike = {
      appendToStream: () => new Promise<KdbAppendResult>(() => undefined),
      readStream: () => ({ [Symbol.asyncIterator]: () => ({ next: () => new Promise(() => undefined) }) }),
      readAll: () => ({ [Symbol.asyncIterator]: () => ({ next: () => new Promise(() => undefined) }) }),
      subscribeToAll: () => new FakeKurrentDb({ silentSubscriptions: true }).subscribeToAll(),
      getStreamMetadata: () => new Promise(() => undefined),
      dispose: () => Promise.resolve(),
    };
    const store = new KurrentDbEventStore(hanging, { deadlineMs: 100 });
    const error = await store.readStream(streamOf()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EventStoreUnavailableError);
    expect((error as Error).message).toMatch(/did not answer within 100 ms/);
  });
});

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
