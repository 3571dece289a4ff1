import { createHash } from 'node:crypto';
import type pg from 'pg';

const names = new Map<string, string>();
/**
 * A statement named after its text: each connection parses and plans it once. Projection
 * statements are few and repeat on every batch; their text depends only on the table.
 */
export function prepared(text: string, values: unknown[]): pg.QueryConfig {
  let name = names.get(text);
  if (!name) names.set(text, (name = `p_${createHash('sha1').update(text).digest('hex').slice(0, 20)}`));
  return { name, text, values };
}

export type Column = readonly [name: string, sqlType: string];

/**
 * Writes many rows in one statement: the rows travel as one JSON parameter and
 * `jsonb_to_recordset` turns them back into typed rows; the primary key decides insert or update.
 */
export async function upsertRows(
  client: pg.PoolClient,
  table: string,
  columns: readonly Column[],
  key: readonly string[],
  rows: readonly Record<string, unknown>[],
  onConflict: 'update' | 'nothing' = 'update',
): Promise<void> {
  if (rows.length === 0) return;
  const columnNames = columns.map(([n]) => n);
  const recordType = columns.map(([n, t]) => `${n} ${t}`).join(', ');
  const updates = columnNames.filter((n) => !key.includes(n)).map((n) => `${n} = EXCLUDED.${n}`);
  const conflict =
    onConflict === 'nothing' || updates.length === 0 ? 'DO NOTHING' : `DO UPDATE SET ${updates.join(', ')}`;
  await client.query(
    prepared(
      `INSERT INTO ${table} (${columnNames.join(', ')})
     SELECT ${columnNames.join(', ')} FROM jsonb_to_recordset($1::jsonb) AS r(${recordType})
     ON CONFLICT (${key.join(', ')}) ${conflict}`,
      [JSON.stringify(rows)],
    ),
  );
}

/** Reads the current rows of the given keys, to fold a batch onto them in memory. */
export async function loadRows<Row>(
  client: pg.PoolClient,
  table: string,
  key: string,
  ids: readonly string[],
  columns?: readonly Column[],
): Promise<Map<string, Row>> {
  if (ids.length === 0) return new Map();
  const list = columns ? columns.map(([n]) => n).join(', ') : '*';
  const { rows } = await client.query<Row & Record<string, unknown>>(
    prepared(`SELECT ${list} FROM ${table} WHERE ${key} = ANY($1)`, [ids]),
  );
  return new Map(rows.map((r) => [String(r[key]), r]));
}
