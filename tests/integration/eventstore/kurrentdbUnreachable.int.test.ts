import { randomUUID } from 'node:crypto';
import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KurrentDbEventStore } from '../../../eventstore/kurrentdb/kurrentdbEventStore.js';
import {
  EventStoreUnavailableError,
  EventStoreValidationError,
  type EventStore,
  type EventToAppend,
} from '../../../eventstore/port.js';
import { MAX_EVENT_BYTES } from '../../../eventstore/validation.js';
import { freePort } from '../../support/freePort.js';

/**
 * The real client against a KurrentDB that is not there: nothing listening on the port (the client
 * gets ECONNREFUSED, a raw gRPC `14 UNAVAILABLE` before this adapter mapped it), and a host that
 * accepts the connection and never answers (the client's append then waits forever on its
 * server-features call, and a subscription on its confirmation). Both must be
 * EventStoreUnavailableError, which the API answers 503 with Retry-After.
 */

const event = (data: Record<string, unknown> = {}): EventToAppend => ({
  id: randomUUID(),
  type: 'ThingHappened',
  data: { ...data } as EventToAppend['data'],
});

async function failure(run: () => Promise<unknown>): Promise<unknown> {
  return run().then(
    () => undefined,
    (error: unknown) => error,
  );
}

async function firstEvent(store: EventStore): Promise<unknown> {
  for await (const received of store.subscribeToAll()) return received;
  return undefined;
}

function expectUnavailableEverywhere(store: () => EventStore) {
  it.each([
    ['append', (s: EventStore) => s.append(`thread-${randomUUID()}`, [event()])],
    [
      'append with an exact revision',
      (s: EventStore) => s.append(`thread-${randomUUID()}`, [event()], { expected: 3 }),
    ],
    ['readStream', (s: EventStore) => s.readStream(`thread-${randomUUID()}`)],
    ['readAll', (s: EventStore) => s.readAll({ limit: 5 })],
    ['headPosition', (s: EventStore) => s.headPosition()],
    ['a subscription', (s: EventStore) => firstEvent(s)],
  ])('when %s is called, then it is EventStoreUnavailableError', async (_, call) => {
    const error = await failure(() => call(store()));
    expect(error).toBeInstanceOf(EventStoreUnavailableError);
    expect(error).toMatchObject({ adapter: 'kurrentdb', code: 'unavailable', retryAfterSeconds: 5 });
  });

  it('when asked for its health, then it is not ok', async () => {
    expect(await store().health()).toMatchObject({ ok: false, adapter: 'kurrentdb' });
  });

  it('when an append is too large, then it is a validation error: nothing was sent', async () => {
    const big = Array.from({ length: 5 }, () => event({ text: 'x'.repeat(MAX_EVENT_BYTES - 1000) }));
    expect(await failure(() => store().append(`thread-${randomUUID()}`, big))).toBeInstanceOf(
      EventStoreValidationError,
    );
  });
}

describe('KurrentDB adapter: nothing listening on the port', () => {
  let store: KurrentDbEventStore;
  beforeAll(async () => {
    store = KurrentDbEventStore.connect(`kurrentdb://127.0.0.1:${await freePort()}?tls=false`, { deadlineMs: 3000 });
  });
  afterAll(() => store.close());
  expectUnavailableEverywhere(() => store);
});

describe('KurrentDB adapter: a host that accepts connections and never answers', () => {
  let server: Server;
  const sockets = new Set<Socket>();
  let store: KurrentDbEventStore;
  beforeAll(async () => {
    server = createServer((socket) => {
      sockets.add(socket);
      socket.on('error', () => undefined);
      socket.on('close', () => sockets.delete(socket));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    store = KurrentDbEventStore.connect(`kurrentdb://127.0.0.1:${port}?tls=false`, { deadlineMs: 1500 });
  });
  afterAll(async () => {
    await store.close();
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => server.close(resolve));
  });
  expectUnavailableEverywhere(() => store);
});
