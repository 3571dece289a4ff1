import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadMigrations, migrate } from '../../platform/database/migrate.js';
import { createPool } from '../../platform/database/pool.js';
import { createTestDatabase, type TestDatabase } from '../support/testDatabase.js';

describe('schema migrations', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase({ migrate: false });
  });
  afterAll(async () => db.drop());

  it('when several processes migrate one empty database at once, then each version is applied exactly once', async () => {
    const pools = Array.from({ length: 4 }, () => createPool(db.url, 2));
    const reports = await Promise.all(pools.map((p) => migrate(p)));
    await Promise.all(pools.map((p) => p.end()));
    const all = (await loadMigrations()).map((m) => m.version);
    expect(reports.flatMap((r) => r.applied).sort((a, b) => a - b)).toEqual(all);
    const { rows } = await db.pool.query('SELECT version FROM schema_migrations ORDER BY version');
    expect(rows.map((r) => r.version)).toEqual(all);
  });

  it('when run again, then nothing is applied', async () => {
    const report = await migrate(db.pool);
    expect(report.applied).toEqual([]);
    expect(report.alreadyApplied.length).toBeGreaterThan(0);
  });

  it('when an applied migration file was changed, then it refuses with a clear message', async () => {
    const [first] = await loadMigrations();
    await expect(migrate(db.pool, [{ ...first!, checksum: 'changed' }])).rejects.toThrow(
      /changed after it was applied/,
    );
  });

  it('when a migration fails, then it is rolled back and not recorded', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'migrations-'));
    await writeFile(path.join(dir, '9001_broken.sql'), 'CREATE TABLE half_done (id int); SELECT no_such_function();');
    const broken = await loadMigrations(dir);
    await expect(migrate(db.pool, [...(await loadMigrations()), ...broken])).rejects.toThrow(/9001_broken failed/);
    const { rowCount } = await db.pool.query("SELECT 1 FROM pg_tables WHERE tablename = 'half_done'");
    expect(rowCount).toBe(0);
    const versions = await db.pool.query('SELECT 1 FROM schema_migrations WHERE version = 9001');
    expect(versions.rowCount).toBe(0);
  });
});
