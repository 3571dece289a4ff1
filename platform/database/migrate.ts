import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type pg from 'pg';

const migrationsDir = fileURLToPath(new URL('./migrations/', import.meta.url));
const migrationFile = /^(\d{4})_([a-z0-9_]+)\.sql$/;
/** Any constant shared by every process of the desk: serialises concurrent migrators. */
const MIGRATION_LOCK = 0x5d_e5_c0_01;

export interface Migration {
  version: number;
  name: string;
  sql: string;
  checksum: string;
}

export async function loadMigrations(dir = migrationsDir): Promise<Migration[]> {
  const files = (await readdir(dir)).filter((f) => f.endsWith('.sql')).sort();
  const migrations: Migration[] = [];
  for (const file of files) {
    const match = migrationFile.exec(file);
    if (!match?.[1] || !match[2]) throw new Error(`migration file name must be NNNN_name.sql: ${file}`);
    const sql = await readFile(`${dir}/${file}`, 'utf8');
    const version = Number(match[1]);
    if (migrations.some((m) => m.version === version)) throw new Error(`two migrations share version ${version}`);
    migrations.push({ version, name: match[2], sql, checksum: createHash('sha256').update(sql).digest('hex') });
  }
  return migrations;
}

export interface MigrationReport {
  applied: number[];
  alreadyApplied: number[];
}

/**
 * Applies pending migrations in version order, each in its own transaction. Safe to run from
 * several processes at once (a session advisory lock serialises them) and to run again
 * (applied versions are recorded). A changed file that was already applied is refused.
 */
export async function migrate(pool: pg.Pool, migrations?: Migration[]): Promise<MigrationReport> {
  const all = migrations ?? (await loadMigrations());
  const client = await pool.connect();
  const report: MigrationReport = { applied: [], alreadyApplied: [] };
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version integer PRIMARY KEY,
      name text NOT NULL,
      checksum text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now())`);
    const { rows } = await client.query<{ version: number; checksum: string }>(
      'SELECT version, checksum FROM schema_migrations',
    );
    const done = new Map(rows.map((r) => [r.version, r.checksum]));
    for (const m of all) {
      const previous = done.get(m.version);
      if (previous !== undefined) {
        if (previous !== m.checksum) {
          throw new Error(`migration ${m.version}_${m.name} changed after it was applied; add a new migration instead`);
        }
        report.alreadyApplied.push(m.version);
        continue;
      }
      await client.query('BEGIN');
      try {
        await client.query(m.sql);
        await client.query('INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)', [
          m.version,
          m.name,
          m.checksum,
        ]);
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK');
        throw new Error(`migration ${m.version}_${m.name} failed: ${(error as Error).message}`, { cause: error });
      }
      report.applied.push(m.version);
    }
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => undefined);
    client.release();
  }
  return report;
}
