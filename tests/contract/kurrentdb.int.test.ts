import { request } from 'node:http';
import { describe, it } from 'vitest';
import { KurrentDbEventStore } from '../../eventstore/kurrentdb/kurrentdbEventStore.js';
import { eventStoreContract, type ContractHarness } from './eventStoreContract.js';

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

async function open(): Promise<ContractHarness> {
  let connectionString = url;
  let stopContainer = async () => undefined as unknown;
  if (!connectionString) {
    const { KurrentDbContainer } = await import('@testcontainers/kurrentdb');
    const container = await new KurrentDbContainer('docker.kurrent.io/kurrent-latest/kurrentdb:latest').start();
    connectionString = container.getConnectionString();
    stopContainer = () => container.stop();
  }
  const store = KurrentDbEventStore.connect(connectionString);
  return {
    store,
    async appendSlowly(stream, events, delayMs) {
      // KurrentDB has no client-visible transaction to hold open; delay between appends instead.
      await new Promise((r) => setTimeout(r, delayMs));
      await store.append(stream, events);
    },
    async cleanup() {
      await store.close();
      await stopContainer();
    },
  };
}

if (url || docker) {
  eventStoreContract('kurrentdb', open, { reportsDuplicates: false, refusesPartialReappend: false });
} else {
  const reason = 'no KURRENTDB_URL is set and no Docker engine answers on this machine';
  console.log(`EventStore contract: kurrentdb skipped: ${reason}`);
  describe.skip(`EventStore contract: kurrentdb (skipped: ${reason})`, () => {
    it('runs the contract suite', () => undefined);
  });
}
