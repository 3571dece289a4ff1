/**
 * A projection's generations (projection_generations and each generation's tables): listed,
 * created, pointed at by the views, swapped, abandoned and dropped. The first generation of a
 * projection goes live at once; later ones are built beside it (blue/green).
 */
import type pg from 'pg';
import { tableNamesFor, type Projection } from './projection.js';
import { inTransaction } from '../platform/database/transaction.js';

export interface GenerationRow {
  name: string;
  generation: number;
  code_version: number;
  status: 'building' | 'live' | 'retired' | 'failed';
  position: string;
  events_processed: string;
  /** A ring of per-second processed counts: the last minute's events per second (see throughput.ts). */
  rate_seconds: string[];
  rate_counts: string[];
  rate_since: string | null;
  /** A rebuild's total: the events up to the head it started from; null when not counted. */
  events_total: string | null;
  target_position: string | null;
  progress: number;
  eta_seconds: number | null;
  last_error: string | null;
  started_at: Date;
  live_at: Date | null;
  updated_at: Date;
}

export class Generations {
  constructor(private readonly pool: pg.Pool) {}

  async list(name?: string): Promise<GenerationRow[]> {
    const { rows } = await this.pool.query<GenerationRow>(
      `SELECT * FROM projection_generations WHERE $1::text IS NULL OR name = $1 ORDER BY name, generation`,
      [name ?? null],
    );
    return rows;
  }

  async live(name: string): Promise<GenerationRow | undefined> {
    const { rows } = await this.pool.query<GenerationRow>(
      `SELECT * FROM projection_generations WHERE name = $1 AND status = 'live'`,
      [name],
    );
    return rows[0];
  }

  /** Creates a new generation's tables; the first generation of a projection goes live at once (nothing to keep serving). */
  async create(projection: Projection): Promise<GenerationRow> {
    return inTransaction(this.pool, async (client) => {
      await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`projection:${projection.name}`]);
      const { rows: existing } = await client.query<{ generation: number; live: boolean }>(
        `SELECT max(generation) AS generation, bool_or(status = 'live') AS live FROM projection_generations WHERE name = $1`,
        [projection.name],
      );
      const generation = (existing[0]?.generation ?? 0) + 1;
      const goLive = !existing[0]?.live;
      await client.query(projection.createTables(tableNamesFor(generation)));
      // a live generation serves reads at once; a building one gets its indexes after the bulk catch-up
      if (goLive) await client.query(projection.createIndexes(tableNamesFor(generation)));
      const { rows } = await client.query<GenerationRow>(
        `INSERT INTO projection_generations (name, generation, code_version, status, live_at)
         VALUES ($1, $2, $3, $4, CASE WHEN $4 = 'live' THEN now() END) RETURNING *`,
        [projection.name, generation, projection.version, goLive ? 'live' : 'building'],
      );
      if (goLive) await this.pointViews(client, projection, generation);
      return rows[0]!;
    });
  }

  private async pointViews(client: pg.PoolClient, projection: Projection, generation: number): Promise<void> {
    const t = tableNamesFor(generation);
    for (const table of projection.tables) {
      // Replacing keeps the view's identity, so a read queued on its lock during the swap runs
      // on the new generation instead of failing on a dropped relation. Only when the columns
      // changed is the view dropped and made again.
      await client.query('SAVEPOINT point_view');
      try {
        await client.query(`CREATE OR REPLACE VIEW ${table} AS SELECT * FROM ${t(table)}`);
        await client.query('RELEASE SAVEPOINT point_view');
      } catch {
        await client.query('ROLLBACK TO SAVEPOINT point_view');
        await client.query(`DROP VIEW IF EXISTS ${table}`);
        await client.query(`CREATE VIEW ${table} AS SELECT * FROM ${t(table)}`);
      }
    }
  }

  /** Points the views at `generation` and retires the live one, in one transaction. */
  async swap(projection: Projection, generation: number): Promise<number | undefined> {
    return inTransaction(this.pool, async (client) => {
      await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`projection:${projection.name}`]);
      const { rows } = await client.query<{ generation: number }>(
        `UPDATE projection_generations SET status = 'retired', retired_at = now(), updated_at = now()
          WHERE name = $1 AND status = 'live' RETURNING generation`,
        [projection.name],
      );
      await client.query(
        `UPDATE projection_generations SET status = 'live', live_at = now(), progress = 1, eta_seconds = 0, updated_at = now()
          WHERE name = $1 AND generation = $2`,
        [projection.name, generation],
      );
      await this.pointViews(client, projection, generation);
      return rows[0]?.generation;
    });
  }

  /** A rebuild that died (its process was killed) leaves a building generation: drop it. */
  async abandonBuilding(projection: Projection): Promise<void> {
    const { rows } = await this.pool.query<{ generation: number }>(
      `UPDATE projection_generations SET status = 'failed', last_error = coalesce(last_error, 'abandoned: a newer rebuild started'),
         updated_at = now() WHERE name = $1 AND status = 'building' RETURNING generation`,
      [projection.name],
    );
    for (const { generation } of rows) await this.drop(projection, generation);
  }

  /** Drops a retired generation's tables; waits briefly for readers still on them, retries later otherwise. */
  async drop(projection: Projection, generation: number): Promise<boolean> {
    const t = tableNamesFor(generation);
    for (let attempt = 0; attempt < 20; attempt++) {
      const client = await this.pool.connect();
      try {
        await client.query('BEGIN');
        await client.query("SET LOCAL lock_timeout = '2s'");
        for (const table of projection.tables) await client.query(`DROP TABLE IF EXISTS ${t(table)}`);
        await client.query('COMMIT');
        return true;
      } catch {
        await client.query('ROLLBACK').catch(() => undefined);
        await new Promise((r) => setTimeout(r, 250));
      } finally {
        client.release();
      }
    }
    return false;
  }

  /** At start: every projection has a live generation of the current code version, or gets one built. */
  async plan(projections: readonly Projection[]): Promise<{ fresh: Projection[]; outdated: Projection[] }> {
    const fresh: Projection[] = [];
    const outdated: Projection[] = [];
    for (const projection of projections) {
      const live = await this.live(projection.name);
      if (!live) {
        const { rows } = await this.pool.query(
          `SELECT 1 FROM projection_generations WHERE name = $1 AND status = 'building'`,
          [projection.name],
        );
        if (rows.length === 0) await this.create(projection);
        fresh.push(projection);
      } else if (live.code_version !== projection.version) {
        outdated.push(projection);
      }
    }
    return { fresh, outdated };
  }
}
