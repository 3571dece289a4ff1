import { mkdtemp, chmod, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startEmbeddedPostgres } from '../platform/database/embeddedPostgres.js';
import { freePort } from '../tests/support/freePort.js';

/**
 * The Postgres a benchmark measures against: DATABASE_URL when set, otherwise a fresh embedded
 * cluster with default (durable) settings, thrown away afterwards.
 */
export async function benchPostgres(): Promise<{ url: string; stop: () => Promise<void> }> {
  if (process.env.DATABASE_URL) return { url: process.env.DATABASE_URL, stop: async () => undefined };
  const dir = await mkdtemp(path.join(tmpdir(), 'support-desk-bench-'));
  await chmod(dir, 0o755);
  const server = await startEmbeddedPostgres({ dataDir: path.join(dir, 'pg'), port: await freePort() });
  return {
    url: server.connectionString(),
    stop: async () => {
      await server.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Runs `work` on `concurrency` workers until `seconds` pass; answers operations per second. */
export async function throughput(
  concurrency: number,
  seconds: number,
  work: (worker: number, iteration: number) => Promise<number>,
): Promise<number> {
  const deadline = performance.now() + seconds * 1000;
  const started = performance.now();
  const counts = await Promise.all(
    Array.from({ length: concurrency }, async (_, worker) => {
      let done = 0;
      for (let i = 0; performance.now() < deadline; i++) done += await work(worker, i);
      return done;
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  return counts.reduce((a, b) => a + b, 0) / elapsed;
}

export function progress(line: string): void {
  process.stderr.write(`\r\x1b[2K${line}`);
}
