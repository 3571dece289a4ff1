import { mkdtemp, chmod, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { startEmbeddedPostgres, type RunningPostgres } from '../../platform/database/embeddedPostgres.js';
import { freePort } from './freePort.js';

declare module 'vitest' {
  export interface ProvidedContext {
    postgresAdminUrl: string;
  }
}

let server: RunningPostgres | undefined;
let dir: string | undefined;

/**
 * One real Postgres for the whole run (each test file makes its own database in it).
 * With TEST_DATABASE_URL set, that server is used instead. Durability is off: this cluster
 * is thrown away, and the benchmarks, not the tests, measure commit cost.
 */
export async function setup(project: TestProject): Promise<void> {
  const external = process.env.TEST_DATABASE_URL;
  if (external) {
    project.provide('postgresAdminUrl', external);
    return;
  }
  dir = await mkdtemp(path.join(tmpdir(), 'support-desk-test-'));
  await chmod(dir, 0o755);
  server = await startEmbeddedPostgres({
    dataDir: path.join(dir, 'pg'),
    port: await freePort(),
    settings: { fsync: 'off', synchronous_commit: 'off', full_page_writes: 'off', max_connections: 400 },
  });
  project.provide('postgresAdminUrl', server.connectionString());
}

export async function teardown(): Promise<void> {
  await server?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
}
