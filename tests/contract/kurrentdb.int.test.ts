import { randomUUID } from 'node:crypto';
import { request } from 'node:http';
import { jsonEvent, KurrentDBClient } from '@kurrent/kurrentdb-client';
import { afterAll, describe, it } from 'vitest';
import { KurrentDbEventStore } from '../../eventstore/kurrentdb/kurrentdbEventStore.js';
import { freePort } from '../support/freePort.js';
import { eventStoreContract } from './eventStoreContract.js';
import { eventStoreOrderingContract } from './eventStoreOrderingContract.js';
import { eventStoreParityContract, type ParityHarness } from './eventStoreParityContract.js';

/**
 * The same contract against KurrentDB: a server at KURRENTDB_URL, or one started by
 * @testcontainers/kurrentdb where a Docker engine answers. Elsewhere one line says why not.
 */
const url = process.env.KURRENTDB_URL;

function dockerAnswers(): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request({ socketPath: '/var/run/docker.sock', path: '/_ping', timeout: 1000 }, (res) =>
      resolve(res.statusCode === 200),
    );
    req.on('error', () => resolve(false));
    req.on('timeout', () => req.destroy());
    req.end();
  });
}
const docker = !url && (process.env.DOCKER_HOST !== undefined || (await dockerAnswers()));

/** One server for both suites of this file. */
let server: Promise<{ connectionString: string; stop(): Promise<unknown> }> | undefined;
function kurrentDb() {
  server ??= (async () => {
    if (url) return { connectionString: url, stop: async () => undefined };
    const { KurrentDbContainer } = await import('@testcontainers/kurrentdb');
    const container = await new KurrentDbContainer('docker.kurrent.io/kurrent-latest/kurrentdb:latest').start();
    return { connectionString: container.getConnectionString(), stop: () => container.stop() };
  })();
  return server;
}
afterAll(async () => (server ? (await server).stop() : undefined));

async function open(): Promise<ParityHarness> {
  const { connectionString } = await kurrentDb();
  const client = KurrentDBClient.connectionString(connectionString);
  const store = new KurrentDbEventStore(client);
  return {
    store,
    async appendSlowly(stream, events, delayMs) {
      // KurrentDB has no client-visible transaction to hold open; delay between appends instead.
      await new Promise((r) => setTimeout(r, delayMs));
      await store.append(stream, events);
    },
    async deleteStream(stream, how) {
      if (how === 'soft') await client.deleteStream(stream);
      else await client.tombstoneStream(stream);
    },
    async truncateStream(stream, beforeRevision) {
      await client.setStreamMetadata(stream, { truncateBefore: beforeRevision });
    },
    async appendSystemEvents(count) {
      // plain types in a `$` stream (the server filter lets them through) and `$metadata` events
      const noise = Array.from({ length: Math.ceil(count / 2) }, (_, i) => jsonEvent({ type: 'Noise', data: { i } }));
      await client.appendToStream(`$parity-${randomUUID()}`, noise);
      const scratch = `parityscratch-${randomUUID()}`;
      for (let i = 0; i < Math.floor(count / 2); i++) await client.setStreamMetadata(scratch, { maxCount: 10 + i });
    },
    async storedMetadata(stream, revision) {
      for await (const resolved of client.readStream(stream, { fromRevision: BigInt(revision), maxCount: 1 })) {
        return (resolved.event?.metadata ?? {}) as Record<string, unknown>;
      }
      throw new Error(`no event ${revision}@${stream}`);
    },
    async unreachable() {
      return KurrentDbEventStore.connect(`kurrentdb://127.0.0.1:${await freePort()}?tls=false`, { deadlineMs: 3000 });
    },
    async cleanup() {
      await store.close();
    },
  };
}

if (url || docker) {
  // the adapter finds re-appends in the stream's tail itself (README: what is guaranteed)
  eventStoreContract('kurrentdb', open, { reportsDuplicates: true, refusesPartialReappend: true });
  eventStoreParityContract('kurrentdb', open, {
    idsUniqueAcrossStreams: false,
    capabilities: ['deleteStream', 'truncateStream', 'storedMetadata', 'unreachable'],
  });
  eventStoreOrderingContract(
    'kurrentdb',
    async () => {
      const { store, cleanup } = await open();
      return {
        store,
        // no client-visible transaction to hold open: the hold becomes a pause before the append
        async appendHeld(stream, events, expected, holdMs) {
          await new Promise((r) => setTimeout(r, holdMs));
          await store.append(stream, events, { expected });
        },
        cleanup,
      };
    },
    { holdsTransactions: false },
  );
} else {
  const reason = 'no KURRENTDB_URL is set and no Docker engine answers on this machine';
  console.log(`EventStore contract: kurrentdb skipped: ${reason}`);
  describe.skip(`EventStore contract: kurrentdb (skipped: ${reason})`, () => {
    it('runs the contract suite', () => undefined);
  });
}
